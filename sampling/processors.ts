// The processor list of one sampling step, in the order that is part of what the inspector explains:
//   penalties (repetition, presence, frequency) -> temperature (0 = greedy) -> top-k -> top-p -> min-p -> draw.
// Shaped after transformers.js's LogitsProcessorList (one small class per processor, a list that applies
// them), but the cutters work on the sorted head of the distribution, never on a sorted copy of the vocabulary.
// Constructing the list validates every setting against sampling/settings.ts (a RangeError names the setting).
import { type HeadCutter, MinP, TopK, TopP } from './cutters';
import { selectHead } from './head';
import { Greedy, Kept, type Outcome } from './outcome';
import { type LogitPenalty, penalize, penaltiesOf } from './penalties';
import type { SamplerSettings } from './settings';
import type { Logits, SoftmaxStats } from './stats';
import { Temperature } from './temperature';

export class SamplingProcessors {
  /** The active penalties, in order. */
  readonly penalties: readonly LogitPenalty[];
  readonly temperature: Temperature;
  /** The active cutters, in order. */
  readonly cutters: readonly HeadCutter[];

  constructor(s: SamplerSettings, vocabSize: number) {
    this.penalties = penaltiesOf(s);
    this.temperature = new Temperature(s.temperature);
    this.cutters = [new TopK(s.topK), new TopP(s.topP), new MinP(s.minP)].filter((c) => c.activeFor(vocabSize));
  }

  /** Runs every processor over `logits` (whose softmax statistics are `raw`) after the tokens in `history`. */
  run(logits: Logits, raw: SoftmaxStats, history: readonly number[]): Outcome {
    const z = penalize(logits, this.penalties, history);
    if (this.temperature.greedy) return new Greedy(z === logits ? raw.argmax : argmax(z));
    const scaled = this.temperature.scale(z, () => (z === logits ? raw.max : z[argmax(z)]));
    const { max, sum } = scaled.stats;
    const first = this.cutters[0];
    const head = selectHead(scaled.logits, max, sum, first && ((h) => first.covers(h)));
    return new Kept(head, this.cutters);
  }
}

/** The first id of the largest value. */
function argmax(z: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < z.length; i++) if (z[i] > z[best]) best = i;
  return best;
}
