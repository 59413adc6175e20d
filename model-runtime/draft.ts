// Draft tokens for speculative decoding by prompt lookup: when the last few tokens already occurred in the
// context, the tokens that followed them then are a good guess for what follows now (code repeats names,
// calls and lines). The engine feeds the guesses with the real token in one model run and keeps only those
// the sampler would have picked anyway, so the output is the same; only the number of runs drops.

/** Shortest repeated tail that earns a draft (one token matches too often by chance). */
export const MIN_MATCH = 2;
/** Longest tail tried first: a longer match predicts better. */
export const MAX_MATCH = 4;
/** How far back the lookup searches. */
const WINDOW = 4096;

/**
 * Up to `k` tokens that followed the most recent earlier occurrence of the context's last n tokens
 * (n from MAX_MATCH down to MIN_MATCH); empty when the tail occurs nowhere earlier.
 */
export function lookupDraft(context: readonly number[], k: number): number[] {
  const len = context.length;
  if (k <= 0) return [];
  const from = Math.max(0, len - WINDOW);
  for (let n = Math.min(MAX_MATCH, len - 1); n >= MIN_MATCH; n--) {
    const tail = len - n;
    // Most recent first (it may overlap the tail: a repeating run predicts more of itself).
    for (let s = tail - 1; s >= from; s--) {
      let j = 0;
      while (j < n && context[s + j] === context[tail + j]) j++;
      if (j === n) return context.slice(s + n, Math.min(s + n + k, len)) as number[];
    }
  }
  return [];
}
