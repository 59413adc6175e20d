import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { lookupDraft } from '../../../model-runtime/draft';
import { loadOnnxEngine, type OnnxEngine } from '../../../model-runtime/onnx/load';
import type { SamplingSettings, TokenStep } from '../../../model-runtime/protocol';
import { FIXTURES } from './fixtures';
import { DEFAULT_SAMPLER } from '../../../sampling/sampler';

const greedy: SamplingSettings = {
  ...DEFAULT_SAMPLER,
  temperature: 0,
  maxTokens: 40,
  stop: [],
};
const warm: SamplingSettings = { ...greedy, temperature: 1.1, topK: 40, topP: 0.9, seed: 99 };
const never = () => false;

test('lookupDraft proposes what followed the most recent earlier occurrence of the tail', () => {
  // tail [1, 2] occurred at 0 (followed by 3, 4) and at 5 (followed by 9, 8): the later one wins.
  assert.deepEqual(lookupDraft([1, 2, 3, 4, 0, 1, 2, 9, 8, 7, 1, 2], 2), [9, 8]);
  // A longer matching tail is preferred over a more recent shorter one.
  assert.deepEqual(lookupDraft([5, 1, 2, 3, 4, 6, 2, 3, 7, 5, 1, 2, 3], 1), [4]);
  // Capped by what the context holds after the occurrence.
  assert.deepEqual(lookupDraft([1, 2, 3, 1, 2], 8), [3, 1, 2]);
  // A repeating run predicts more of itself.
  assert.deepEqual(lookupDraft([7, 7, 7, 7], 3), [7]);
  // One matching token is not enough; no match, no draft; k = 0, no draft.
  assert.deepEqual(lookupDraft([1, 2, 3, 4, 5, 2], 4), []);
  assert.deepEqual(lookupDraft([1, 2, 3], 4), []);
  assert.deepEqual(lookupDraft([1, 2, 1, 2], 0), []);
});

let plain: OnnxEngine;
let spec: OnnxEngine;
before(async () => {
  plain = await loadOnnxEngine(join(FIXTURES, 'llama-tiny'), { providers: ['cpu'], onnxFile: 'model.onnx', threads: 1, draftTokens: 0 });
  spec = await loadOnnxEngine(join(FIXTURES, 'llama-tiny'), { providers: ['cpu'], onnxFile: 'model.onnx', threads: 1, draftTokens: 4 });
});
after(async () => {
  await plain.release();
  await spec.release();
});

/** Counts model runs of one engine. */
function countRuns(e: OnnxEngine): { runs: number } {
  const c = { runs: 0 };
  const run = e.runner.run.bind(e.runner);
  e.runner.run = (...args: Parameters<OnnxEngine['runner']['run']>) => {
    c.runs++;
    return run(...args);
  };
  return c;
}

test('speculative decoding gives the same tokens and reports as one run per token, in fewer runs (fp32)', async () => {
  const counted = countRuns(spec);
  let drafted = false;
  // Several requests in a row on the same engines: the drafts a request leaves in the cache must not
  // disturb the next one's prefix reuse.
  const prompts = ['a b c a b c a b c a b', 'a b c a b c a b c a b x', 'for (let i = 0; i < n; i++) { f(i); } for (let i = 0;', 'zz'];
  for (const sampling of [greedy, warm]) {
    for (const text of prompts) {
      const a: TokenStep[] = [];
      const b: TokenStep[] = [];
      const ra = await plain.generate({ prompt: { text }, sampling, topN: 4 }, (s) => a.push(s), never);
      const before = counted.runs;
      const rb = await spec.generate({ prompt: { text }, sampling, topN: 4 }, (s) => b.push(s), never);
      const runs = counted.runs - before;
      assert.deepEqual(rb.ids, ra.ids, `${text} at temperature ${sampling.temperature}`);
      assert.equal(rb.text, ra.text);
      assert.equal(rb.stats.stopReason, ra.stats.stopReason);
      assert.equal(b.length, a.length);
      for (let i = 0; i < a.length; i++) {
        assert.equal(b[i].id, a[i].id);
        assert.ok(Math.abs(b[i].rawProb - a[i].rawProb) < 1e-5, `step ${i}: ${b[i].rawProb} vs ${a[i].rawProb}`);
        assert.ok(Math.abs(b[i].finalProb - a[i].finalProb) < 1e-5);
        assert.equal(b[i].draw, a[i].draw);
        assert.deepEqual(
          b[i].alternatives.map((x) => x.id),
          a[i].alternatives.map((x) => x.id),
        );
      }
      // A prefill run (or a few chunks) plus at most one run per generated token.
      if (runs < rb.ids.length) drafted = true;
    }
  }
  assert.ok(drafted, 'some request took fewer model runs than tokens');
  // The kept logits serve a resample exactly as without drafts.
  const g = await plain.generate({ prompt: { text: prompts[0] }, sampling: warm, topN: 3 }, () => undefined, never);
  const h = await spec.generate({ prompt: { text: prompts[0] }, sampling: warm, topN: 3 }, () => undefined, never);
  for (const step of [1, 5, 17])
    assert.equal(spec.resample(h.generationId, step, greedy, 3).id, plain.resample(g.generationId, step, greedy, 3).id);
});

test('a rejected draft leaves the cache as if it never ran: cached decoding still equals a fresh run', async () => {
  const text = 'x y z x y z x y q x y z x y';
  await spec.generate({ prompt: { text }, sampling: greedy, topN: 0 }, () => undefined, never);
  // The cache now holds the prompt, the output and possibly unconfirmed drafts; a longer prompt reuses it.
  const longer = `${text} z x y`;
  const a = await spec.generate({ prompt: { text: longer }, sampling: warm, topN: 2 }, () => undefined, never);
  const fresh = await loadOnnxEngine(join(FIXTURES, 'llama-tiny'), {
    providers: ['cpu'],
    onnxFile: 'model.onnx',
    threads: 1,
    draftTokens: 0,
  });
  try {
    const b = await fresh.generate({ prompt: { text: longer }, sampling: warm, topN: 2 }, () => undefined, never);
    assert.ok(a.stats.reusedTokens > 0);
    assert.deepEqual(a.ids, b.ids);
  } finally {
    await fresh.release();
  }
});
