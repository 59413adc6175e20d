// Sampling over a step's reported alternatives alone, renormalised over them: what the inspector redraws at once
// when a control moves, and how a remote server's step is re-sampled, where the full logits are not at hand. The
// alternatives' log probabilities stand in for the logits, so the result is approximate by construction.
import { type SampleReport, sample } from './sampler';
import type { Cutter, SamplerSettings } from './settings';

export interface AlternativeFate {
  finalProb: number;
  removedBy?: Cutter;
}

/**
 * `history`: token ids generated before the step (the penalties count those among the alternatives). The
 * report's ids are positions in `alts`; `fates[i]` is what became of `alts[i]`.
 */
export function sampleAlternatives(
  alts: readonly { id: number; rawProb: number }[],
  s: SamplerSettings,
  history: readonly number[],
  draw: number,
): { report: SampleReport; fates: AlternativeFate[] } {
  const logits = Float64Array.from(alts, (a) => Math.log(Math.max(a.rawProb, 1e-30)));
  const local = new Map(alts.map((a, i) => [a.id, i]));
  const report = sample(
    logits,
    s,
    history.flatMap((id) => local.get(id) ?? []),
    draw,
    alts.length,
  );
  const fate = new Map(report.alternatives.map((a) => [a.id, a]));
  const fates = alts.map((_, i) => ({ finalProb: fate.get(i)!.finalProb, removedBy: fate.get(i)!.removedBy }));
  return { report, fates };
}
