// The memory-bandwidth limit of a decode step: every weight is read once per token, so a model of B bytes
// cannot decode faster than (copy bandwidth / B) tokens per second on one core set. The bandwidth is measured on
// the spot (the best of a few copies of a buffer far larger than the caches), not taken from a data sheet.
const BYTES = 256 * 2 ** 20;

/**
 * Bytes per second of a large memory copy, the best of `reps`: bytes copied per second, as the issue that asked
 * for this figure defines it (a copy also writes what it reads, so a pure read stream may go up to twice this).
 */
export function copyBandwidth(reps = 5): number {
  const src = Buffer.alloc(BYTES, 1);
  const dst = Buffer.alloc(BYTES);
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    src.copy(dst);
    best = Math.min(best, performance.now() - t0);
  }
  return BYTES / (best / 1000);
}

/** Tokens per second a decode step reading `weightBytes` could reach at `bandwidth` bytes/s. */
export function bandwidthLimit(weightBytes: number, bandwidth: number): number {
  return bandwidth / weightBytes;
}
