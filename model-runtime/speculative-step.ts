// The model run of one decode step, with speculation by prompt lookup: the sampled token is fed together
// with draft tokens guessed from the context (draft.ts), and the logits after each draft are kept. When the
// sampler then picks the draft, its logits are already there: no model run. The first draft it does not pick
// is rewound out of the cache. Tokens and reports are those of one run per token (speculative.test.ts).
import { lookupDraft } from './draft';
import type { Cancelled, YieldTo } from './engine';
import { logitsRow, type ModelRunner, type SequenceCache } from './model-runner';
import { prefill } from './prefill';

export class SpeculativeStep<C extends SequenceCache> {
  /** Draft tokens already run after the last fed token (in the cache, not yet confirmed). */
  private ahead: number[] = [];
  /** aheadLogits[j]: what the step after ahead[j] samples from, if ahead[j] is kept. */
  private aheadLogits: Float32Array[] = [];

  constructor(
    private readonly runner: ModelRunner<C>,
    private readonly cache: C,
  ) {}

  /**
   * The logits after `id`, the token just decided; `context()` is the whole sequence so far, prompt first and
   * `id` last. `yieldTo` may run more urgent requests first; when they moved the cache, or when dead slots on
   * the GPU leave no room for the next token, the cache is prepared again for this sequence (drafts dropped).
   */
  async next(id: number, context: () => number[], cancelled: Cancelled, yieldTo?: YieldTo): Promise<Float32Array> {
    const moved = yieldTo && (await yieldTo());
    if (!moved && this.ahead.length && this.ahead[0] === id) {
      // The sampler picked the draft: its logits are already computed.
      this.ahead.shift();
      return this.aheadLogits.shift()!;
    }
    if (!moved && this.ahead.length) await this.cache.rewind(this.cache.length - this.ahead.length);
    this.ahead = [];
    this.aheadLogits = [];
    const ctx = this.runner.contextLength;
    if (moved || !this.cache.fit(1, ctx)) return (await prefill(this.runner, this.cache, context(), cancelled, yieldTo)).logits;
    const room = Math.min(this.runner.draftTokens, ctx - this.cache.slotCount - 1);
    const drafts = room > 0 ? lookupDraft(context(), room) : [];
    const out = await this.runner.run(this.cache, [id, ...drafts], 1 + drafts.length);
    const first = out.rows - 1 - drafts.length;
    this.ahead = drafts;
    this.aheadLogits = drafts.map((_, j) => logitsRow(out, first + j + 1));
    return logitsRow(out, first);
  }
}
