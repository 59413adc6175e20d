// Re-applies sampling settings to one step's reported alternatives, in the webview, so a control
// change redraws the distribution at once with no model run. It sees only the top-N raw
// probabilities, so it is an approximation (renormalised over N); the host then asks the worker for
// the exact 'resample' of the kept logits, which replaces this one when it arrives.
import type { SamplingSettings } from '../../model-runtime/protocol';

export interface ViewAlternative {
  id: number;
  text: string;
  rawProb: number;
  finalProb: number;
  /** 'greedy' marks tokens that temperature 0 leaves out. */
  removedBy?: 'top-k' | 'top-p' | 'min-p' | 'greedy';
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
  const counts = new Map<number, number>();
  for (const id of history) counts.set(id, (counts.get(id) ?? 0) + 1);
  const alts = alternatives.map((a) => {
    let logit = Math.log(Math.max(a.rawProb, 1e-30));
    const n = counts.get(a.id) ?? 0;
    if (n > 0) {
      if (s.repetitionPenalty !== 1) logit = logit > 0 ? logit / s.repetitionPenalty : logit * s.repetitionPenalty;
      logit -= s.presencePenalty + s.frequencyPenalty * n;
    }
    return { id: a.id, text: a.text, rawProb: a.rawProb, finalProb: 0, logit, removedBy: undefined as ViewAlternative['removedBy'] };
  });
  if (alts.length === 0) return [];
  const order = [...alts].sort((a, b) => b.logit - a.logit);
  if (s.temperature <= 0) {
    for (const a of alts) a.removedBy = a === order[0] ? undefined : 'greedy';
    order[0].finalProb = 1;
    return alts.map(strip);
  }
  // Softmax at temperature.
  const max = order[0].logit;
  let z = 0;
  const p = new Map<(typeof alts)[number], number>();
  for (const a of order) {
    const e = Math.exp((a.logit - max) / s.temperature);
    p.set(a, e);
    z += e;
  }
  for (const a of order) p.set(a, p.get(a)! / z);
  if (s.topK > 0) for (const a of order.slice(s.topK)) a.removedBy ??= 'top-k';
  if (s.topP < 1) {
    let cum = 0;
    let kept = 0;
    const live = order.filter((a) => !a.removedBy);
    const liveTotal = live.reduce((t, a) => t + p.get(a)!, 0);
    for (const a of live) {
      // Keep the smallest prefix whose mass reaches top-p (the first token always stays).
      if (kept > 0 && cum >= s.topP) a.removedBy = 'top-p';
      else kept++;
      cum += p.get(a)! / liveTotal;
    }
  }
  if (s.minP > 0) {
    const live = order.filter((a) => !a.removedBy);
    const top = p.get(live[0])!;
    for (const a of live.slice(1)) if (p.get(a)! < s.minP * top) a.removedBy = 'min-p';
  }
  const keptTotal = order.filter((a) => !a.removedBy).reduce((t, a) => t + p.get(a)!, 0);
  for (const a of alts) a.finalProb = a.removedBy ? 0 : p.get(a)! / keptTotal;
  return alts.map(strip);
}

function strip(a: ViewAlternative & { logit: number }): ViewAlternative {
  const { logit: _l, ...rest } = a;
  return rest;
}

export interface CdfSegment {
  id: number;
  text: string;
  start: number;
  end: number;
}

/** Cumulative distribution of the kept tokens, highest final probability first. */
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

/** Which token a uniform draw in [0,1) lands on in the cumulative distribution. */
export function tokenAtDraw(cdf: readonly CdfSegment[], draw: number): CdfSegment | undefined {
  return cdf.find((s) => draw < s.end) ?? cdf[cdf.length - 1];
}
