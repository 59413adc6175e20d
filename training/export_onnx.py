"""Exports a trained (or freshly initialised) model into the Hugging Face / transformers.js layout.

    DIR/config.json, generation_config.json, tokenizer.json, tokenizer_config.json,
        special_tokens_map.json, onnx/model.onnx (fp32, with a KV cache),
        onnx/model_quantized.onnx (int8, see quantize.py), reference.json

ONNX signature (the transformers.js decoder layout):
    inputs  input_ids [b, s] int64, attention_mask [b, past + s] int64, position_ids [b, s] int64,
            past_key_values.{i}.key / .value [b, kv_heads, past, head_dim] float32,
            num_logits_to_keep [] int64 (0 = every position; transformers.js passes it)
    outputs logits [b, s', vocab], present.{i}.key / .value [b, kv_heads, past + s, head_dim]

reference.json stores torch's logits for a fixed prompt (prefill, then greedy steps through the cache),
so a test can check that the ONNX file computes what the model computes.

usage: python3 export_onnx.py --checkpoint ckpt.pt --out DIR [--model-type llama] [--no-quantize]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import ModelConfig, Transformer  # noqa: E402

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
EOT = 50256
FIM = {"<|fim_prefix|>": 50281, "<|fim_middle|>": 50282, "<|fim_suffix|>": 50283}


class OnnxDecoder(torch.nn.Module):
    """Flattens the model's cache into the named inputs and outputs of the ONNX layout."""

    def __init__(self, model: Transformer):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, position_ids, *rest):
        *flat_past, keep = rest
        n = self.model.cfg.n_layer
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(n)]
        # 0 keeps every position (the Hugging Face convention); k keeps the last k.
        seq = input_ids.shape[1]
        start = torch.remainder(seq - keep, seq)
        logits, presents = self.model(input_ids, attention_mask, position_ids, past, num_logits_to_keep=seq - start)
        out = [logits]
        for k, v in presents:
            out += [k, v]
        return tuple(out)


def io_names(n_layer: int):
    inputs = ["input_ids", "attention_mask", "position_ids"]
    outputs = ["logits"]
    for i in range(n_layer):
        inputs += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        outputs += [f"present.{i}.key", f"present.{i}.value"]
    return inputs + ["num_logits_to_keep"], outputs


