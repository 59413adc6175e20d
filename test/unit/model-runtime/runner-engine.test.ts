import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { KEPT_GENERATIONS } from '../../../model-runtime/generation-records';
import { loadOnnxEngine, type OnnxEngine } from '../../../model-runtime/onnx/load';
import type { SamplingSettings, TokenStep } from '../../../model-runtime/protocol';
import { FIXTURES, reference } from './fixtures';
import { DEFAULT_SAMPLER } from '../../../sampling/sampler';

const greedy: SamplingSettings = {
  ...DEFAULT_SAMPLER,
  temperature: 0,
  maxTokens: 8,
  stop: [],
};
const warm: SamplingSettings = { ...greedy, temperature: 1.2, topP: 0.95, seed: 1234, maxTokens: 12 };
const never = () => false;

let llama: OnnxEngine;
let gpt2: OnnxEngine;
before(async () => {
  llama = await loadOnnxEngine(join(FIXTURES, 'llama-tiny'), { providers: ['cpu'], onnxFile: 'model.onnx', threads: 1 });
  gpt2 = await loadOnnxEngine(join(FIXTURES, 'gpt2-tiny'), { providers: ['cpu'], onnxFile: 'model.onnx', threads: 1 });
});
after(async () => {
  await llama.release();
  await gpt2.release();
});

test('greedy generation follows the reference argmax chain and streams every step', async () => {
  for (const [engine, name] of [
    [llama, 'llama-tiny'],
    [gpt2, 'gpt2-tiny'],
  ] as const) {
    const ref = reference(name);
    const steps: TokenStep[] = [];
    let streamed = '';
    const r = await engine.generate(
      { prompt: { tokens: ref.input_ids }, sampling: { ...greedy, maxTokens: ref.steps.length }, topN: 5 },
      (s, d) => {
        steps.push(s);
        streamed += d;
      },
      never,
    );
    const expected = ref.steps.map((s) => s.argmax);
    // The chain may end early at EOS; otherwise it runs to maxTokens.
    assert.deepEqual(r.ids, expected.slice(0, r.ids.length));
    assert.ok(r.stats.stopReason === 'length' || r.stats.stopReason === 'eos');
    assert.deepEqual(
      steps.map((s) => s.index),
      r.ids.map((_, i) => i),
    );
    assert.ok(streamed.length <= r.text.length && r.text.startsWith(streamed));
    for (const s of steps) {
      assert.equal(s.alternatives[0].id, s.id, 'greedy picks the top raw token');
      assert.equal(s.finalProb, 1);
      assert.ok(s.entropy > 0 && s.rawProb > 0 && s.rawProb <= 1);
    }
  }
});

test('a seed reproduces its output; resample of a kept step needs no model run', async () => {
  const a = await llama.generate({ prompt: { text: 'hello world' }, sampling: warm, topN: 3 }, () => undefined, never);
  const b = await llama.generate({ prompt: { text: 'hello world' }, sampling: warm, topN: 3 }, () => undefined, never);
  assert.deepEqual(a.ids, b.ids);
  assert.equal(a.stats.seed, 1234);
  // The second run reused the first one's cache for the prompt.
  assert.ok(b.stats.reusedTokens >= b.stats.promptTokens - 1);
  // Resampling step 3 with the same settings picks the same token; greedy picks the top raw one.
  const s3 = llama.resample(a.generationId, 3, warm, 5);
  assert.equal(s3.id, a.ids[3]);
  const g3 = llama.resample(a.generationId, 3, greedy, 5);
  assert.equal(g3.id, g3.alternatives[0].id);
  assert.throws(() => llama.resample(a.generationId, 999, warm, 5), /no step 999/);
});

test('a branch restarts from a step with a forced token and reuses the cache up to it', async () => {
  const a = await llama.generate({ prompt: { text: 'branch me' }, sampling: warm, topN: 3 }, () => undefined, never);
  const forced = (a.ids[2] + 1) % 512;
  const steps: TokenStep[] = [];
  const b = await llama.generate(
    { prompt: {}, sampling: warm, topN: 3, branch: { generationId: a.generationId, step: 2, forcedToken: forced } },
    (s) => steps.push(s),
    never,
  );
  assert.deepEqual(b.ids.slice(0, 2), a.ids.slice(0, 2));
  assert.equal(b.ids[2], forced);
  assert.equal(steps[0].index, 2);
  assert.equal(steps[0].forced, true);
  assert.equal(steps[0].id, forced);
  // The forced token's rank is exact even when it is not among the 3 reported alternatives.
  const above = steps[0].alternatives.filter((x) => x.rawProb > steps[0].rawProb).length;
  if (above < 3) assert.equal(steps[0].rank, above + 1);
  else assert.ok(steps[0].rank > 3, `rank ${steps[0].rank}`);
  assert.equal(b.stats.reusedTokens, a.stats.promptTokens + 1);
  // The same branch again gives the same continuation (the draws depend on seed and step only).
  const c = await llama.generate(
    { prompt: {}, sampling: warm, topN: 0, branch: { generationId: a.generationId, step: 2, forcedToken: forced } },
    () => undefined,
    never,
  );
  assert.deepEqual(c.ids, b.ids);
});

