"""A minimal GGUF (version 3) writer: metadata key/values, then tensors in F32, F16 or Q8_0.

Written from the format's specification (ggml/docs/gguf.md) because the `gguf` Python package is not on
these machines. Layout: header, metadata, tensor infos, padding to `general.alignment`, tensor data (each
tensor aligned). Dimensions are listed fastest-varying first, so a torch weight [out, in] is stored as
[in, out] with its bytes unchanged.
"""
from __future__ import annotations

import struct

import numpy as np

ALIGNMENT = 32
QK8_0 = 32

# Metadata value types.
UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64 = range(13)
# Tensor types.
F32, F16, Q8_0 = 0, 1, 8


def _string(s: str) -> bytes:
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


_SCALARS = {UINT8: "<B", INT8: "<b", UINT16: "<H", INT16: "<h", UINT32: "<I", INT32: "<i", FLOAT32: "<f",
            BOOL: "<?", UINT64: "<Q", INT64: "<q", FLOAT64: "<d"}


def _value(vtype: int, value) -> bytes:
    if vtype == STRING:
        return _string(value)
    return struct.pack(_SCALARS[vtype], value)


def quantize_q8_0(w: np.ndarray) -> bytes:
    """Blocks of 32 along the last axis: an fp16 scale (max |x| / 127) and 32 int8 values."""
    rows = w.astype(np.float32).reshape(-1, QK8_0)
    d = np.abs(rows).max(axis=1, keepdims=True) / 127.0
    inv = np.where(d > 0, 1.0 / np.where(d > 0, d, 1), 0.0)
    q = np.round(rows * inv).clip(-127, 127).astype(np.int8)
    out = np.empty(len(rows), dtype=[("d", "<f2"), ("q", "i1", (QK8_0,))])
    out["d"] = d[:, 0].astype(np.float16)
    out["q"] = q
    return out.tobytes()


class GgufWriter:
    def __init__(self):
        self.kv: list[bytes] = []
        self.tensors: list[tuple[str, tuple[int, ...], int, bytes]] = []

    def add(self, key: str, vtype: int, value) -> None:
        self.kv.append(_string(key) + struct.pack("<I", vtype) + _value(vtype, value))

    def add_array(self, key: str, vtype: int, values) -> None:
        body = b"".join(_value(vtype, v) for v in values)
        self.kv.append(_string(key) + struct.pack("<IIQ", ARRAY, vtype, len(values)) + body)

    def add_tensor(self, name: str, w: np.ndarray, ttype: int) -> None:
        """`w` in torch's shape (slowest axis first); Q8_0 needs the last axis to be a multiple of 32."""
        if ttype == Q8_0 and w.shape[-1] % QK8_0:
            ttype = F16 if w.ndim > 1 else F32
        data = {F32: lambda: w.astype("<f4").tobytes(), F16: lambda: w.astype("<f2").tobytes(),
                Q8_0: lambda: quantize_q8_0(w)}[ttype]()
        self.tensors.append((name, tuple(reversed(w.shape)), ttype, data))

    def write(self, path: str) -> None:
        infos, offset = [], 0
        for name, dims, ttype, data in self.tensors:
            infos.append(_string(name) + struct.pack("<I", len(dims)) + struct.pack(f"<{len(dims)}Q", *dims)
                         + struct.pack("<IQ", ttype, offset))
            offset += _pad(len(data))
        with open(path, "wb") as f:
            f.write(b"GGUF" + struct.pack("<IQQ", 3, len(self.tensors), len(self.kv)))
            for part in self.kv + infos:
                f.write(part)
            f.write(b"\0" * (_pad(f.tell()) - f.tell()))
            for _, _, _, data in self.tensors:
                f.write(data + b"\0" * (_pad(len(data)) - len(data)))


def _pad(n: int) -> int:
    return (n + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT
