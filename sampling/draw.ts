// The draw: one uniform number per (seed, step), and the one rule that turns it into a token. The kept tokens
// are walked from most to least likely and the draw lands on the first whose cumulative end passes it, so a
// small draw picks a likely token. The worker's sampler (drawIndex over its sorted weights), the webview's
// cumulative chart and the inspector host's fresh draws (cumulative + tokenAtDraw) all use this file.

/** Counter-based uniform draw in [0, 1): the same (seed, step) always gives the same number, so a branch or
 * a resample of step s sees the draw the original run saw, with no generator state to carry around. */
export function uniformDraw(seed: number, step: number): number {
  const s = (seed >>> 0) ^ Math.floor(seed / 4294967296);
  const a = mix32(s ^ mix32(step * 2 + 1));
  const b = mix32(a ^ 0x9e3779b9 ^ s);
  return (a * 2097152 + (b >>> 11)) / 9007199254740992;
}

function mix32(x: number): number {
  x |= 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * The draw rule over unnormalised weights, most likely first: the first index in [0, end) whose running sum
 * (from `cum`) exceeds `target` (draw × the kept mass), or -1 when the draw lands past them all; `cum` is the
 * running sum after the walk, so a caller can carry on into tokens it keeps elsewhere.
 */
export function drawIndex(weights: ArrayLike<number>, end: number, target: number, cum = 0): { index: number; cum: number } {
  for (let r = 0; r < end; r++) {
    cum += weights[r];
    if (cum > target) return { index: r, cum };
  }
  return { index: -1, cum };
}

export interface CdfSegment {
  id: number;
  text: string;
  start: number;
  end: number;
}

/** Cumulative distribution of the kept tokens (finalProb > 0), most likely first, renormalised to end at 1. */
export function cumulative(alts: readonly { id: number; text: string; finalProb: number }[]): CdfSegment[] {
  const kept = alts.filter((a) => a.finalProb > 0).sort((a, b) => b.finalProb - a.finalProb);
  const total = kept.reduce((t, a) => t + a.finalProb, 0) || 1;
  let at = 0;
  return kept.map((a) => {
    const seg = { id: a.id, text: a.text, start: at, end: at + a.finalProb / total };
    at = seg.end;
    return seg;
  });
}

/** Which token a uniform draw in [0, 1) lands on in the cumulative distribution (the last one past its end). */
export function tokenAtDraw(cdf: readonly CdfSegment[], draw: number): CdfSegment | undefined {
  return cdf.find((s) => draw < s.end) ?? cdf[cdf.length - 1];
}
