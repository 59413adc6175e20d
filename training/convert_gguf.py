"""Writes a Tokenscope model (the default model, a fixture) as a GGUF file for llama.cpp.

What differs between our weights and llama.cpp's "llama" architecture:
- RoPE: our attention rotates halves (rotate_half, the Hugging Face convention); llama.cpp's normal RoPE
  rotates adjacent pairs, so the rows of Q and K are permuted within each head (as llama.cpp's own
  convert_hf_to_gguf.py does for Llama checkpoints);
- the tied embedding is stored once, as `token_embd` (no `output.weight`: llama.cpp then reuses it);
- the tokenizer: the byte-level BPE vocabulary and merges of tokenizer.json (p50k_edit) as tokenizer model
  "gpt2" with pre-tokenizer "trillion": the same GPT-2 split, without the "gpt-2" pre-tokenizer's dropping of
  the space before `?,.!` when detokenizing, so round trips stay exact. Specials are control tokens and the
  FIM tokens are named, so llama.cpp knows them too.

usage: python3 convert_gguf.py --model media/models/tokenscope-code --out .cache/tokenscope-code-q8_0.gguf
       (weights dequantized from onnx/model_quantized.onnx; --type q8_0 | f16 | f32)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gguf_writer as g  # noqa: E402

TYPES = {"f32": g.F32, "f16": g.F16, "q8_0": g.Q8_0}
FILE_TYPES = {"f32": 0, "f16": 1, "q8_0": 7}  # llama_ftype: ALL_F32, MOSTLY_F16, MOSTLY_Q8_0
# tokenizer.ggml.token_type values.
NORMAL, CONTROL, UNUSED = 1, 3, 5


def permute_rope(w: np.ndarray, heads: int) -> np.ndarray:
    """Rows of one head go from [first halves..., second halves...] to interleaved pairs."""
    return w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def add_tokenizer(w: g.GgufWriter, tok: dict, tok_config: dict, vocab_size: int, cfg: dict) -> None:
    tokens = [f"[PAD{i}]" for i in range(vocab_size)]
    types = [UNUSED] * vocab_size
    for text, i in tok["model"]["vocab"].items():
        tokens[i], types[i] = text, NORMAL
    special = {}
    for a in tok["added_tokens"]:
        tokens[a["id"]], types[a["id"]] = a["content"], CONTROL
        special[a["content"]] = a["id"]
    merges = [m if isinstance(m, str) else " ".join(m) for m in tok["model"]["merges"]]
    w.add("tokenizer.ggml.model", g.STRING, "gpt2")
    w.add("tokenizer.ggml.pre", g.STRING, "trillion")
    w.add_array("tokenizer.ggml.tokens", g.STRING, tokens)
    w.add_array("tokenizer.ggml.token_type", g.INT32, types)
    w.add_array("tokenizer.ggml.merges", g.STRING, merges)
    w.add("tokenizer.ggml.bos_token_id", g.UINT32, cfg["bos_token_id"])
    w.add("tokenizer.ggml.eos_token_id", g.UINT32, cfg["eos_token_id"])
    w.add("tokenizer.ggml.add_bos_token", g.BOOL, bool(tok_config.get("add_bos_token", False)))
    for name, key in (("<|fim_prefix|>", "fim_pre"), ("<|fim_suffix|>", "fim_suf"), ("<|fim_middle|>", "fim_mid")):
        if name in special:
            w.add(f"tokenizer.ggml.{key}_token_id", g.UINT32, special[name])


def add_weights(w: g.GgufWriter, state: dict, cfg: dict, ttype: str) -> None:
    q = TYPES[ttype]
    n_head, n_kv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    w.add_tensor("token_embd.weight", state["embed.weight"], q)
    for i in range(cfg["num_hidden_layers"]):
        b, o = f"blocks.{i}.", f"blk.{i}."
        w.add_tensor(o + "attn_norm.weight", state[b + "norm1.weight"], g.F32)
        w.add_tensor(o + "attn_q.weight", permute_rope(state[b + "attn.q.weight"], n_head), q)
        w.add_tensor(o + "attn_k.weight", permute_rope(state[b + "attn.k.weight"], n_kv), q)
        w.add_tensor(o + "attn_v.weight", state[b + "attn.v.weight"], q)
        w.add_tensor(o + "attn_output.weight", state[b + "attn.o.weight"], q)
        w.add_tensor(o + "ffn_norm.weight", state[b + "norm2.weight"], g.F32)
        w.add_tensor(o + "ffn_gate.weight", state[b + "mlp.gate.weight"], q)
        w.add_tensor(o + "ffn_up.weight", state[b + "mlp.up.weight"], q)
        w.add_tensor(o + "ffn_down.weight", state[b + "mlp.down.weight"], q)
    w.add_tensor("output_norm.weight", state["norm.weight"], g.F32)


def write_gguf(state: dict, folder: Path, out: Path, ttype: str = "q8_0", chat_template: str | None = None) -> None:
    """`state`: our Transformer's parameters as numpy arrays; `folder`: its config and tokenizer files.
    The chat template is tokenizer_config.json's unless one is given."""
    cfg = json.loads((folder / "config.json").read_text())
    if not cfg.get("tie_word_embeddings", False):
        raise ValueError("only tied-embedding models are converted (ours all are)")
    tok = json.loads((folder / "tokenizer.json").read_text())
    tok_config_path = folder / "tokenizer_config.json"
    tok_config = json.loads(tok_config_path.read_text()) if tok_config_path.exists() else {}
    head_dim = cfg.get("head_dim", cfg["hidden_size"] // cfg["num_attention_heads"])
    w = g.GgufWriter()
    w.add("general.architecture", g.STRING, "llama")
    w.add("general.name", g.STRING, folder.name)
    w.add("general.alignment", g.UINT32, g.ALIGNMENT)
    w.add("general.file_type", g.UINT32, FILE_TYPES[ttype])
    w.add("llama.vocab_size", g.UINT32, cfg["vocab_size"])
    w.add("llama.context_length", g.UINT32, cfg["max_position_embeddings"])
    w.add("llama.embedding_length", g.UINT32, cfg["hidden_size"])
    w.add("llama.block_count", g.UINT32, cfg["num_hidden_layers"])
    w.add("llama.feed_forward_length", g.UINT32, cfg["intermediate_size"])
    w.add("llama.attention.head_count", g.UINT32, cfg["num_attention_heads"])
    w.add("llama.attention.head_count_kv", g.UINT32, cfg["num_key_value_heads"])
    w.add("llama.attention.key_length", g.UINT32, head_dim)
    w.add("llama.attention.value_length", g.UINT32, head_dim)
    w.add("llama.rope.dimension_count", g.UINT32, head_dim)
    w.add("llama.rope.freq_base", g.FLOAT32, float(cfg.get("rope_theta", 10000.0)))
    w.add("llama.attention.layer_norm_rms_epsilon", g.FLOAT32, float(cfg["rms_norm_eps"]))
    add_tokenizer(w, tok, tok_config, cfg["vocab_size"], cfg)
    template = chat_template or tok_config.get("chat_template")
    if isinstance(template, str) and template.strip():
        w.add("tokenizer.chat_template", g.STRING, template)
    add_weights(w, {k: np.asarray(v, dtype=np.float32) for k, v in state.items()}, cfg, ttype)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".partial")
    w.write(str(tmp))
    os.replace(tmp, out)  # never a half-written file under the final name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True, help="model folder with config.json and onnx/model_quantized.onnx")
    ap.add_argument("--out", required=True)
    ap.add_argument("--type", default="q8_0", choices=sorted(TYPES))
    a = ap.parse_args()
    from onnx_to_checkpoint import config_from_folder, folder_weights

    folder = Path(a.model)
    state = folder_weights(folder, config_from_folder(folder))
    write_gguf({k: v.numpy() for k, v in state.items()}, folder, Path(a.out), a.type)
    print(f"wrote {a.out} ({a.type}) from {folder}")


if __name__ == "__main__":
    main()
