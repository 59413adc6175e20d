"""Turns a shipped int8 model folder (export_onnx.py + quantize.py output) back into a training checkpoint.

Fine-tuning starts from the weights users have: the int8 matrices times their per-column scales, in fp32.
torch.onnx.export names initializers in the order the forward pass first uses them, so sorting them by
that number walks the model in order: per block norm1, q, k, v, o, norm2, gate, up, down; then the final
norm and the output head (the tied embedding, stored once). The result is checked by comparing the
checkpoint's logits with onnxruntime's on the int8 file (same greedy tokens, logits within int8 noise).

usage: python3 onnx_to_checkpoint.py --model media/models/tokenscope-code --out .scratch/shipped.pt
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fused_graph import hf_name  # noqa: E402
from model import ModelConfig, Transformer  # noqa: E402


def config_from_folder(folder: Path) -> ModelConfig:
    c = json.loads((folder / "config.json").read_text())
    return ModelConfig(arch="llama", vocab_size=c["vocab_size"], d_model=c["hidden_size"], n_layer=c["num_hidden_layers"],
                       n_head=c["num_attention_heads"], n_kv_head=c["num_key_value_heads"], d_ff=c["intermediate_size"],
                       max_positions=c["max_position_embeddings"], rope_theta=c.get("rope_theta", 10000.0), norm_eps=c["rms_norm_eps"])


def ordered_weights(path: Path):
    """(kind, array) in forward order: ('norm', [d]) or ('matmul', [in, out] dequantized)."""
    inits = {t.name: t for t in onnx.load(str(path)).graph.initializer}
    order = lambda name: int(re.search(r"_(\d+)", name).group(1))  # noqa: E731
    found = []
    for name, t in inits.items():
        if name.endswith("_int8"):
            base = name[: -len("_int8")]
            w = numpy_helper.to_array(t).astype(np.float32) * numpy_helper.to_array(inits[base + "_scale"])[None, :]
            found.append((order(base), "matmul", w))
        elif name.startswith("onnx::Mul_") and len(t.dims) == 1:
            found.append((order(name), "norm", numpy_helper.to_array(t).astype(np.float32)))
    return [(kind, w) for _, kind, w in sorted(found, key=lambda f: f[0])]


def state_from_onnx(cfg: ModelConfig, weights) -> dict:
    it = iter(weights)
    take = lambda kind: (lambda k, w: w if k == kind else (_ for _ in ()).throw(ValueError(f"expected {kind}, found {k}")))(*next(it))  # noqa: E731
    state = {}
    for i in range(cfg.n_layer):
        b = f"blocks.{i}."
        state[b + "norm1.weight"] = take("norm")
        for n in ("q", "k", "v", "o"):
            state[b + f"attn.{n}.weight"] = take("matmul").T
        state[b + "norm2.weight"] = take("norm")
        for n in ("gate", "up", "down"):
            state[b + f"mlp.{n}.weight"] = take("matmul").T
    state["norm.weight"] = take("norm")
    state["embed.weight"] = take("matmul").T
    if next(it, None) is not None:
        raise ValueError("more weights in the ONNX file than the config's layers account for")
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}


LLAMA_BLOCK = ("norm1", "attn.q", "attn.k", "attn.v", "attn.o", "norm2", "mlp.gate", "mlp.up", "mlp.down")


def nbits_matrix(inits: dict, name: str) -> np.ndarray | None:
    """A MatMulNBits weight (X_Q8/X_Q4 + X_scales) dequantized to [outputs, inputs], or None when absent."""
    bits = 8 if name + "_Q8" in inits else 4 if name + "_Q4" in inits else 0
    if not bits:
        return None
    q = numpy_helper.to_array(inits[f"{name}_Q{bits}"])
    if bits == 4:  # two values a byte, the even one in the low nibble
        q = np.stack([q & 15, q >> 4], axis=-1).reshape(q.shape[0], q.shape[1], -1)
    scales = numpy_helper.to_array(inits[name + "_scales"]).reshape(q.shape[0], q.shape[1], 1)
    return ((q.astype(np.float32) - 2 ** (bits - 1)) * scales).reshape(q.shape[0], -1)


def unpack(inits: dict, cfg: ModelConfig) -> dict:
    """The packed matrices of a fused export (q/k/v as qkv_proj, gate/up as gate_up_proj) split back into their parts."""
    state = {}
    q_rows, kv_rows = cfg.n_head * cfg.head_dim, cfg.n_kv_head * cfg.head_dim
    for i in range(cfg.n_layer):
        p = f"blocks.{i}."
        qkv = nbits_matrix(inits, hf_name(p + "attn.qkv.weight"))
        if qkv is not None:
            parts = np.split(qkv, [q_rows, q_rows + kv_rows])
            state.update({p + f"attn.{m}.weight": w for m, w in zip("qkv", parts)})
        gate_up = nbits_matrix(inits, hf_name(p + "mlp.gate_up.weight"))
        if gate_up is not None:
            state[p + "mlp.gate.weight"], state[p + "mlp.up.weight"] = np.split(gate_up, 2)
    return state


def fused_state(path: Path, cfg: ModelConfig) -> dict:
    """The weights of a fused export (fused_graph.py: Hugging Face names, MatMulNBits X_Q8/X_Q4 + X_scales, packed or
    not), as model.py names."""
    inits = {t.name: t for t in onnx.load(str(path)).graph.initializer}
    state = unpack(inits, cfg)
    keys = ["embed.weight", "norm.weight"] + [f"blocks.{i}.{n}.weight" for i in range(cfg.n_layer) for n in LLAMA_BLOCK]
    for key in (k for k in keys if k not in state):
        name = hf_name(key)
        w = numpy_helper.to_array(inits[name]).astype(np.float32) if name in inits else nbits_matrix(inits, name)
        if w is None:
            raise ValueError(f"{path.name} has no weight {name}")
        state[key] = w
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}


def folder_weights(folder: Path, cfg: ModelConfig) -> dict:
    """The state dict of a model folder's onnx/model_quantized.onnx, in either of the project's two int8 forms."""
    path = folder / "onnx" / "model_quantized.onnx"
    if any(t.name.endswith(("_Q8", "_Q4")) for t in onnx.load(str(path), load_external_data=False).graph.initializer):
        return fused_state(path, cfg)
    return state_from_onnx(cfg, ordered_weights(path))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="model folder with config.json and onnx/model_quantized.onnx")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    folder = Path(a.model)
    cfg = config_from_folder(folder)
    model = Transformer(cfg)
    state = folder_weights(folder, cfg)
    model.load_state_dict(state)  # strict: every parameter accounted for
    torch.save({"config": cfg.to_dict(), "model": model.state_dict(), "meta": {"from": str(folder)}}, a.out)
    print(f"wrote {a.out}: {model.num_params() / 1e6:.1f} M params from {folder}")


if __name__ == "__main__":
    main()
