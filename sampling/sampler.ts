// The sampler: logits in, (token, report) out. Pure and synchronous, so the inspector can re-apply other
// settings to a kept step's logits without a model run, and tests need no model.
//
// Pipeline (the order is part of what the inspector explains; see processors.ts):
//   penalties (repetition, presence, frequency) -> temperature (0 = greedy) -> top-k -> top-p -> min-p -> draw.
// Each cutter works on what the previous ones kept; a removed token reports the first cutter that removed it.
// The draw walks the kept tokens from most to least likely, so a small draw picks a likely token (draw.ts).
// Total: any finite or infinite logits and any valid settings give a distribution; NaN logits and settings
// outside sampling/settings.ts's ranges throw a RangeError that says which.
import { SamplingProcessors } from './processors';
import { type Cutter, SAMPLING_OFF, type SamplerSettings } from './settings';
import { type Logits, rankOfToken, softmaxStats, topIndices, weightOf } from './stats';

export { uniformDraw } from './draw';
export { applyPenalties } from './penalties';
export type { SamplerSettings } from './settings';
export { rankOfToken, softmaxStats, topIndices } from './stats';

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

/** Neutral greedy settings (bench, eval): every processor off, temperature 0. */
export const DEFAULT_SAMPLER: SamplerSettings = { ...SAMPLING_OFF, temperature: 0 };

/**
 * Picks one token. `history`: the tokens the penalties count (the generated ones). `draw`: a uniform number
 * in [0, 1) (see uniformDraw); ignored when greedy. `topN`: how many alternatives to report.
 */
export function sample(logits: Logits, settings: SamplerSettings, history: readonly number[], draw: number, topN: number): SampleReport {
  const V = logits.length;
  if (V === 0) throw new RangeError('Cannot sample from an empty logit vector.');
  const processors = new SamplingProcessors(settings, V);
  const raw = softmaxStats(logits);
  if (Number.isNaN(raw.max)) throw new RangeError(`The logits hold NaN (token ${raw.argmax}): there is no distribution to sample.`);
  const altIds = topIndices(logits, Math.min(topN, V));
  const outcome = processors.run(logits, raw, history);
  const chosen = outcome.pick(draw);
  const rawProb = (id: number) => weightOf(logits[id], raw.max) / raw.sum;
  const alternatives = withChosen(altIds, chosen).map((id) => {
    const { finalProb, removedBy } = outcome.fate(id);
    return { id, rawProb: rawProb(id), finalProb, removedBy };
  });
  return {
    id: chosen,
    rawProb: rawProb(chosen),
    finalProb: outcome.fate(chosen).finalProb,
    entropy: raw.entropy,
    draw: outcome.drawn ? draw : 0,
    alternatives,
    keptCount: outcome.keptCount,
    rank: rankOfToken(logits, chosen, raw.argmax),
  };
}

function withChosen(ids: number[], chosen: number): number[] {
  return ids.includes(chosen) ? ids : [...ids, chosen];
}