def export_onnx(model: Transformer, path: Path) -> None:
    cfg = model.cfg
    model.eval()
    wrapper = OnnxDecoder(model)
    b, s, p = 1, 3, 2
    ids = torch.randint(0, cfg.vocab_size, (b, s))
    mask = torch.ones(b, p + s, dtype=torch.long)
    pos = torch.arange(p, p + s)[None, :]
    past = []
    for _ in range(cfg.n_layer):
        past += [torch.randn(b, cfg.n_kv_head, p, cfg.head_dim), torch.randn(b, cfg.n_kv_head, p, cfg.head_dim)]
    keep = torch.tensor(0, dtype=torch.long)
    inputs, outputs = io_names(cfg.n_layer)
    dyn = {"input_ids": {0: "batch_size", 1: "sequence_length"},
           "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
           "position_ids": {0: "batch_size", 1: "sequence_length"},
           "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(cfg.n_layer):
        for kind in ("key", "value"):
            dyn[f"past_key_values.{i}.{kind}"] = {0: "batch_size", 2: "past_sequence_length"}
            dyn[f"present.{i}.{kind}"] = {0: "batch_size", 2: "total_sequence_length"}
    path.parent.mkdir(parents=True, exist_ok=True)
    attempts = [{}]
    if "dynamo" in torch.onnx.export.__code__.co_varnames:
        # torch 2.x: prefer the TorchScript exporter (the one CI checks); the dynamo one is the fallback.
        attempts = [{"dynamo": False}, {"dynamo": True}]
    for i, kwargs in enumerate(attempts):
        try:
            with torch.no_grad():
                torch.onnx.export(wrapper, (ids, mask, pos, *past, keep), str(path), input_names=inputs, output_names=outputs,
                                  dynamic_axes=dyn, opset_version=17, do_constant_folding=True, **kwargs)
            return
        except Exception as e:  # noqa: BLE001 - report and try the next exporter
            if i == len(attempts) - 1:
                raise
            print(f"export with {kwargs} failed ({type(e).__name__}: {e}); trying the next exporter", file=sys.stderr)


def reference(model: Transformer, prompt_ids, steps: int = 3, n_check: int = 48):
    """torch logits for a prompt and a few greedy cached steps, at a fixed set of vocabulary ids."""
    model.eval()
    cfg = model.cfg
    g = torch.Generator().manual_seed(0)
    check_ids = sorted(set(torch.randint(0, cfg.vocab_size, (n_check,), generator=g).tolist()))
    out = {"input_ids": list(prompt_ids), "steps": [], "atol": 2e-4}
    with torch.no_grad():
        feed = list(prompt_ids)
        past = [(torch.zeros(1, cfg.n_kv_head, 0, cfg.head_dim), torch.zeros(1, cfg.n_kv_head, 0, cfg.head_dim)) for _ in range(cfg.n_layer)]
        total = 0
        for _ in range(steps + 1):
            ids = torch.tensor([feed])
            pos = torch.arange(total, total + len(feed))[None, :]
            mask = torch.ones(1, total + len(feed), dtype=torch.long)
            logits, past = model(ids, mask, pos, past)
            last = logits[0, -1]
            top = int(last.argmax())
            ids_here = sorted(set(check_ids + [top]))
            out["steps"].append({"feed": feed, "check_ids": ids_here, "check_logits": [float(last[i]) for i in ids_here], "argmax": top})
            total += len(feed)
            feed = [top]
    return out


def hf_config(cfg: ModelConfig, model_type: str, context: int, vocab_size: int, fim: bool) -> dict:
    common = {"vocab_size": vocab_size, "bos_token_id": EOT if fim else vocab_size - 1, "eos_token_id": EOT if fim else vocab_size - 1,
              "tie_word_embeddings": True, "torch_dtype": "float32", "transformers_version": "4.46.0"}
    if cfg.arch == "gpt2":
        return {"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_layer": cfg.n_layer, "n_head": cfg.n_head,
                "n_embd": cfg.d_model, "n_inner": cfg.d_ff, "n_positions": cfg.max_positions, "n_ctx": cfg.max_positions,
                "layer_norm_epsilon": cfg.norm_eps, "activation_function": "gelu_new", **common}
    arch_name = {"llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM", "mistral": "MistralForCausalLM", "phi3": "Phi3ForCausalLM"}[model_type]
    return {"model_type": model_type, "architectures": [arch_name], "hidden_size": cfg.d_model, "intermediate_size": cfg.d_ff,
            "num_hidden_layers": cfg.n_layer, "num_attention_heads": cfg.n_head, "num_key_value_heads": cfg.n_kv_head,
            "head_dim": cfg.head_dim, "max_position_embeddings": context, "rms_norm_eps": cfg.norm_eps,
            "rope_theta": cfg.rope_theta, "hidden_act": "silu", "attention_bias": False, **common}


def write_tokenizer(out: Path, encoding: str, max_rank: int | None, prebuilt: Path | None = None) -> dict:
    """tokenizer.json from gpt-tokenizer's ranks (for other tools) and tokenizer_config.json."""
    if prebuilt:  # a machine without the repo's node_modules (the GPU machine) brings the file along
        shutil.copyfile(prebuilt, out / "tokenizer.json")
    else:
        cmd = ["node", str(HERE / "tokenizer-json.mjs"), "--encoding", encoding, "--out", str(out / "tokenizer.json")]
        if max_rank:
            cmd += ["--max-rank", str(max_rank)]
        subprocess.run(cmd, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    tj = json.loads((out / "tokenizer.json").read_text())
    specials = {t["content"]: t["id"] for t in tj["added_tokens"]}
    eot = "<|endoftext|>"
    tc = {"tokenizer_class": "GPT2Tokenizer", "model_max_length": 1024, "bos_token": eot, "eos_token": eot, "unk_token": eot,
          "add_prefix_space": False, "clean_up_tokenization_spaces": False,
          "added_tokens_decoder": {str(i): {"content": c, "special": True, "lstrip": False, "rstrip": False, "normalized": False, "single_word": False}
                                   for c, i in specials.items()}}
    if not max_rank:
        # The runtime encodes with gpt-tokenizer when this names an encoding it serves (same ids, faster).
        tc["gpt_tokenizer_encoding"] = encoding
    (out / "tokenizer_config.json").write_text(json.dumps(tc, indent=1))
    (out / "special_tokens_map.json").write_text(json.dumps({"bos_token": eot, "eos_token": eot, "unk_token": eot}, indent=1))
    return specials


def write_folder_files(out: Path, cfg: ModelConfig, *, model_type: str, encoding: str = "p50k_edit", max_rank: int | None = None,
                       context: int | None = None, extra_config: dict | None = None, tokenizer_json: Path | None = None) -> None:
    """Everything of a model folder but the ONNX files: config, generation config, tokenizer files."""
    out.mkdir(parents=True, exist_ok=True)
    specials = write_tokenizer(out, encoding, max_rank, tokenizer_json)
    eos = specials["<|endoftext|>"]
    config = hf_config(cfg, model_type, context or cfg.max_positions, cfg.vocab_size, fim="<|fim_prefix|>" in specials)
    config["bos_token_id"] = config["eos_token_id"] = eos
    config.update(extra_config or {})
    (out / "config.json").write_text(json.dumps(config, indent=1))
    (out / "generation_config.json").write_text(json.dumps({"bos_token_id": eos, "eos_token_id": eos, "do_sample": False,
                                                            "max_new_tokens": 64, "transformers_version": "4.46.0"}, indent=1))


def default_prompt(cfg: ModelConfig):
    return [int(x) for x in torch.randint(0, min(cfg.vocab_size, 256), (7,), generator=torch.Generator().manual_seed(1))]


def export_folder(model: Transformer, out: Path, *, model_type: str, encoding: str = "p50k_edit", max_rank: int | None = None,
                  context: int | None = None, prompt_ids=None, quantize: bool = True, extra_config: dict | None = None,
                  tokenizer_json: Path | None = None) -> None:
    write_folder_files(out, model.cfg, model_type=model_type, encoding=encoding, max_rank=max_rank, context=context,
                       extra_config=extra_config, tokenizer_json=tokenizer_json)
    export_onnx(model, out / "onnx" / "model.onnx")
    (out / "reference.json").write_text(json.dumps(reference(model, prompt_ids or default_prompt(model.cfg))))
    if quantize:
        from quantize import quantize_file
        quantize_file(out / "onnx" / "model.onnx", out / "onnx" / "model_quantized.onnx")


def load_checkpoint(path: str) -> Transformer:
    ck = torch.load(path, map_location="cpu")
    cfg = ModelConfig(**ck["config"])
    model = Transformer(cfg)
    state = ck["model"]
    if "quantized" in ck:  # int8 per-row weights from the GPU run: dequantize
        state = {k: (v.float() * ck["quantized"][k][:, None] if k in ck["quantized"] else v.float()) for k, v in state.items()}
    model.load_state_dict({k: v.float() for k, v in state.items()})
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--model-type", default="llama")
    ap.add_argument("--context", type=int, default=None)
    ap.add_argument("--no-quantize", action="store_true")
    ap.add_argument("--tokenizer-json", default=None, help="copy this tokenizer.json instead of generating it with node")
    a = ap.parse_args()
    model = load_checkpoint(a.checkpoint)
    export_folder(model, Path(a.out), model_type=a.model_type, context=a.context, quantize=not a.no_quantize,
                  tokenizer_json=Path(a.tokenizer_json) if a.tokenizer_json else None)
    print(f"exported {model.num_params() / 1e6:.1f} M params to {a.out}")


if __name__ == "__main__":
    main()
