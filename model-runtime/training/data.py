"""Training batches from token files, with the fill-in-the-middle transformation.

The corpus is a stream of uint16 p50k_edit tokens, files separated by <|endoftext|>. A batch row is a
random window of the stream. With probability `fim_rate` the window is cut at two random points into
prefix, middle and suffix and rearranged (Bavarian et al. 2022, as StarCoder trains):
    PSM  <|fim_prefix|> prefix <|fim_suffix|> suffix <|fim_middle|> middle <|endoftext|>
    SPM  <|fim_prefix|> <|fim_suffix|> suffix <|fim_middle|> prefix middle <|endoftext|>
The closing <|endoftext|> teaches the model to stop once the middle meets the suffix, which is what an
inline completion needs. The rest stay left-to-right, so plain continuation keeps working.
"""
from __future__ import annotations

from pathlib import Path
from typing import List

import numpy as np

EOT, FIM_PREFIX, FIM_MIDDLE, FIM_SUFFIX = 50256, 50281, 50282, 50283


def load_tokens(paths: List[Path]) -> np.ndarray:
    arrays = [np.fromfile(p, dtype=np.uint16) for p in paths if p.stat().st_size > 0]
    if not arrays:
        raise FileNotFoundError(f"no tokens in {[str(p) for p in paths]}")
    return np.concatenate(arrays)


def fim_row(window: np.ndarray, rng: np.random.Generator, spm_rate: float) -> np.ndarray:
    """Rearranges a window of n tokens into a FIM sample of n tokens (4 sentinels replace 4 tokens)."""
    seg = window[: len(window) - 4]
    i, j = sorted(rng.integers(0, len(seg) + 1, size=2))
    pre, mid, suf = seg[:i], seg[i:j], seg[j:]
    if rng.random() < spm_rate:
        parts = [[FIM_PREFIX, FIM_SUFFIX], suf, [FIM_MIDDLE], pre, mid, [EOT]]
    else:
        parts = [[FIM_PREFIX], pre, [FIM_SUFFIX], suf, [FIM_MIDDLE], mid, [EOT]]
    return np.concatenate([np.asarray(p, dtype=window.dtype) for p in parts])


def get_batch(data: np.ndarray, batch: int, ctx: int, rng: np.random.Generator, fim_rate: float = 0.5, spm_rate: float = 0.5):
    """(inputs, targets) as int64 arrays of shape [batch, ctx]."""
    starts = rng.integers(0, len(data) - ctx - 1, size=batch)
    rows = np.stack([data[s: s + ctx + 1] for s in starts])
    for r in range(batch):
        if rng.random() < fim_rate:
            rows[r] = fim_row(rows[r], rng, spm_rate)
    rows = rows.astype(np.int64)
    return np.ascontiguousarray(rows[:, :-1]), np.ascontiguousarray(rows[:, 1:])
