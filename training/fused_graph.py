"""Writes a Llama-family decoder as one ONNX graph of onnxruntime's fused operators, from a state dict.

The forms the community's exports take, and the one the project's default model runs:
- weights as `com.microsoft.MatMulNBits` (4 or 8 bits, symmetric blocks along the input dimension);
  activations are quantized per block of each row (accuracy_level 4), never per run, so a cached step and a
  full recompute give the same numbers;
- attention as `com.microsoft.GroupQueryAttention` with rotary applied inside (cos/sin caches), its lengths
  derived from attention_mask as the community builders do (seqlens_k = sum - 1, total = mask width);
- RMSNorm as SimplifiedLayerNormalization, residual + norm as SkipSimplifiedLayerNormalization;
- keys/values in float32 or float16 (the attention then runs in float16, as in the *f16 exports);
- present.N.* hold past + new rows (the transformers.js layout); `kv="rows"` adds present_rows.N.*, only the
  rows this run added: a runtime that fetches those alone keeps the cache in its own buffers, grown in steps, and
  may feed a past longer than the live length (GroupQueryAttention reads only the first seqlens_k + 1 rows);
- `merged=True`: Optimum's decoder_model_merged form, an If over a `use_cache_branch` input.

build() returns the model and the weights as the graph computes with them (dequantized), so a torch reference
over those weights checks the graph exactly.
"""
from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

MS = "com.microsoft"


