// The GGUF engine: a RunnerEngine over llama.cpp, plus a fast path for generations nobody watches yet.
//
// Every step of the shared path hands llama.cpp's raw logits to our sampler, so each figure the views show is
// exact; exporting a 50 k-entry row costs ~3x a llama.cpp decode step. An inline completion asks for
// `detail: 'deferred'`: when its sampling is greedy (the completion default), llama.cpp's own greedy sampler picks
// each token natively, the steps go out as `deferred` (token only), and a later 'detail' request (Explain This
// Completion) recomputes the figures in one batched run over the kept tokens. The argmax of the same logits is the
// same token, so the figures are those of the token that was shown. llama.cpp's penalties sampler uses our
// formulas (repetition CTRL-style, then frequency x count and presence once) and is given the same history.
import { sample, uniformDraw } from '../../sampling/sampler';
import { SAMPLING } from '../../sampling/settings';
import type { Cancelled, OnStep, YieldTo } from '../engine';
import { RuntimeError } from '../errors';
import type { GenerationRecord } from '../generation-records';
import { generationPrompt } from '../prompt-tokens';
import type { GenerateRequest, GenerateResult, SamplingSettings, TokenStep } from '../protocol';
import { RunnerEngine } from '../runner-engine';
import { Cancellation, ContextEnd, EndOfSequence, MaxNewTokens, type StopReason, StoppingCriteriaList, StopStrings } from '../stopping';
import { TextStream } from '../text-stream';
import { deferredStep, forcedStep, sampledStep } from '../token-steps';
import type { GgufCache, GgufRunner } from './runner';

export class GgufEngine extends RunnerEngine<GgufCache> {
  declare readonly runner: GgufRunner;
  /** Generations decoded natively: their sampling, for the figures computed later. */
  private readonly deferred = new Map<number, SamplingSettings>();

  override generate(req: GenerateRequest, onStep: OnStep, cancelled: Cancelled, yieldTo?: YieldTo): Promise<GenerateResult> {
    // Only a greedy pick is the same in llama.cpp's chain (it applies temperature after its cutters).
    if (req.detail === 'deferred' && !req.branch && req.sampling.temperature === 0) return this.generateNative(req, onStep, cancelled);
    return super.generate(req, onStep, cancelled, yieldTo);
  }

  private async generateNative(req: GenerateRequest, onStep: OnStep, cancelled: Cancelled): Promise<GenerateResult> {
    const s = req.sampling;
    const t0 = performance.now();
    const maxTokens = Math.max(0, Math.floor(s.maxTokens ?? SAMPLING.maxTokens.default));
    const rec = this.records.start(generationPrompt(req.prompt, maxTokens, this.prompts), [], [], s.seed ?? 0);
    this.deferred.set(rec.id, s);
    for (const id of this.deferred.keys()) if (!this.records.has(id)) this.deferred.delete(id);
    const stream = new TextStream(s.stop ?? []);
    const stops = new StoppingCriteriaList([
      new EndOfSequence(this.eos),
      new StopStrings(stream),
      new MaxNewTokens(maxTokens),
      new ContextEnd(this.runner.contextLength),
      new Cancellation(cancelled),
    ]);
    const state = () => ({ promptLength: rec.prompt.length, ids: rec.ids, produced: rec.ids.length });
    const cache = this.runner.cache;
    const plan = await cache.prepare(rec.prompt, this.runner.contextLength);
    let reason: StopReason | undefined = stops.check(state());
    let prefillMs = 0;
    try {
      await this.runner.feed(cache, plan.feed.slice(0, -1), cancelled);
      prefillMs = performance.now() - t0;
      if (!reason) {
        for await (const id of this.runner.greedy(cache, plan.feed[plan.feed.length - 1], s, () => rec.ids)) {
          rec.ids.push(id);
          const delta = this.eos.has(id) ? '' : stream.push(this.tokenizer.tokenBytes(id)).delta;
          onStep(deferredStep(this.tokenizer, rec.ids.length - 1, id), delta);
          reason = stops.check(state());
          if (reason) break;
        }
      }
    } catch (e) {
      if (!(e instanceof RuntimeError && e.code === 'cancelled')) throw e;
      reason = 'cancelled';
    } finally {
      cache.sync();
    }
    const why = reason ?? 'length';
    if (why !== 'stop') stream.end();
    const stats = {
      promptTokens: rec.prompt.length,
      reusedTokens: plan.reuse,
      generatedTokens: rec.ids.length,
      prefillMs,
      decodeMs: performance.now() - t0 - prefillMs,
      stopReason: why,
      seed: rec.seed,
    };
    return { generationId: rec.id, text: stream.text, ids: rec.ids.slice(), stats };
  }

  /** Every step's figures; a natively decoded generation first gets its logits from one run over its tokens. */
  async detail(generationId: number, topN: number, cancelled: Cancelled): Promise<TokenStep[]> {
    const rec = this.records.get(generationId);
    const sampling = this.deferred.get(generationId);
    if (!sampling)
      throw new RuntimeError('bad-request', `generation ${generationId} was not decoded natively: its steps carry their figures`);
    if (rec.logits.length < rec.ids.length) rec.logits = await this.replay(rec, cancelled);
    return rec.ids.map((id, i) => {
      const report = sample(rec.logits[i], sampling, rec.ids.slice(0, i), uniformDraw(rec.seed, i), topN);
      if (report.id === id) return sampledStep(this.tokenizer, i, report);
      // A near-tie that batched and single-token runs round differently: show the token that was shown.
      const { forced: _, ...step } = forcedStep(this.tokenizer, i, id, rec.logits[i], topN);
      return step;
    });
  }

  /** The logits before each generated token: the prompt's last position, then each token but the last. */
  private async replay(rec: GenerationRecord, cancelled: Cancelled): Promise<Float32Array[]> {
    const cache = this.runner.cache;
    const all = [...rec.prompt, ...rec.ids.slice(0, -1)];
    const first = rec.prompt.length - 1;
    const plan = await cache.prepare(all.slice(0, first + 1), this.runner.contextLength);
    await this.runner.feed(cache, plan.feed.slice(0, -1), cancelled);
    const rows: Float32Array[] = [];
    const rest = all.slice(first);
    for (let at = 0; at < rest.length; at += this.runner.prefillChunk) {
      if (cancelled()) throw new RuntimeError('cancelled', 'cancelled');
      const part = rest.slice(at, at + this.runner.prefillChunk);
      const out = await this.runner.run(cache, part, true);
      const V = out.data.length / out.rows;
      for (let r = 0; r < out.rows; r++) rows.push(out.data.slice(r * V, (r + 1) * V));
    }
    return rows;
  }
}
