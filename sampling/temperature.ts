// Temperature: divides the (penalised) logits; 0 is greedy, and a tiny one behaves like greedy in the limit.
import { checkSetting } from './settings';
import { type Logits, type SoftmaxStats, softmaxStats } from './stats';

export interface Scaled {
  /** z / T for every id (float32 logits: a reused work array, valid until the next call). */
  logits: Logits;
  stats: SoftmaxStats;
}

export class Temperature {
  readonly name = 'temperature';
  /** Temperature 0: the top processed logit, no draw. */
  readonly greedy: boolean;
  constructor(readonly value: number) {
    checkSetting(this.name, value);
    this.greedy = value === 0;
  }

  /**
   * Scaled logits and their softmax statistics. Where dividing overflows (a tiny temperature, or infinite
   * logits), the logits are scaled relative to their maximum instead, (z - max) / T: the top stays 0 and the
   * rest fall to -Infinity, the greedy limit, where z / T would have tied every overflowed token at ±Infinity.
   */
  scale(z: Logits, zmax: () => number): Scaled {
    const T = this.value;
    const V = z.length;
    const out = z instanceof Float32Array ? scratch(V) : new Float64Array(V);
    for (let i = 0; i < V; i++) out[i] = z[i] / T;
    const stats = softmaxStats(out);
    if (Number.isFinite(stats.max)) return { logits: out, stats };
    const m = zmax();
    for (let i = 0; i < V; i++) out[i] = z[i] === m ? 0 : (z[i] - m) / T;
    return { logits: out, stats: softmaxStats(out) };
  }
}

// A reused vocabulary-sized work array: one a step would otherwise be garbage at once.
let scratchArray: Float32Array | undefined;
function scratch(V: number): Float32Array {
  if (!scratchArray || scratchArray.length !== V) scratchArray = new Float32Array(V);
  return scratchArray;
}
