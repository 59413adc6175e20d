// The decode loop of one generation, shared by every engine: after the prefill, each step samples a token
// from the logits (or takes a branch's forced one), reports it, checks the stopping rules, and gets the next
// logits from a model run (speculative-step.ts). The rules are checked before every model run, so a cancel
// lands within one step.
import { sample, uniformDraw } from '../sampling/sampler';
import type { Cancelled, OnStep, YieldTo } from './engine';
import { RuntimeError } from './errors';
import type { GenerationRecord } from './generation-records';
import type { ModelRunner, SequenceCache } from './model-runner';
import { prefill } from './prefill';
import type { GenerateResult, SamplingSettings, TokenStep } from './protocol';
import { SpeculativeStep } from './speculative-step';
import {
  Cancellation,
  ContextEnd,
  type DecodeState,
  EndOfSequence,
  MaxNewTokens,
  type StopReason,
  StoppingCriteriaList,
  StopStrings,
} from './stopping';
import { TextStream } from './text-stream';
import { forcedStep, sampledStep } from './token-steps';
import type { Tokenizer } from './tokenizer';

export interface DecodeModel<C extends SequenceCache> {
  runner: ModelRunner<C>;
  tokenizer: Pick<Tokenizer, 'tokenBytes'>;
  /** Ids that end a generation. */
  eos: ReadonlySet<number>;
}

export interface DecodeRequest {
  /** The kept record this generation fills: prompt, earlier tokens (a branch's), their logits, seed. */
  record: GenerationRecord;
  sampling: SamplingSettings;
  maxTokens: number;
  topN: number;
  /** A branch: the token forced at the first step (its logits are the record's last). */
  forced?: number;
}

interface Hooks {
  onStep: OnStep;
  cancelled: Cancelled;
  yieldTo?: YieldTo;
}

/** Runs one generation to its end; a cancel (even in the prefill) ends it with stopReason 'cancelled'. */
export function decode<C extends SequenceCache>(m: DecodeModel<C>, r: DecodeRequest, hooks: Hooks): Promise<GenerateResult> {
  return new DecodeLoop(m, r, hooks).run();
}

class DecodeLoop<C extends SequenceCache> {
  private readonly prior: number;
  private readonly stream: TextStream;
  private readonly stops: StoppingCriteriaList;
  private readonly step: SpeculativeStep<C>;
  private logits: Float32Array = new Float32Array(0);

  constructor(
    private readonly m: DecodeModel<C>,
    private readonly r: DecodeRequest,
    private readonly hooks: Hooks,
  ) {
    const rec = r.record;
    this.prior = rec.ids.length;
    this.stream = new TextStream(r.sampling.stop ?? []);
    for (const id of rec.ids) this.stream.push(m.tokenizer.tokenBytes(id));
    // Order decides the reason when several hold: the token's own reasons before the length limits.
    this.stops = new StoppingCriteriaList([
      new EndOfSequence(m.eos),
      new StopStrings(this.stream),
      new MaxNewTokens(r.maxTokens + (r.forced !== undefined ? 1 : 0)),
      new ContextEnd(m.runner.contextLength),
      new Cancellation(hooks.cancelled),
    ]);
    this.step = new SpeculativeStep(m.runner, m.runner.cache);
  }

  async run(): Promise<GenerateResult> {
    const t0 = performance.now();
    let reason: StopReason = 'length';
    let reused = 0;
    let prefillMs = 0;
    try {
      reused = await this.start();
      prefillMs = performance.now() - t0;
      reason = await this.loop();
    } catch (e) {
      if (!(e instanceof RuntimeError && e.code === 'cancelled')) throw e;
      reason = 'cancelled';
    }
    if (reason !== 'stop') this.stream.end();
    const rec = this.r.record;
    return {
      generationId: rec.id,
      text: this.stream.text,
      ids: rec.ids.slice(),
      stats: {
        promptTokens: rec.prompt.length,
        reusedTokens: reused,
        generatedTokens: rec.ids.length - this.prior,
        prefillMs,
        decodeMs: performance.now() - t0 - prefillMs,
        stopReason: reason,
        seed: rec.seed,
      },
    };
  }

  /** Brings the shared cache to the prompt (and a branch's earlier tokens); returns how many were reused. */
  private async start(): Promise<number> {
    const { runner } = this.m;
    const rec = this.r.record;
    const pre = await prefill(runner, runner.cache, [...rec.prompt, ...rec.ids], this.hooks.cancelled, this.hooks.yieldTo);
    // A branch point's logits were kept; the cache only needed the tokens before it.
    this.logits = this.r.forced !== undefined ? rec.logits[this.prior] : pre.logits;
    return pre.reused;
  }

  private async loop(): Promise<StopReason> {
    const rec = this.r.record;
    const context = () => [...rec.prompt, ...rec.ids];
    for (let step = this.prior; ; step++) {
      const before = this.stops.check(this.state());
      if (before) return before;
      if (rec.logits.length === step) rec.logits.push(this.logits);
      const id = this.decide(step);
      const after = this.stops.check(this.state());
      if (after) return after;
      this.logits = await this.step.next(id, context, this.hooks.cancelled, this.hooks.yieldTo);
    }
  }

  private state(): DecodeState {
    const rec = this.r.record;
    return { promptLength: rec.prompt.length, ids: rec.ids, produced: rec.ids.length - this.prior };
  }

  /** Samples (or forces) the token of `step`, records it and reports it with the text it adds. */
  private decide(step: number): number {
    const { tokenizer, eos } = this.m;
    const { record: rec, sampling, topN, forced } = this.r;
    let id: number;
    let tokenStep: TokenStep;
    if (forced !== undefined && step === this.prior) {
      id = forced;
      tokenStep = forcedStep(tokenizer, step, id, this.logits, topN);
    } else {
      const report = sample(this.logits, sampling, rec.ids, uniformDraw(rec.seed, step), topN);
      id = report.id;
      tokenStep = sampledStep(tokenizer, step, report);
    }
    rec.ids.push(id);
    // An end-of-sequence token adds no text.
    const delta = eos.has(id) ? '' : this.stream.push(tokenizer.tokenBytes(id)).delta;
    this.hooks.onStep(tokenStep, delta);
    return id;
  }
}
