"""Writes a model folder's fused ONNX graph (fused_graph.py): MatMulNBits weights, GroupQueryAttention, a cache of
new rows only. The weights come from a training checkpoint, or from the folder's own int8 file (onnx_to_checkpoint).

The graph returns present.N.* (past + new rows, as transformers.js reads them) and present_rows.N.* (the new rows
alone, which our runtime fetches).

usage: python3 export_fused.py --model media/models/tokenscope-code [--checkpoint ck.pt] [--bits 8 --block 128]
           [--out onnx/model_quantized.onnx]
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_onnx import load_checkpoint  # noqa: E402
from fused_graph import build  # noqa: E402
from onnx_to_checkpoint import config_from_folder, folder_weights  # noqa: E402


def folder_state(folder: Path, checkpoint: str | None):
    """(ModelConfig, numpy state dict): the checkpoint's when given, else the folder's int8 weights dequantized."""
    if checkpoint:
        model = load_checkpoint(checkpoint)
        return model.cfg, {k: v.detach().numpy() for k, v in model.state_dict().items()}
    cfg = config_from_folder(folder)
    return cfg, {k: v.numpy() for k, v in folder_weights(folder, cfg).items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="model folder (config.json; onnx/model_quantized.onnx when no checkpoint)")
    ap.add_argument("--checkpoint", default=None)
    ap.add_argument("--bits", type=int, default=8, choices=[0, 4, 8], help="0: float32 weights (a reference)")
    ap.add_argument("--block", type=int, default=128)
    ap.add_argument("--out", default=None, help="default: <model>/onnx/model_quantized.onnx")
    a = ap.parse_args()
    folder = Path(a.model)
    cfg, state = folder_state(folder, a.checkpoint)
    proto, _ = build(state, cfg, bits=a.bits or None, block=a.block, accuracy=4, kv="rows", packed=True)
    out = Path(a.out) if a.out else folder / "onnx" / "model_quantized.onnx"
    onnx.save_model(proto, str(out))
    print(f"wrote {out}: {out.stat().st_size / 1e6:.1f} MB ({f'{a.bits}-bit, block {a.block}' if a.bits else 'float32'})")


if __name__ == "__main__":
    main()
