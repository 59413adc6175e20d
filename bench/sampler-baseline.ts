// PRE-REFACTOR REFERENCE, kept only for bench/sampler.ts's speed comparison: sampling/sampler.ts as it was
// before the processors split (commit 8bb65ab). Not used by the extension; do not fix or extend it.
// The sampler: logits in, (token, report) out. Pure and synchronous, so the inspector can re-apply other
// settings to a kept step's logits without a model run, and tests need no model.
//
// Pipeline (the order is part of what the inspector explains):
//   penalties (repetition, presence, frequency) -> temperature (0 = greedy) -> top-k -> top-p -> min-p -> draw.
// Each cutter works on what the previous ones kept; a removed token reports the first cutter that removed it.
// The draw walks the kept tokens from most to least likely, so a small draw picks a likely token.
import type { Cutter, SamplingSettings } from '../model-runtime/protocol';
import { simdSoftmaxStats } from '../sampling/softmax-simd';

export type SamplerSettings = Pick<
  SamplingSettings,
  'temperature' | 'topK' | 'topP' | 'minP' | 'repetitionPenalty' | 'presencePenalty' | 'frequencyPenalty'
>;

export interface AlternativeReport {
  id: number;
  rawProb: number;
  finalProb: number;
  removedBy?: Cutter;
}

export interface SampleReport {
  id: number;
  /** Softmax of the unprocessed logits. */
  rawProb: number;
  /** Probability after every processor (what the draw used). */
  finalProb: number;
  /** Entropy (nats) of the raw distribution. */
  entropy: number;
  /** The uniform draw in [0, 1) that picked the token (0 for greedy). */
  draw: number;
  /** Top-N by raw probability; the chosen token is always included. */
  alternatives: AlternativeReport[];
  /** How many tokens survived every cutter. */
  keptCount: number;
  /** 1 + how many tokens the unprocessed logits rank strictly above the chosen one (exact, past topN too). */
  rank: number;
}

/**
 * 1 + the number of ids whose logit is strictly above `id`'s: the GLTR rank, without sorting the vocabulary.
 * `argmax` (when known) skips the vocabulary pass for the top token, the usual pick on the greedy path.
 */
export function rankOfToken(logits: Float32Array, id: number, argmax?: number): number {
  if (id === argmax) return 1;
  const x = logits[id];
  let above = 0;
  for (let i = 0; i < logits.length; i++) if (logits[i] > x) above++;
  return above + 1;
}

export const DEFAULT_SAMPLER: SamplerSettings = {
  temperature: 0,
  topK: 0,
  topP: 1,
  minP: 0,
  repetitionPenalty: 1,
  presencePenalty: 0,
  frequencyPenalty: 0,
};

/** Softmax statistics of one logit vector: max (and its id), partition sum (relative to max), entropy.
 * In the JavaScript loop, logits more than 30 below the max are skipped: each weighs under 1e-13, so even a 150k vocabulary moves
 * the sum by under 2e-8 relative, and a trained model's long tail costs no exp() calls. */
