"""Training batches from token files, with the fill-in-the-middle transformation.

The corpus is a stream of uint16 p50k_edit tokens, files separated by <|endoftext|>. A batch row is a
random window of the stream. With probability `fim_rate` the window is cut at two random points into
prefix, middle and suffix and rearranged (Bavarian et al. 2022, as StarCoder trains):
    PSM  <|fim_prefix|> prefix <|fim_suffix|> suffix <|fim_middle|> middle <|endoftext|>
    SPM  <|fim_prefix|> <|fim_suffix|> suffix <|fim_middle|> prefix middle <|endoftext|>
The closing <|endoftext|> teaches the model to stop once the middle meets the suffix, which is what an
inline completion needs. The rest stay left-to-right, so plain continuation keeps working.

FIM samples are made per chunk before packing (`fim_packed_row`): a chunk of random length from one document
becomes a sample, samples are packed one after another, and plain text fills what is left of the row. So the
closing <|endoftext|> falls where the middle ends, anywhere in the context. (Until 2026-12 every FIM row was a
whole window, so the end token was always the last target: the model learned "stop when the context is full",
not "stop where the suffix begins", and the shipped model never filled in.)

Random cut points alone did not teach a 55 M model to join the middle to the suffix (see the model card), so
with `line_rate` the middle is what an inline completion fills instead: from a random point to the end of
its line (sometimes a few lines more), and the suffix starts with the newline. `newline` marks the token ids
that start with a newline (newline-tokens.json, written by build-corpus.mjs).
"""
from __future__ import annotations

import json

from pathlib import Path
from typing import List

import numpy as np

EOT, FIM_PREFIX, FIM_MIDDLE, FIM_SUFFIX = 50256, 50281, 50282, 50283


def load_tokens(paths: List[Path]) -> np.ndarray:
    arrays = [np.fromfile(p, dtype=np.uint16) for p in paths if p.stat().st_size > 0]
    if not arrays:
        raise FileNotFoundError(f"no tokens in {[str(p) for p in paths]}")
    return np.concatenate(arrays)


def load_newline_table(path: Path, vocab_size: int = 50284) -> np.ndarray:
    table = np.zeros(vocab_size, dtype=bool)
    table[json.loads(path.read_text())] = True
    return table


def line_cuts(seg: np.ndarray, rng: np.random.Generator, newline: np.ndarray):
    """(i, j) with the middle running from a random token to the end of its line, or None."""
    nl = np.flatnonzero(newline[seg])
    if len(nl) == 0 or nl[-1] == 0:
        return None
    i = int(rng.integers(0, nl[-1]))
    after = nl[nl > i]
    extra = int(rng.integers(1, 4)) if rng.random() < 0.25 else 0
    return i, int(after[min(extra, len(after) - 1)])


def fim_row(window: np.ndarray, rng: np.random.Generator, spm_rate: float, newline: np.ndarray | None = None,
            line_rate: float = 0.0) -> np.ndarray:
    """Rearranges a window of n tokens into a FIM sample of n tokens (4 sentinels replace 4 tokens)."""
    seg = window[: len(window) - 4]
    cuts = line_cuts(seg, rng, newline) if newline is not None and rng.random() < line_rate else None
    i, j = cuts if cuts else sorted(rng.integers(0, len(seg) + 1, size=2))
    pre, mid, suf = seg[:i], seg[i:j], seg[j:]
    if rng.random() < spm_rate:
        parts = [[FIM_PREFIX, FIM_SUFFIX], suf, [FIM_MIDDLE], pre, mid, [EOT]]
    else:
        parts = [[FIM_PREFIX], pre, [FIM_SUFFIX], suf, [FIM_MIDDLE], mid, [EOT]]
    return np.concatenate([np.asarray(p, dtype=window.dtype) for p in parts])


def doc_chunk(data: np.ndarray, length: int, min_chunk: int, rng: np.random.Generator, tries: int = 4):
    """`length` tokens of one document plus 4 spare ones (fim_row drops them), cut short at the document's end;
    None when a few random starts all met a boundary within `min_chunk` tokens."""
    for _ in range(tries):
        start = int(rng.integers(0, len(data) - length - 4))
        chunk = data[start: start + length + 4]
        ends = np.flatnonzero(chunk[:-4] == EOT)
        if not len(ends):
            return chunk
        if ends[0] >= min_chunk:
            return chunk[: int(ends[0]) + 4]
    return None


def fim_packed_row(data: np.ndarray, n: int, rng: np.random.Generator, spm_rate: float, newline: np.ndarray | None = None,
                   line_rate: float = 0.0, min_chunk: int = 24) -> np.ndarray:
    """A row of n tokens: FIM samples of random length, each from one document and closed by its end token,
    then left-to-right text up to the row's end. A chunk stops at a document boundary, so a sample never
    mixes two files."""
    parts, used = [], 0
    while n - used >= min_chunk + 4:
        chunk = doc_chunk(data, int(rng.integers(min_chunk, n - used - 4, endpoint=True)), min_chunk, rng)
        if chunk is None:
            break  # no chunk found: the filler below takes the rest of the row
        parts.append(fim_row(chunk, rng, spm_rate, newline, line_rate))
        used += len(chunk)
        if rng.random() < 0.5:
            break  # half the rows end their FIM samples early, leaving longer plain text after them
    start = int(rng.integers(0, len(data) - (n - used)))
    parts.append(data[start: start + n - used])
    return np.concatenate(parts).astype(data.dtype)


def get_batch(data: np.ndarray, batch: int, ctx: int, rng: np.random.Generator, fim_rate: float = 0.5, spm_rate: float = 0.5,
              newline: np.ndarray | None = None, line_rate: float = 0.0):
    """(inputs, targets) as int64 arrays of shape [batch, ctx]."""
    starts = rng.integers(0, len(data) - ctx - 1, size=batch)
    rows = np.stack([data[s: s + ctx + 1] for s in starts])
    for r in range(batch):
        if rng.random() < fim_rate:
            rows[r] = fim_packed_row(data, ctx + 1, rng, spm_rate, newline, line_rate)
    rows = rows.astype(np.int64)
    return np.ascontiguousarray(rows[:, :-1]), np.ascontiguousarray(rows[:, 1:])
