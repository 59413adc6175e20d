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

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model import ModelConfig, Transformer  # noqa: E402
from export_onnx import export_folder, REPO  # noqa: E402
from convert_gguf import write_gguf  # noqa: E402

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(REPO / "test" / "fixtures" / "models"))
    ap.add_argument("--only", default=None)
    ap.add_argument("--gguf", action="store_true", help="only write the llama-family fixtures as GGUF (f32) under gguf/")
    a = ap.parse_args()
    for i, (name, spec) in enumerate(FIXTURES.items()):
        if a.only and name != a.only:
            continue
        torch.manual_seed(1234 + i)
        model = Transformer(spec["cfg"])
        # Random init is nearly uniform over the vocabulary; widen it so greedy choices are decisive.
        with torch.no_grad():
            model.embed.weight.mul_(25.0)
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


if __name__ == "__main__":
    main()
