// Re-applies sampling settings to one step's reported alternatives, in the webview, so a control
// change redraws the distribution at once with no model run. A thin adapter over the worker's own
// processors (sampling/alternatives.ts): its logits are log(rawProb) of the top-N alternatives it has, so it is an
// approximation (renormalised over N); the host then asks the worker for the exact 'resample' of the
// kept logits, which replaces this one when it arrives.
import { sampleAlternatives } from '../../sampling/alternatives';
import type { Cutter, SamplingSettings } from '../../sampling/settings';

export interface ViewAlternative {
  id: number;
  text: string;
  rawProb: number;
  finalProb: number;
  /** 'greedy' marks tokens that temperature 0 leaves out. */
  removedBy?: Cutter;
}

/**
 * @param history token ids generated before this step (for the penalties).
 * Order follows the model's processors: penalties, temperature, top-k, top-p, min-p.
 */
export function applySampling(
  alternatives: readonly { id: number; text: string; rawProb: number }[],
  history: readonly number[],
  s: SamplingSettings,
): ViewAlternative[] {
  if (alternatives.length === 0) return [];
  const { fates } = sampleAlternatives(alternatives, s, history, 0);
  return alternatives.map((a, i) => ({ id: a.id, text: a.text, rawProb: a.rawProb, ...fates[i] }));
}