def quantize_blocks(w_out_in: np.ndarray, bits: int, block: int):
    """Symmetric per-block quantization of a [N, K] weight (rows = outputs) for MatMulNBits (zero point 2^(bits-1))."""
    n, k = w_out_in.shape
    if k % block:
        raise ValueError(f"input dimension {k} is not a multiple of the block size {block}")
    blocks = w_out_in.reshape(n, k // block, block).astype(np.float32)
    top = 2 ** (bits - 1) - 1
    scale = np.abs(blocks).max(axis=2, keepdims=True) / top
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(blocks / scale), -top - 1, top).astype(np.int32)
    deq = (q * scale).reshape(n, k).astype(np.float32)
    u = (q + 2 ** (bits - 1)).astype(np.uint8)
    if bits == 4:
        u = (u[:, :, 0::2] | (u[:, :, 1::2] << 4)).astype(np.uint8)  # element 2j in the low nibble
    return u, scale.reshape(n, k // block).astype(np.float32), deq


class Graph:
    """Nodes and initializers under construction; every name is unique in the model (subgraphs included)."""

    def __init__(self, prefix: str = ""):
        self.nodes, self.inits, self.prefix, self.n = [], [], prefix, 0

    def name(self, hint: str) -> str:
        self.n += 1
        return f"{self.prefix}{hint}_{self.n}"

    def op(self, op_type: str, inputs, outputs: int = 1, domain: str = "", node: str | None = None, **attrs):
        """Adds a node; `node` names it as Hugging Face exports do (/model/layers.N/...), which the X-ray reads."""
        outs = [self.name(op_type) for _ in range(outputs)]
        name = f"{self.prefix}{node}/{op_type}" if node else self.name("n_" + op_type)
        self.nodes.append(helper.make_node(op_type, list(inputs), outs, name=name, domain=domain or None, **attrs))
        return outs[0] if outputs == 1 else outs

    def const(self, name: str, arr) -> str:
        self.inits.append(numpy_helper.from_array(np.asarray(arr), name))
        return name


HF_NAMES = [("blocks.", "model.layers."), ("attn.qkv.", "self_attn.qkv_proj."), ("mlp.gate_up.", "mlp.gate_up_proj."), ("attn.q.", "self_attn.q_proj."), ("attn.k.", "self_attn.k_proj."), ("attn.v.", "self_attn.v_proj."),
            ("attn.o.", "self_attn.o_proj."), ("mlp.gate.", "mlp.gate_proj."), ("mlp.up.", "mlp.up_proj."), ("mlp.down.", "mlp.down_proj."),
            ("norm1.", "input_layernorm."), ("norm2.", "post_attention_layernorm."), ("embed.", "model.embed_tokens.")]


def hf_name(key: str) -> str:
    """The Hugging Face name of a model.py weight (what the anatomy and other tools recognise)."""
    if key == "norm.weight":
        return "model.norm.weight"
    for a, b in HF_NAMES:
        key = key.replace(a, b)
    return key


class Weights:
    """Initializers shared by every branch: quantized matrices, norms, rotary caches (each stored once)."""

    def __init__(self, g: Graph, state: dict, cfg, bits: int | None, block: int, accuracy: int, packed: bool = False):
        self.g, self.state, self.cfg, self.bits, self.block, self.accuracy = g, state, cfg, bits, block, accuracy
        self.packed = packed
        self.dequantized = {k: v.astype(np.float32) for k, v in state.items()}
        self.made = {}

    def once(self, name: str, make):
        if name not in self.made:
            self.made[name] = make()
        return self.made[name]

    def matmul(self, key: str, parts: tuple[str, ...] = ()):
        """(kind, weight, scales, N, K) of the matrix `key` ([out, in] as nn.Linear stores it), or of `parts` stacked
        along the outputs under the name `key` (one kernel for q/k/v or gate/up; blocks run along the inputs, so each
        part quantizes exactly as it would alone)."""
        def make():
            w = np.concatenate([self.state[p] for p in parts]) if parts else self.state[key]
            w = w.astype(np.float32)
            n, k = w.shape
            base = hf_name(key)
            if not self.bits:
                return ("float", self.g.const(base + "_t", np.ascontiguousarray(w.T)), None, n, k)
            b, scales, deq = quantize_blocks(w, self.bits, self.block)
            ends = np.cumsum([self.state[p].shape[0] for p in parts])[:-1]
            self.dequantized.update(zip(parts, np.split(deq, ends)) if parts else [(key, deq)])
            q = self.g.const(f"{base}_Q{self.bits}", b.reshape(n, k // self.block, -1))
            return ("nbits", q, self.g.const(base + "_scales", scales.reshape(-1)), n, k)
        return self.once(key, make)

    def norm_weight(self, key: str) -> str:
        return self.once(key, lambda: self.g.const(hf_name(key), self.state[key].astype(np.float32)))

    def rotary(self, half: bool):
        """cos_cache / sin_cache: [positions, head_dim / 2], the Hugging Face (non-interleaved) convention."""
        def make():
            cfg = self.cfg
            inv = 1.0 / (cfg.rope_theta ** (np.arange(0, cfg.head_dim, 2, dtype=np.float64) / cfg.head_dim))
            ang = np.arange(cfg.max_positions, dtype=np.float64)[:, None] * inv[None, :]
            dt = np.float16 if half else np.float32
            return self.g.const("cos_cache", np.cos(ang).astype(dt)), self.g.const("sin_cache", np.sin(ang).astype(dt))
        return self.once("rotary", make)


def linear(g: Graph, W: Weights, x: str, key: str, parts: tuple[str, ...] = ()) -> str:
    kind, b, scales, n, k = W.matmul(key, parts)
    if kind == "float":
        return g.op("MatMul", [x, b])
    return g.op("MatMulNBits", [x, b, scales], domain=MS, K=k, N=n, bits=W.bits, block_size=W.block, accuracy_level=W.accuracy)


def norm(g: Graph, W: Weights, x: str, key: str, node: str | None = None) -> str:
    return g.op("SimplifiedLayerNormalization", [x, W.norm_weight(key)], node=node, axis=-1, epsilon=W.cfg.norm_eps, stash_type=1)


def embed(g: Graph, W: Weights, ids: str) -> str:
    """Token embeddings; with 8-bit weights the tied head's quantized rows are gathered and scaled (stored once)."""
    _, b, scales, n, k = W.matmul("embed.weight")  # tied: the table holds the head's weights as the head computes with them
    if W.bits != 8:
        return g.op("Gather", [W.once("embed_table", lambda: W.g.const("model.embed_tokens.weight", W.dequantized["embed.weight"])), ids])
    c = lambda name, arr: W.once(name, lambda: W.g.const(name, arr))  # noqa: E731
    rows = g.op("Cast", [g.op("Gather", [b, ids])], to=TensorProto.FLOAT)  # [B, S, blocks, block]
    centred = g.op("Sub", [rows, c("embed_zero", np.array(128, np.float32))])
    s = g.op("Gather", [g.op("Reshape", [scales, c("embed_scale_shape", np.array([n, k // W.block, 1], np.int64))]), ids])
    return g.op("Reshape", [g.op("Mul", [centred, s]), c("embed_shape", np.array([0, 0, k], np.int64))])


def lengths(g: Graph):
    """GroupQueryAttention's seqlens_k (live length - 1) and total length from attention_mask, and the new-row count."""
    one = g.const(g.name("one"), np.array(1, np.int64))
    summed = g.op("ReduceSum", ["attention_mask", g.const(g.name("axis1"), np.array([1], np.int64))], keepdims=0)
    seqlens = g.op("Cast", [g.op("Sub", [summed, one])], to=TensorProto.INT32)
    total64 = g.op("Gather", [g.op("Shape", ["attention_mask"]), one])
    new64 = g.op("Gather", [g.op("Shape", ["input_ids"]), one])
    return seqlens, g.op("Cast", [total64], to=TensorProto.INT32), total64, new64


def new_rows(g: Graph, t: str, total64: str, new64: str) -> str:
    """Rows [total - new, total) of a present tensor along the sequence axis."""
    unsq = lambda v: g.op("Unsqueeze", [v, g.const(g.name("axis0"), np.array([0], np.int64))])  # noqa: E731
    return g.op("Slice", [t, unsq(g.op("Sub", [total64, new64])), unsq(total64), g.const(g.name("axis2"), np.array([2], np.int64))])


def block_nodes(g: Graph, W: Weights, i: int, x: str, lens, half: bool, kv: str, use_past: bool):
    """One decoder block; returns the residual stream after it and the present key/value outputs."""
    cfg, p = W.cfg, f"blocks.{i}."
    seqlens, total, total64, new64 = lens
    h = norm(g, W, x, p + "norm1.weight", node=f"/model/layers.{i}/input_layernorm")
    if W.packed:  # one kernel for q, k and v; GroupQueryAttention takes them packed in its query input
        qkv = [linear(g, W, h, p + "attn.qkv.weight", tuple(p + f"attn.{m}.weight" for m in "qkv")), "", ""]
    else:
        qkv = [linear(g, W, h, p + f"attn.{m}.weight") for m in "qkv"]
    if half:
        qkv = [t and g.op("Cast", [t], to=TensorProto.FLOAT16) for t in qkv]
    past = [f"past_key_values.{i}.key", f"past_key_values.{i}.value"] if use_past else ["", ""]
    cos, sin = W.rotary(half)
    attn, pk, pv = g.op("GroupQueryAttention", [*qkv, *past, seqlens, total, cos, sin], outputs=3, domain=MS,
                        node=f"/model/layers.{i}/self_attn",
                        num_heads=cfg.n_head, kv_num_heads=cfg.n_kv_head, do_rotary=1, rotary_interleaved=0,
                        scale=float(1.0 / np.sqrt(cfg.head_dim)))
    if half:
        attn = g.op("Cast", [attn], to=TensorProto.FLOAT)
    rows = [new_rows(g, pk, total64, new64), new_rows(g, pv, total64, new64)] if kv == "rows" else []
    o = linear(g, W, attn, p + "attn.o.weight")
    h2, _, _, x2 = g.op("SkipSimplifiedLayerNormalization", [o, x, W.norm_weight(p + "norm2.weight")], outputs=4, domain=MS,
                        epsilon=cfg.norm_eps)
    if W.packed:
        both = linear(g, W, h2, p + "mlp.gate_up.weight", (p + "mlp.gate.weight", p + "mlp.up.weight"))
        ff = W.state[p + "mlp.up.weight"].shape[0]
        gate, up = g.op("Split", [both, W.once("split_ff", lambda: W.g.const("split_ff", np.array([ff, ff], np.int64)))], outputs=2, axis=-1)
    else:
        gate, up = linear(g, W, h2, p + "mlp.gate.weight"), linear(g, W, h2, p + "mlp.up.weight")
    act = g.op("Mul", [g.op("QuickGelu", [gate], domain=MS, alpha=1.0), up])  # alpha 1: x * sigmoid(x), SiLU
    return g.op("Add", [x2, linear(g, W, act, p + "mlp.down.weight")]), [pk, pv], rows


def decoder(g: Graph, W: Weights, half: bool, kv: str, use_past: bool):
    """Every node from input_ids to logits; returns the output names (logits, present.0.key, ...)."""
    lens = lengths(g)
    x = embed(g, W, "input_ids")
    presents, rows = [], []
    for i in range(W.cfg.n_layer):
        x, full, new = block_nodes(g, W, i, x, lens, half, kv, use_past)
        presents += full
        rows += new
    x = norm(g, W, x, "norm.weight", node="/model/norm")
    # Only the last num_logits_to_keep rows reach the head (0 keeps all): a prompt's head costs one row.
    unsq = lambda v: g.op("Unsqueeze", [v, g.const(g.name("axis0"), np.array([0], np.int64))])  # noqa: E731
    big = g.const(g.name("end"), np.array([2 ** 62], np.int64))
    x = g.op("Slice", [x, unsq(g.op("Neg", ["num_logits_to_keep"])), big, g.const(g.name("axis1"), np.array([1], np.int64))])
    logits = linear(g, W, x, "embed.weight")
    if half:
        logits = g.op("Cast", [logits], to=TensorProto.FLOAT16)
    return [logits, *presents, *rows]


def io(cfg, half: bool, kv: str):
    kvt = TensorProto.FLOAT16 if half else TensorProto.FLOAT
    inputs = [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch_size", "sequence_length"]),
              helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch_size", "total_sequence_length"]),
              helper.make_tensor_value_info("num_logits_to_keep", TensorProto.INT64, [])]
    outputs = [helper.make_tensor_value_info("logits", kvt, ["batch_size", "sequence_length", cfg.vocab_size])]
    for i in range(cfg.n_layer):
        for n in ("key", "value"):
            inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{n}", kvt, ["batch_size", cfg.n_kv_head, "past_sequence_length", cfg.head_dim]))
            outputs.append(helper.make_tensor_value_info(f"present.{i}.{n}", kvt, ["batch_size", cfg.n_kv_head, "total_sequence_length", cfg.head_dim]))
    if kv == "rows":
        for i in range(cfg.n_layer):
            for n in ("key", "value"):
                outputs.append(helper.make_tensor_value_info(f"present_rows.{i}.{n}", kvt, ["batch_size", cfg.n_kv_head, "sequence_length", cfg.head_dim]))
    return inputs, outputs


def build(state: dict, cfg, *, bits: int | None = 8, block: int = 32, accuracy: int = 4, half: bool = False, kv: str = "concat",
          merged: bool = False, packed: bool = False):
    """(ModelProto, dequantized state dict). state: the Transformer's state dict as numpy arrays (llama arch).
    packed: q/k/v as one matrix, gate/up as one (fewer, larger kernels per block)."""
    top = Graph()
    W = Weights(top, state, cfg, bits, block, accuracy, packed)
    inputs, outputs = io(cfg, half, kv)
    if not merged:
        names = decoder(top, W, half, kv, use_past=True)
        # The nodes write the graph's outputs under their own names: an Identity per output would copy every
        # present tensor, the whole cache, on every step.
        rename = {n: o.name for n, o in zip(names, outputs)}
        for node in top.nodes:
            node.input[:] = [rename.get(x, x) for x in node.input]
            node.output[:] = [rename.get(x, x) for x in node.output]
    else:
        branches = []
        for use_past in (True, False):
            g = Graph(prefix="with_past/" if use_past else "no_past/")
            names = decoder(g, W, half, kv, use_past)
            outs = [helper.make_tensor_value_info(n, o.type.tensor_type.elem_type, None) for n, o in zip(names, outputs)]
            branches.append(helper.make_graph(g.nodes, g.prefix.strip("/"), [], outs, initializer=g.inits))
        inputs.append(helper.make_tensor_value_info("use_cache_branch", TensorProto.BOOL, [1]))
        cond = top.op("Squeeze", ["use_cache_branch"])
        top.nodes.append(helper.make_node("If", [cond], [o.name for o in outputs], then_branch=branches[0], else_branch=branches[1]))
    graph = helper.make_graph(top.nodes, "decoder", inputs, outputs, initializer=top.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)], producer_name="tokenscope-fused")
    model.ir_version = 8
    return model, W.dequantized