export function softmaxStats(logits: ArrayLike<number>): { max: number; argmax: number; sum: number; entropy: number } {
  // Vocabulary-sized float32 logits (every decode step) take the SIMD path.
  if (logits instanceof Float32Array && logits.length >= 1024) {
    const fast = simdSoftmaxStats(logits);
    if (fast) return fast;
  }
  let max = -Infinity;
  let argmax = 0;
  for (let i = 0; i < logits.length; i++) {
    if (logits[i] > max) {
      max = logits[i];
      argmax = i;
    }
  }
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

/** Applies the penalties to a copy of the logits; returns the input itself when none is active. */
export function applyPenalties(logits: Float32Array, s: SamplerSettings, history: readonly number[]): Float32Array {
  const rep = s.repetitionPenalty ?? 1;
  const pres = s.presencePenalty ?? 0;
  const freq = s.frequencyPenalty ?? 0;
  if (history.length === 0 || (rep === 1 && pres === 0 && freq === 0)) return logits;
  const counts = new Map<number, number>();
  for (const id of history) counts.set(id, (counts.get(id) ?? 0) + 1);
  const out = new Float32Array(logits);
  for (const [id, n] of counts) {
    if (id < 0 || id >= out.length) continue;
    let z = out[id];
    // CTRL-style: dividing a positive logit or multiplying a negative one both make the token less likely.
    if (rep !== 1) z = z > 0 ? z / rep : z * rep;
    z -= pres + freq * n;
    out[id] = z;
  }
  return out;
}

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
 * Picks one token. `history`: the tokens the penalties count (the generated ones). `draw`: a uniform number
 * in [0, 1) (see uniformDraw); ignored when greedy. `topN`: how many alternatives to report.
 */
export function sample(
  logits: Float32Array,
  settings: SamplerSettings,
  history: readonly number[],
  draw: number,
  topN: number,
): SampleReport {
  const V = logits.length;
  const raw = softmaxStats(logits);
  const rawProb = (id: number) => Math.exp(logits[id] - raw.max) / raw.sum;
  const z = applyPenalties(logits, settings, history);
  const altIds = topIndices(logits, Math.min(topN, V));

  if (!(settings.temperature > 0)) {
    // Greedy: the top processed logit, ties to the lower id.
    let best = raw.argmax;
    if (z !== logits) {
      best = 0;
      for (let i = 1; i < V; i++) if (z[i] > z[best]) best = i;
    }
    const alternatives = withChosen(altIds, best).map((id) => ({
      id,
      rawProb: rawProb(id),
      finalProb: id === best ? 1 : 0,
      removedBy: id === best ? undefined : ('greedy' as const),
    }));
    return {
      id: best,
      rawProb: rawProb(best),
      finalProb: 1,
      entropy: raw.entropy,
      draw: 0,
      alternatives,
      keptCount: 1,
      rank: rankOfToken(logits, best, raw.argmax),
    };
  }

  const T = settings.temperature;
  // Scaled logits in float32 (the logits' own precision); their max and partition sum come from the
  // same SIMD pass as the raw statistics. Weights exp(s - max) are computed only where needed: for the
  // sorted head, and for the tail only when a draw walks into it.
  const s32 = scratch(V);
  for (let i = 0; i < V; i++) s32[i] = z[i] / T;
  const st = softmaxStats(s32);
  const smax = st.max;
  const total = st.sum;
  const weight = (id: number) => Math.exp(s32[id] - smax);

  const k = settings.topK > 0 && settings.topK < V ? Math.floor(settings.topK) : 0;
  const p = settings.topP > 0 && settings.topP < 1 ? settings.topP : 1;
  const minP = settings.minP > 0 && settings.minP <= 1 ? settings.minP : 0;
  const anyCutter = k > 0 || p < 1 || minP > 0;

  // Sort only the head of the distribution: every token with s >= max - d, widening d until the head is
  // provably enough for every active cutter. With no cutter every token is kept: the draw walks the head
  // first, then the tail in id order (any fixed order samples the same distribution).
  let d = 8;
  let sorted: Int32Array;
  let hw: Float64Array;
  let headMass: number;
  for (;;) {
    sorted = sortDescending(s32, smax - d);
    hw = new Float64Array(sorted.length);
    headMass = 0;
    for (let r = 0; r < sorted.length; r++) headMass += hw[r] = weight(sorted[r]);
    if (sorted.length === V) break;
    let ok = true;
    if (k > 0) ok = sorted.length >= k;
    else if (p < 1) ok = headMass / total >= p;
    if (ok && minP > 0 && k === 0 && p === 1) ok = d >= -Math.log(minP);
    if (ok) break;
    d = d > 1e4 ? Infinity : d * 2;
  }
  const cut = smax - d;
  const inHead = (id: number) => s32[id] >= cut;

  // Boundaries in the sorted order: ranks below kEnd survive top-k, below pEnd top-p, below mEnd min-p.
  const n = sorted.length;
  const kEnd = k > 0 ? Math.min(k, n) : n;
  let base = total;
  if (k > 0) {
    base = 0;
    for (let r = 0; r < kEnd; r++) base += hw[r];
  }
  let pEnd = kEnd;
  if (p < 1) {
    let cum = 0;
    for (let r = 0; r < kEnd; r++) {
      cum += hw[r] / base;
      if (cum >= p) {
        pEnd = r + 1;
        break;
      }
    }
  }
  let mEnd = pEnd;
  if (minP > 0) {
    // Relative to the top token: p_i >= minP * p_top  <=>  s_i - s_top >= ln(minP).
    // (1e-6: logits are float32; a token exactly at the threshold must not fall out by rounding.)
    const thr = Math.log(minP) - 1e-6;
    const top = s32[sorted[0]];
    mEnd = 1;
    while (mEnd < pEnd && s32[sorted[mEnd]] - top >= thr) mEnd++;
  }
  // With no cutter every token is kept: the sorted head first, then the tail in id order.
  const keepTail = !anyCutter && n < V;
  let keptMass = 0;
  for (let r = 0; r < mEnd; r++) keptMass += hw[r];
  if (keepTail) keptMass = Math.max(keptMass, total);

  const rankOf = (id: number): number => {
    if (!inHead(id)) return -1;
    for (let r = 0; r < n; r++) if (sorted[r] === id) return r;
    return -1;
  };
  const removedBy = (id: number): Cutter | undefined => {
    const r = rankOf(id);
    if (r < 0) return anyCutter ? (k > 0 ? 'top-k' : p < 1 ? 'top-p' : 'min-p') : undefined;
    if (r >= kEnd) return 'top-k';
    if (r >= pEnd) return 'top-p';
    if (r >= mEnd) return 'min-p';
    return undefined;
  };
  const finalProb = (id: number) => (removedBy(id) ? 0 : weight(id) / keptMass);

  const target = draw * keptMass;
  let chosen = sorted[Math.max(0, mEnd - 1)];
  let cum = 0;
  let found = false;
  for (let r = 0; r < mEnd; r++) {
    cum += hw[r];
    if (cum > target) {
      chosen = sorted[r];
      found = true;
      break;
    }
  }
  if (!found && keepTail) {
    for (let i = 0; i < V; i++) {
      if (inHead(i)) continue;
      cum += weight(i);
      chosen = i;
      if (cum > target) break;
    }
  }

  const alternatives = withChosen(altIds, chosen).map((id) => ({
    id,
    rawProb: rawProb(id),
    finalProb: finalProb(id),
    removedBy: removedBy(id),
  }));
  return {
    id: chosen,
    rawProb: rawProb(chosen),
    finalProb: finalProb(chosen),
    entropy: raw.entropy,
    draw,
    alternatives,
    keptCount: keepTail ? V : mEnd,
    rank: rankOfToken(logits, chosen, raw.argmax),
  };
}

// A reused vocabulary-sized work array: one a step would otherwise be garbage at once.
let scratchArray: Float32Array | undefined;
function scratch(V: number): Float32Array {
  if (!scratchArray || scratchArray.length !== V) scratchArray = new Float32Array(V);
  return scratchArray;
}

let sortKeys: Float64Array | undefined;

/** Ids with value >= cut, by value descending, ties by id ascending. Packs (value, id) into one float64
 * key and uses the native typed-array sort: far faster than a comparator sort on a 50k vocabulary. */
function sortDescending(values: Float32Array, cut: number): Int32Array {
  const V = values.length;
  const scale = 2 ** Math.max(1, Math.ceil(Math.log2(V)));
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  if (!sortKeys || sortKeys.length !== V) sortKeys = new Float64Array(V);
  const keys = sortKeys;
  let n = 0;
  for (let i = 0; i < V; i++) {
    const v = values[i];
    if (!(v >= cut)) continue;
    f[0] = v;
    const b = u[0];
    // Order-preserving map from float32 bits to uint32, inverted so the largest value sorts first.
    // (float32 precision is what the logits had to begin with.)
    const ordered = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
    keys[n++] = (0xffffffff - ordered) * scale + i;
  }
  const head = keys.subarray(0, n).sort();
  const out = new Int32Array(n);
  for (let j = 0; j < n; j++) out[j] = head[j] % scale;
  return out;
}

function withChosen(ids: number[], chosen: number): number[] {
  return ids.includes(chosen) ? ids : [...ids, chosen];
}
