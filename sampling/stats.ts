// Whole-vocabulary statistics of a logit vector: softmax max/sum/entropy, the top ids, a token's rank.
// Total over every input: ±Infinity logits are the limit of huge ones (the tokens at the top share the mass
// equally), and a NaN logit makes every statistic NaN so the caller can refuse it.
import { simdSoftmaxStats } from './softmax-simd';

/** Logits as the model gives them (float32), or float64 (the webview's logs of reported probabilities). */
export type Logits = Float32Array | Float64Array;

export interface SoftmaxStats {
  max: number;
  argmax: number;
  /** Sum of exp(l - max), where a logit equal to max weighs 1 (also when max is infinite). */
  sum: number;
  /** Entropy (nats). */
  entropy: number;
}

/** exp(l - max), with the top itself weighing 1 even where l - max is Infinity - Infinity. */
export function weightOf(l: number, max: number): number {
  return l === max ? 1 : Math.exp(l - max);
}

/** Softmax statistics of one logit vector: max (and its id), partition sum (relative to max), entropy.
 * In the JavaScript loop, logits more than 30 below the max are skipped: each weighs under 1e-13, so even a 150k vocabulary moves
 * the sum by under 2e-8 relative, and a trained model's long tail costs no exp() calls. */
export function softmaxStats(logits: ArrayLike<number>): SoftmaxStats {
  // Vocabulary-sized float32 logits (every decode step) take the SIMD path (which declines NaN and infinite maxima).
  if (logits instanceof Float32Array && logits.length >= 1024) {
    const fast = simdSoftmaxStats(logits);
    if (fast) return fast;
  }
  let max = -Infinity;
  let argmax = 0;
  for (let i = 0; i < logits.length; i++) {
    const l = logits[i];
    if (l > max) {
      max = l;
      argmax = i;
    } else if (Number.isNaN(l)) return { max: Number.NaN, argmax: i, sum: Number.NaN, entropy: Number.NaN };
  }
  if (!Number.isFinite(max)) return tiedTop(logits, max, argmax);
  let sum = 0;
  let weighted = 0;
  const floor = max - 30;
  for (let i = 0; i < logits.length; i++) {
    const l = logits[i];
    if (l < floor) continue;
    const d = l - max;
    const e = Math.exp(d);
    sum += e;
    weighted += d * e;
  }
  return { max, argmax, sum, entropy: Math.log(sum) - weighted / sum };
}

/** An infinite maximum (or every logit -Infinity): the limit is uniform over the logits equal to it. */
function tiedTop(logits: ArrayLike<number>, max: number, argmax: number): SoftmaxStats {
  let count = 0;
  for (let i = 0; i < logits.length; i++) if (logits[i] === max) count++;
  return { max, argmax, sum: count, entropy: Math.log(count) };
}

/** Ids of the n largest values, largest first (ties: lower id first). O(V·n) worst case, O(V) typical. */
export function topIndices(values: ArrayLike<number>, n: number): number[] {
  const ids: number[] = [];
  if (n <= 0) return ids;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (ids.length === n && !(v > values[ids[n - 1]])) continue;
    let j = ids.length < n ? ids.length : n - 1;
    while (j > 0 && v > values[ids[j - 1]]) {
      ids[j] = ids[j - 1];
      j--;
    }
    ids[j] = i;
  }
  return ids;
}

/**
 * 1 + the number of ids whose logit is strictly above `id`'s: the GLTR rank, without sorting the vocabulary.
 * `argmax` (when known) skips the vocabulary pass for the top token, the usual pick on the greedy path.
 */
export function rankOfToken(logits: ArrayLike<number>, id: number, argmax?: number): number {
  if (id === argmax) return 1;
  const x = logits[id];
  let above = 0;
  for (let i = 0; i < logits.length; i++) if (logits[i] > x) above++;
  return above + 1;
}
