// The sorted head of a distribution: the cutters work on the most likely tokens only, so a step sorts a few
// dozen ids rather than the whole vocabulary. The head is every token within `depth` of the top scaled logit,
// widened until the first cutter provably finds all it can keep inside it.
import { type Logits, weightOf } from './stats';

export interface Head {
  /** Candidate ids, most likely first (ties: lower id first). */
  readonly ids: Int32Array;
  /** exp(s - max) of each candidate, in the same order (the top weighs 1). */
  readonly weights: Float64Array;
  /** Sum of `weights`. */
  readonly mass: number;
  /** Sum of the weights over the whole vocabulary, the tail beyond the head included. */
  readonly total: number;
  /** Every id with s >= max - depth is in the head. */
  readonly depth: number;
  /** The head is the whole vocabulary. */
  readonly complete: boolean;
  /** The scaled logits of the whole vocabulary, by id, and their maximum. */
  readonly logits: Logits;
  readonly max: number;
}

/** Decides whether a head holds every token a cutter can keep (asked of the first cutter: later ones only shrink its set). */
export type HeadTest = (head: Head) => boolean;

/** The smallest head (depth 8, 16, 32, ...) that `enough` accepts; with no test, depth 8. */
export function selectHead(logits: Logits, max: number, total: number, enough?: HeadTest): Head {
  const V = logits.length;
  for (let depth = 8; ; depth = depth > 1e4 ? Infinity : depth * 2) {
    const ids = sortDescending(logits, max - depth);
    const weights = new Float64Array(ids.length);
    let mass = 0;
    for (let r = 0; r < ids.length; r++) mass += weights[r] = weightOf(logits[ids[r]], max);
    const head: Head = { ids, weights, mass, total, depth, complete: ids.length === V, logits, max };
    // At infinite depth the cut is -Infinity: every (non-NaN) logit is in, so the loop always ends.
    if (head.complete || depth === Infinity || !enough || enough(head)) return head;
  }
}

let sortKeys: Float64Array | undefined;

/** Ids with value >= cut, by value descending, ties by id ascending. */
export function sortDescending(values: Logits, cut: number): Int32Array {
  if (values instanceof Float64Array) return sortSmall(values, cut);
  // Packs (value, id) into one float64 key and uses the native typed-array sort: far faster than a
  // comparator sort on a 50k vocabulary.
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

/** float64 values (the webview's few alternatives): a comparator sort keeps their full precision. */
function sortSmall(values: Float64Array, cut: number): Int32Array {
  const ids: number[] = [];
  for (let i = 0; i < values.length; i++) if (values[i] >= cut) ids.push(i);
  ids.sort((a, b) => (values[b] > values[a] ? 1 : values[b] < values[a] ? -1 : a - b));
  return Int32Array.from(ids);
}