test('a FIM sentinel ends a generation like <|endoftext|>, and its text never reaches the output', async () => {
  const fim = llama.tokenizer.fim!;
  const a = await llama.generate({ prompt: { text: 'sentinel' }, sampling: warm, topN: 3 }, () => undefined, never);
  for (const forced of [fim.prefix, fim.suffix, fim.middle]) {
    const b = await llama.generate(
      { prompt: {}, sampling: warm, topN: 3, branch: { generationId: a.generationId, step: 2, forcedToken: forced } },
      () => undefined,
      never,
    );
    assert.equal(b.stats.stopReason, 'eos');
    assert.deepEqual(b.ids, [...a.ids.slice(0, 2), forced]);
    assert.ok(!b.text.includes('<|fim'), JSON.stringify(b.text));
  }
});

test('cancellation stops within one decode step', async () => {
  let cancel = false;
  const steps: TokenStep[] = [];
  const r = await llama.generate(
    { prompt: { text: 'cancel' }, sampling: { ...warm, maxTokens: 100 }, topN: 0 },
    (s) => {
      steps.push(s);
      if (steps.length === 3) cancel = true;
    },
    () => cancel,
  );
  assert.equal(r.stats.stopReason, 'cancelled');
  assert.equal(r.ids.length, 3);
});

test('stop sequences end the text before them', async () => {
  const a = await gpt2.generate({ prompt: { text: 'The' }, sampling: { ...warm, maxTokens: 20 }, topN: 0 }, () => undefined, never);
  const text = a.text;
  assert.ok(text.length > 6, `generated too little: ${JSON.stringify(text)}`);
  const stop = text.slice(3, 5);
  const first = text.indexOf(stop);
  let streamed = '';
  const b = await gpt2.generate(
    { prompt: { text: 'The' }, sampling: { ...warm, maxTokens: 20, stop: [stop] }, topN: 0 },
    (_, d) => (streamed += d),
    never,
  );
  assert.equal(b.stats.stopReason, 'stop');
  assert.equal(b.text, text.slice(0, first));
  assert.equal(streamed, b.text);
});

test('a token holding part of a character is reported with its bytes, and never streamed broken', async () => {
  const t = gpt2.tokenizer;
  const ids = t.encode('😀');
  const a = await gpt2.generate({ prompt: { text: 'x' }, sampling: { ...greedy, maxTokens: 2 }, topN: 2 }, () => undefined, never);
  const steps: TokenStep[] = [];
  const deltas: string[] = [];
  await gpt2.generate(
    { prompt: {}, sampling: { ...greedy, maxTokens: 0 }, topN: 2, branch: { generationId: a.generationId, step: 0, forcedToken: ids[0] } },
    (s, d) => {
      steps.push(s);
      deltas.push(d);
    },
    never,
  );
  assert.equal(steps[0].partial, true);
  assert.equal(steps[0].text, '');
  assert.deepEqual(steps[0].bytes, Array.from(t.tokenBytes(ids[0])));
  assert.deepEqual(deltas, ['']);
});

test('FIM prompts fall back to the prefix when the model has no FIM tokens; long prompts are cut to the context', () => {
  const p = gpt2.buildPrompt({ fim: { prefix: 'abc', suffix: 'xyz' } }, 8);
  assert.deepEqual(p, gpt2.tokenizer.encode('abc'));
  const long = gpt2.buildPrompt({ text: 'word '.repeat(500) }, 16);
  assert.equal(long.length, gpt2.info.contextLength - 16);
});

test('score: each token with its probability, rank and offset', async () => {
  const text = 'hello world, hello';
  const pos = await llama.score(text, 3, never);
  assert.equal(pos.map((p) => p.text).join(''), text);
  assert.equal(pos[0].rank, 0);
  for (const p of pos.slice(1)) {
    assert.ok(p.prob > 0 && p.prob <= 1 && p.rank >= 1);
    assert.equal(text.slice(p.offset, p.offset + p.text.length), p.text);
    assert.equal(p.alternatives.length, 3);
    if (p.rank === 1) assert.equal(p.alternatives[0].id, p.id);
  }
});

test("FIM prompts use the model's sentinels in PSM order", () => {
  const fim = llama.tokenizer.fim!;
  assert.ok(fim, 'llama-tiny has FIM tokens');
  assert.equal(llama.info.supportsFim, true);
  const p = llama.buildPrompt({ fim: { prefix: 'ab', suffix: 'cd' } }, 8);
  assert.deepEqual(p, [fim.prefix, ...llama.tokenizer.encode('ab'), fim.suffix, ...llama.tokenizer.encode('cd'), fim.middle]);
  // Too long for the context: the end of the prefix and the start of the suffix survive, sentinels intact.
  const long = llama.buildPrompt({ fim: { prefix: 'x'.repeat(2000) + 'END', suffix: 'START' + 'y'.repeat(2000) } }, 16);
  assert.ok(long.length <= llama.info.contextLength - 16);
  assert.equal(long[0], fim.prefix);
  assert.equal(long[long.length - 1], fim.middle);
  assert.ok(llama.tokenizer.decode(long.slice(1, long.indexOf(fim.suffix))).endsWith('END'));
  assert.ok(llama.tokenizer.decode(long.slice(long.indexOf(fim.suffix) + 1, -1)).startsWith('START'));
});

