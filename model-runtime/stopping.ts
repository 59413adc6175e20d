// The stopping rules of a generation, one small class per rule, checked as a list (the shape of
// transformers.js's StoppingCriteriaList): before the first step, after each token and after each model
// run. Each rule names the stop reason it reports; the first rule that holds, in list order, wins.
import type { GenerationStats } from './protocol';
import type { TextStream } from './text-stream';
import type { Tokenizer } from './tokenizer';

export type StopReason = GenerationStats['stopReason'];

/** Where a generation stands when the rules are checked. */
export interface DecodeState {
  /** Prompt tokens (positions taken before the first generated token). */
  readonly promptLength: number;
  /** The generation's tokens so far, newest last (a branch's earlier tokens included). */
  readonly ids: readonly number[];
  /** How many of `ids` this request decided (a branch's forced token included). */
  readonly produced: number;
}

export interface StoppingCriterion {
  readonly reason: StopReason;
  /** True when the generation must end now. */
  check(s: DecodeState): boolean;
}

/** The newest token ends the sequence (EOS, <|endoftext|>, a FIM sentinel). */
export class EndOfSequence implements StoppingCriterion {
  readonly reason = 'eos';
  constructor(private readonly ids: ReadonlySet<number>) {}
  check(s: DecodeState): boolean {
    return s.produced > 0 && this.ids.has(s.ids[s.ids.length - 1]);
  }
}

/** A stop string completed in the decoded text (the stream holds back text that may start one). */
export class StopStrings implements StoppingCriterion {
  readonly reason = 'stop';
  constructor(private readonly stream: TextStream) {}
  check(): boolean {
    return this.stream.stopped;
  }
}

export class MaxNewTokens implements StoppingCriterion {
  readonly reason = 'length';
  constructor(private readonly max: number) {}
  check(s: DecodeState): boolean {
    return s.produced >= this.max;
  }
}

/** No position left for another token. */
export class ContextEnd implements StoppingCriterion {
  readonly reason = 'length';
  constructor(private readonly contextLength: number) {}
  check(s: DecodeState): boolean {
    return s.promptLength + s.ids.length >= this.contextLength;
  }
}

export class Cancellation implements StoppingCriterion {
  readonly reason = 'cancelled';
  constructor(private readonly cancelled: () => boolean) {}
  check(): boolean {
    return this.cancelled();
  }
}

export class StoppingCriteriaList {
  private readonly list: StoppingCriterion[] = [];

  constructor(criteria: Iterable<StoppingCriterion> = []) {
    this.extend(criteria);
  }

  push(c: StoppingCriterion): void {
    this.list.push(c);
  }

  extend(criteria: Iterable<StoppingCriterion>): void {
    for (const c of criteria) this.push(c);
  }

  /** The reason of the first rule that holds, or undefined to go on. */
  check(s: DecodeState): StopReason | undefined {
    for (const c of this.list) if (c.check(s)) return c.reason;
    return undefined;
  }
}

/**
 * The ids that end a generation: the model's EOS ids, <|endoftext|>, and the FIM sentinels. A FIM sentinel is
 * never part of an answer: a model that emits one has lost the thread, so it ends the generation (it stays
 * visible among the alternatives) instead of printing '<|fim_middle|>' into the code.
 */
export function endOfSequenceIds(eos: readonly number[], tokenizer: Pick<Tokenizer, 'specialId' | 'fim'>): number[] {
  const ids = [...eos];
  const eot = tokenizer.specialId('<|endoftext|>');
  const fim = tokenizer.fim;
  for (const id of [eot, fim?.prefix, fim?.suffix, fim?.middle]) if (id !== undefined && !ids.includes(id)) ids.push(id);
  return ids;
}
