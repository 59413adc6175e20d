// Chunked prefill: feeds what the cache lacks of a token sequence, a chunk per model run, and returns the
// logits after the last token. A cancel lands between runs; so may more urgent requests (yieldTo), which move
// the shared cache, so the rest is planned again from what it holds.
import type { Cancelled, YieldTo } from './engine';
import { RuntimeError } from './errors';
import { logitsRow, type ModelRunner, type SequenceCache } from './model-runner';

export interface Prefilled {
  logits: Float32Array;
  /** Tokens whose keys/values were already in the cache. */
  reused: number;
}

export async function prefill<C extends SequenceCache>(
  runner: ModelRunner<C>,
  cache: C,
  tokens: readonly number[],
  cancelled: Cancelled,
  yieldTo?: YieldTo,
): Promise<Prefilled> {
  const ctx = runner.contextLength;
  let plan = await cache.prepare(tokens, ctx);
  const reused = plan.reuse;
  for (;;) {
    if (cancelled()) throw new RuntimeError('cancelled', 'cancelled');
    const chunk = plan.feed.slice(0, runner.prefillChunk);
    const last = await runner.run(cache, chunk);
    if (chunk.length === plan.feed.length) return { logits: logitsRow(last, last.rows - 1), reused };
    if (yieldTo && (await yieldTo())) plan = await cache.prepare(tokens, ctx);
    else plan = { reuse: cache.length, feed: plan.feed.slice(chunk.length) };
  }
}