test('an empty prompt starts from the separator token', async () => {
  const r = await llama.generate({ prompt: { text: '' }, sampling: { ...greedy, maxTokens: 3 }, topN: 0 }, () => undefined, never);
  assert.equal(r.stats.promptTokens, 1);
  assert.ok(r.ids.length > 0);
});

test('a prompt longer than one prefill chunk gives the same logits as one run', async () => {
  const tokens = Array.from({ length: 200 }, (_, i) => (i * 31) % 512);
  const chunked = await loadOnnxEngine(join(FIXTURES, 'llama-tiny'), {
    providers: ['cpu'],
    onnxFile: 'model.onnx',
    threads: 1,
    prefillChunk: 48,
  });
  try {
    const a = await chunked.prefill(chunked.runner.newCache(), tokens, never);
    const b = await llama.prefill(llama.runner.newCache(), tokens, never);
    let diff = 0;
    for (let i = 0; i < a.logits.length; i++) diff = Math.max(diff, Math.abs(a.logits[i] - b.logits[i]));
    assert.ok(diff < 1e-4, `diff ${diff}`);
  } finally {
    await chunked.release();
  }
});

test('a prefill that yields between chunks to another request still ends with the right logits', async () => {
  const tokens = Array.from({ length: 150 }, (_, i) => (i * 17) % 512);
  const other = Array.from({ length: 60 }, (_, i) => (i * 5 + 1) % 512);
  const e = await loadOnnxEngine(join(FIXTURES, 'llama-tiny'), {
    providers: ['cpu'],
    onnxFile: 'model.onnx',
    threads: 1,
    prefillChunk: 48,
  });
  try {
    let yields = 0;
    const got = await e.prefill(e.runner.cache, tokens, never, async () => {
      yields++;
      if (yields > 1) return false;
      // The "more urgent request": moves the shared cache to other tokens.
      await e.prefill(e.runner.cache, other, never);
      return true;
    });
    assert.ok(yields >= 2);
    assert.deepEqual(e.runner.cache.tokens, tokens);
    const want = await e.prefill(e.runner.newCache(), tokens, never);
    let diff = 0;
    for (let i = 0; i < want.logits.length; i++) diff = Math.max(diff, Math.abs(got.logits[i] - want.logits[i]));
    assert.ok(diff < 1e-4, `diff ${diff}`);
  } finally {
    await e.release();
  }
});

test('score: a text longer than the context is scored whole, in overlapping windows', async () => {
  const text = 'the quick brown fox jumps over the lazy dog. '.repeat(40);
  const ids = llama.tokenizer.encode(text);
  assert.ok(ids.length > llama.info.contextLength * 1.5, `only ${ids.length} tokens`);
  const pos = await llama.score(text, 1, never);
  assert.equal(pos.length, ids.length);
  assert.deepEqual(
    pos.map((p) => p.id),
    ids,
  );
  assert.equal(pos.map((p) => p.text).join(''), text);
  // A token in the second window is predicted from that window: the tokens from ctx/2 on.
  const half = llama.info.contextLength / 2;
  const at = llama.info.contextLength + 5;
  const cache = llama.runner.newCache();
  const { logits } = await llama.prefill(cache, ids.slice(half, at), never);
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  let sum = 0;
  for (const x of logits) sum += Math.exp(x - max);
  assert.ok(Math.abs(pos[at].prob - Math.exp(logits[ids[at]] - max) / sum) < 1e-5);
});

test('generations that keep no logits (maxTokens 0, cancelled in prefill) are dropped past the count bound', async () => {
  const first = await llama.generate({ prompt: { text: 'kept?' }, sampling: { ...greedy, maxTokens: 0 }, topN: 0 }, () => undefined, never);
  assert.equal(first.stats.stopReason, 'length');
  assert.deepEqual(first.ids, []);
  const cancelled = await llama.generate(
    { prompt: { text: 'kept?' }, sampling: greedy, topN: 0 },
    () => undefined,
    () => true,
  );
  assert.equal(cancelled.stats.stopReason, 'cancelled');
  const branchOf = (generationId: number) => ({ prompt: {}, sampling: greedy, topN: 0, branch: { generationId, step: 0, forcedToken: 1 } });
  // Kept, but with no step to branch from.
  await assert.rejects(
    llama.generate(branchOf(first.generationId), () => undefined, never),
    /has no step 0/,
  );
  for (let i = 0; i < 300; i++)
    await llama.generate({ prompt: { text: 'kept?' }, sampling: { ...greedy, maxTokens: 0 }, topN: 0 }, () => undefined, never);
  assert.equal(llama.keptGenerations, KEPT_GENERATIONS);
  await assert.rejects(
    llama.generate(branchOf(first.generationId), () => undefined, never),
    /is no longer kept/,
  );
});
