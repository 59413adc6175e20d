"""Int8 weight quantization of an exported decoder, with plain `onnx` (no onnxruntime Python tools).

Every MatMul with a constant weight becomes com.microsoft.DynamicQuantizeMatMul: int8 weights with
one scale per output column; activations are quantized on the fly by onnxruntime. The token embedding
is tied to the output layer, so it is not stored again: its Gather reads the output layer's int8
[d_model, vocab] matrix along axis 1 and scales each row, which keeps one int8 copy of the largest
tensor in the model. Runs in onnxruntime-node and in transformers.js (dtype "q8").
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


def _per_column_int8(w: np.ndarray):
    scale = np.abs(w).max(axis=0) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def quantize_model(model: onnx.ModelProto, min_elements: int = 1024) -> onnx.ModelProto:
    graph = model.graph
    inits = {t.name: t for t in graph.initializer}
    arrays = {}
    new_nodes = []
    new_inits = []
    quantized = {}  # original weight name -> (q name, scale name, float weight)

    for node in graph.node:
        w_name = node.input[1] if node.op_type == "MatMul" and len(node.input) == 2 else None
        if w_name in inits and len(inits[w_name].dims) == 2 and inits[w_name].data_type == TensorProto.FLOAT \
                and np.prod(inits[w_name].dims) >= min_elements:
            if w_name not in quantized:
                w = numpy_helper.to_array(inits[w_name])
                q, scale = _per_column_int8(w)
                qn, sn, zn = f"{w_name}_int8", f"{w_name}_scale", f"{w_name}_zero"
                new_inits += [numpy_helper.from_array(q, qn), numpy_helper.from_array(scale, sn),
                              numpy_helper.from_array(np.zeros_like(scale, dtype=np.int8), zn)]
                quantized[w_name] = (qn, sn, zn, w)
            qn, sn, zn, _ = quantized[w_name]
            new_nodes.append(helper.make_node("DynamicQuantizeMatMul", [node.input[0], qn, sn, zn], list(node.output),
                                              name=f"{node.name}_q", domain="com.microsoft"))
        else:
            new_nodes.append(node)

    # The tied embedding: a Gather on a [vocab, d] table that is the transpose of a quantized weight.
    final_nodes = []
    for node in new_nodes:
        table = node.input[0] if node.op_type == "Gather" else None
        if table in inits and len(inits[table].dims) == 2 and inits[table].dims[0] >= 256:
            emb = arrays.setdefault(table, numpy_helper.to_array(inits[table]))
            tied = next((v for v in quantized.values() if v[3].shape == emb.T.shape and np.array_equal(v[3], emb.T)), None)
            ids, out = node.input[1], node.output[0]
            p = f"{node.name or table}_q8"
            if tied is not None:
                qn, sn = tied[0], tied[1]
                final_nodes += [
                    helper.make_node("Gather", [qn, ids], [f"{p}_cols"], axis=1),  # [d, b, s]
                    helper.make_node("Cast", [f"{p}_cols"], [f"{p}_f"], to=TensorProto.FLOAT),
                    helper.make_node("Transpose", [f"{p}_f"], [f"{p}_t"], perm=[1, 2, 0]),  # [b, s, d]
                ]
            else:
                q, scale = _per_column_int8(emb.T)
                qn, sn = f"{table}_int8_rows", f"{table}_row_scale"
                new_inits += [numpy_helper.from_array(np.ascontiguousarray(q.T), qn), numpy_helper.from_array(scale, sn)]
                final_nodes += [
                    helper.make_node("Gather", [qn, ids], [f"{p}_rows"], axis=0),
                    helper.make_node("Cast", [f"{p}_rows"], [f"{p}_t"], to=TensorProto.FLOAT),
                ]
            axes = f"{p}_axes"
            new_inits.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), axes))
            final_nodes += [
                helper.make_node("Gather", [sn, ids], [f"{p}_s"], axis=0),
                helper.make_node("Unsqueeze", [f"{p}_s", axes], [f"{p}_s1"]),
                helper.make_node("Mul", [f"{p}_t", f"{p}_s1"], [out]),
            ]
        else:
            final_nodes.append(node)

    del graph.node[:]
    graph.node.extend(final_nodes)
    graph.initializer.extend(new_inits)
    used = {i for n in graph.node for i in n.input}
    keep = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(keep)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model


def quantize_file(src: Path, dst: Path) -> None:
    model = onnx.load(str(src))
    onnx.save(quantize_model(model), str(dst))


if __name__ == "__main__":
    quantize_file(Path(sys.argv[1]), Path(sys.argv[2]))
