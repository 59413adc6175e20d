// The penalties: the first processors, on the logits of tokens already generated (the history), before the
// temperature. Each validates its value on construction and reports whether it does anything; applied per
// token in the order repetition -> presence -> frequency, in one pass over the history's counts.
import { checkSetting, SAMPLING, type SamplingSettings } from './settings';
import type { Logits } from './stats';

export interface LogitPenalty {
  readonly name: 'repetitionPenalty' | 'presencePenalty' | 'frequencyPenalty';
  /** False at the value that turns it off. */
  readonly active: boolean;
  /** The logit of a token generated `count` (>= 1) times so far, penalised. */
  adjust(logit: number, count: number): number;
}

/** CTRL-style: dividing a positive logit or multiplying a negative one both make the token less likely. */
export class RepetitionPenalty implements LogitPenalty {
  readonly name = 'repetitionPenalty';
  readonly active: boolean;
  constructor(readonly value: number) {
    checkSetting(this.name, value);
    this.active = value !== SAMPLING.repetitionPenalty.off;
  }
  adjust(logit: number): number {
    return logit > 0 ? logit / this.value : logit * this.value;
  }
}

/** Subtracted once from every token already generated. */
export class PresencePenalty implements LogitPenalty {
  readonly name = 'presencePenalty';
  readonly active: boolean;
  constructor(readonly value: number) {
    checkSetting(this.name, value);
    this.active = value !== SAMPLING.presencePenalty.off;
  }
  adjust(logit: number): number {
    return logit - this.value;
  }
}

/** Subtracted once per earlier occurrence. */
export class FrequencyPenalty implements LogitPenalty {
  readonly name = 'frequencyPenalty';
  readonly active: boolean;
  constructor(readonly value: number) {
    checkSetting(this.name, value);
    this.active = value !== SAMPLING.frequencyPenalty.off;
  }
  adjust(logit: number, count: number): number {
    return logit - this.value * count;
  }
}

type PenaltySettings = Pick<SamplingSettings, 'repetitionPenalty' | 'presencePenalty' | 'frequencyPenalty'>;

/** The active penalties of `s`, in the order they apply (validated: throws on a value outside its range). */
export function penaltiesOf(s: PenaltySettings): LogitPenalty[] {
  const all = [
    new RepetitionPenalty(s.repetitionPenalty),
    new PresencePenalty(s.presencePenalty),
    new FrequencyPenalty(s.frequencyPenalty),
  ];
  return all.filter((p) => p.active);
}

/** Applies the penalties to a copy of the logits; returns the input itself when none changes anything. */
export function penalize<L extends Logits>(logits: L, penalties: readonly LogitPenalty[], history: readonly number[]): L {
  if (history.length === 0 || penalties.length === 0) return logits;
  const counts = new Map<number, number>();
  for (const id of history) counts.set(id, (counts.get(id) ?? 0) + 1);
  const out = logits.slice() as L;
  for (const [id, n] of counts) {
    if (id < 0 || id >= out.length) continue;
    let z = out[id];
    for (const p of penalties) z = p.adjust(z, n);
    out[id] = z;
  }
  return out;
}

/** Applies the penalties of `s` to a copy of the logits; returns the input itself when none is active. */
export function applyPenalties<L extends Logits>(logits: L, s: PenaltySettings, history: readonly number[]): L {
  return penalize(logits, penaltiesOf(s), history);
}
