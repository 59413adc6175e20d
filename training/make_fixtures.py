"""Generates the tiny test-fixture models (random weights) in the Hugging Face ONNX layout.

Each fixture proves that one architecture family loads and computes what torch computes:
gpt2 (learned positions, full r50k vocabulary through gpt-tokenizer) and the Llama family
(llama, qwen2, mistral, phi3: RoPE and grouped-query attention with different head layouts, and a
small tokenizer.json read by the JS tokenizer library). Deterministic: same seed, same files.

usage: python3 make_fixtures.py [--out test/fixtures/models] [--gguf]
"""
import argparse
import os
import sys
from pathlib import Path

import json

import onnx
import torch
from onnx import external_data_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import ModelConfig, Transformer, rotate_half  # noqa: E402
from export_onnx import default_prompt, export_folder, reference, write_folder_files, REPO  # noqa: E402
from convert_gguf import write_gguf  # noqa: E402
from fused_graph import build  # noqa: E402

# Fixtures also written as GGUF (the same seeded weights; the folder's config and tokenizer files).
GGUF_FIXTURES = ("llama", "qwen2")
# The qwen2 GGUF fixture carries a chat template in its metadata, as instruct GGUF files do.
CHATML = ("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
SMALL_VOCAB = 512  # ranks kept from p50k; the 4 specials follow (EOT 512, FIM 513-515)

FIXTURES = {
    "gpt2-tiny": dict(model_type="gpt2", encoding="r50k_base", max_rank=None,
                      cfg=ModelConfig(arch="gpt2", vocab_size=50257, d_model=8, n_layer=2, n_head=2, n_kv_head=2, d_ff=32, max_positions=128)),
    "llama-tiny": dict(model_type="llama", encoding="p50k_edit", max_rank=SMALL_VOCAB,
                       cfg=ModelConfig(arch="llama", vocab_size=SMALL_VOCAB + 4, d_model=32, n_layer=2, n_head=4, n_kv_head=2, d_ff=64, max_positions=256)),
    "qwen2-tiny": dict(model_type="qwen2", encoding="p50k_edit", max_rank=SMALL_VOCAB,
                       cfg=ModelConfig(arch="llama", vocab_size=SMALL_VOCAB + 4, d_model=32, n_layer=2, n_head=4, n_kv_head=1, d_ff=64, max_positions=256)),
    "mistral-tiny": dict(model_type="mistral", encoding="p50k_edit", max_rank=SMALL_VOCAB,
                         cfg=ModelConfig(arch="llama", vocab_size=SMALL_VOCAB + 4, d_model=48, n_layer=3, n_head=4, n_kv_head=2, d_ff=96, max_positions=256)),
    "phi3-tiny": dict(model_type="phi3", encoding="p50k_edit", max_rank=SMALL_VOCAB,
                      cfg=ModelConfig(arch="llama", vocab_size=SMALL_VOCAB + 4, d_model=32, n_layer=2, n_head=4, n_kv_head=4, d_ff=64, max_positions=256)),
}

# The forms of the community's exports (and the project's fused export): (base fixture for the tokenizer and model
# type, file under onnx/, build() options, external data files, logits tolerance against torch). GroupQueryAttention
# needs a head size that is a multiple of 16, hence a wider model than the base fixtures.
FUSED_CFG = dict(arch="llama", vocab_size=SMALL_VOCAB + 4, d_model=64, n_layer=2, n_head=4, d_ff=128, max_positions=256)
FUSED_FIXTURES = {
    # onnx-community q4: MatMulNBits 4-bit block 32, GroupQueryAttention, weights in two external data files.
    "qwen2-tiny-q4-gqa": ("qwen2-tiny", 1, "model_q4.onnx", dict(bits=4, block=32, accuracy=0), 2, 2e-4),
    # Optimum's merged decoder (If over use_cache_branch) with float16 keys/values, attention and logits.
    "llama-tiny-merged-f16": ("llama-tiny", 2, "decoder_model_merged.onnx", dict(bits=None, half=True, merged=True), 0, 0.1),
    # The project's fused export: 8-bit blocks, activations quantized per block (accuracy 4), new rows only, q/k/v and
    # gate/up packed.
    "llama-tiny-fused": ("llama-tiny", 2, "model_quantized.onnx", dict(bits=8, block=32, accuracy=4, kv="rows", packed=True), 0, 0.15),
}


def base_model(name: str, cfg: ModelConfig | None = None) -> Transformer:
    """A fixture's seeded random model (the same weights every time)."""
    torch.manual_seed(1234 + list(FIXTURES).index(name) + (100 if cfg else 0))
    model = Transformer(cfg or FIXTURES[name]["cfg"])
    # Random init is nearly uniform over the vocabulary; widen it so greedy choices are decisive.
    with torch.no_grad():
        model.embed.weight.mul_(25.0)
    return model


def write_fused_fixture(name: str, root: Path) -> None:
    base, kv_heads, file, opts, data_files, atol = FUSED_FIXTURES[name]
    spec = FIXTURES[base]
    model = base_model(base, ModelConfig(**FUSED_CFG, n_kv_head=kv_heads))
    out = root / name
    write_folder_files(out, model.cfg, model_type=spec["model_type"], encoding=spec["encoding"], max_rank=spec["max_rank"])
    proto, used = build({k: v.detach().numpy() for k, v in model.state_dict().items()}, model.cfg, **opts)
    (out / "onnx").mkdir(exist_ok=True)
    save_model(proto, out / "onnx" / file, data_files)
    # The reference runs torch on the weights as the graph holds them (quantized and back), so it checks the graph.
    model.load_state_dict({k: torch.from_numpy(v) for k, v in used.items()})
    ref = reference(model, default_prompt(model.cfg))
    ref.update(atol=atol, onnx_file=file, attention_block0_last=block0_attention(model, ref["input_ids"]))
    (out / "reference.json").write_text(json.dumps(ref))
    if data_files:
        config = json.loads((out / "config.json").read_text())
        config["transformers.js_config"] = {"use_external_data_format": data_files}
        (out / "config.json").write_text(json.dumps(config, indent=1))
    print(f"{name}: {model.num_params()} params, {file} -> {out}")


def block0_attention(model: Transformer, ids) -> list:
    """torch's block-0 attention weights of the last position, per head (the X-ray's check on fused attention)."""
    cfg, S = model.cfg, len(ids)
    with torch.no_grad():
        x = model.embed(torch.tensor([ids]))
        h, attn = model.blocks[0].norm1(x), model.blocks[0].attn
        q = attn.q(h).view(1, S, cfg.n_head, cfg.head_dim).transpose(1, 2)
        k = attn.k(h).view(1, S, cfg.n_kv_head, cfg.head_dim).transpose(1, 2)
        cos, sin = model.rope(torch.arange(S)[None, :], x.dtype)
        q, k = q * cos + rotate_half(q) * sin, k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(cfg.n_head // cfg.n_kv_head, dim=1)
        att = torch.softmax((q[:, :, -1:] @ k.transpose(-2, -1)) / cfg.head_dim ** 0.5, dim=-1)
    return att[0, :, 0].tolist()


def save_model(proto, path: Path, data_files: int) -> None:
    """Saves the model; with data_files > 0 its initializers go to <file>_data, <file>_data_1, ... (transformers.js naming)."""
    if data_files:
        # Weights only: small constants stay inline, where shape inference can read them.
        tensors = [t for t in proto.graph.initializer if len(t.raw_data) >= 1024]
        for i, t in enumerate(tensors):
            part = i * data_files // len(tensors)
            external_data_helper.set_external_data(t, location=path.name + "_data" + (f"_{part}" if part else ""))
        external_data_helper.write_external_data_tensors(proto, str(path.parent))
    onnx.save_model(proto, str(path))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(REPO / "test" / "fixtures" / "models"))
    ap.add_argument("--only", default=None)
    ap.add_argument("--gguf", action="store_true", help="only write the llama-family fixtures as GGUF (f32) under gguf/")
    a = ap.parse_args()
    for name, spec in FIXTURES.items():
        if a.only and name != a.only:
            continue
        model = base_model(name)
        out = Path(a.out) / name
        if a.gguf:
            if spec["model_type"] in GGUF_FIXTURES:
                state = {k: v.detach().numpy() for k, v in model.state_dict().items()}
                template = CHATML if spec["model_type"] == "qwen2" else None
                write_gguf(state, out, Path(a.out) / "gguf" / f"{name}-f32.gguf", "f32", template)
            continue
        export_folder(model, out, model_type=spec["model_type"], encoding=spec["encoding"], max_rank=spec["max_rank"],
                      quantize=spec["max_rank"] is not None)
        print(f"{name}: {model.num_params()} params -> {out}")
    for name in FUSED_FIXTURES:
        if not a.gguf and (not a.only or a.only == name):
            write_fused_fixture(name, Path(a.out))


if __name__ == "__main__":
    main()
