import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../../../../model-runtime/engine';
import { chatFormatFor, chatPrompt } from '../../../../model-runtime/chat-template';
import { RuntimeError } from '../../../../model-runtime/errors';
import { loadGgufEngine } from '../../../../model-runtime/gguf/load';
import type { GgufEngine } from '../../../../model-runtime/gguf/gguf-engine';
import type { GgufRunner } from '../../../../model-runtime/gguf/runner';
import { loadOnnxEngine } from '../../../../model-runtime/onnx/load';
import type { SamplingSettings, TokenStep } from '../../../../model-runtime/protocol';
import type { RunnerEngine } from '../../../../model-runtime/runner-engine';
import { loadTokenizer } from '../../../../model-runtime/tokenizer';
import { readModelFolder } from '../../../../model-runtime/model-folder';
import { DEFAULT_SAMPLER } from '../../../../sampling/sampler';
import { FIXTURES, reference } from '../fixtures';

const greedy: SamplingSettings = { ...DEFAULT_SAMPLER, temperature: 0, maxTokens: 12, stop: [] };
const never = () => false;
const NAMES = ['llama-tiny', 'qwen2-tiny'] as const;
const gguf = new Map<string, RunnerEngine>();
let onnx: Engine;

before(async () => {
  for (const n of NAMES) gguf.set(n, (await loadGgufEngine(join(FIXTURES, 'gguf', `${n}-f32.gguf`), { threads: 1 })) as RunnerEngine);
  onnx = await loadOnnxEngine(join(FIXTURES, 'llama-tiny'), { providers: ['cpu'], onnxFile: 'model.onnx', threads: 1 });
});
after(async () => {
  for (const e of gguf.values()) await e.release();
  await onnx.release();
});

test("llama.cpp's logits on the converted weights equal the fixture's reference (torch) at every step", async () => {
  for (const n of NAMES) {
    const engine = gguf.get(n)!;
    const runner = engine.runner as GgufRunner;
    const cache = runner.newCache();
    const ref = reference(n);
    for (const [k, step] of ref.steps.entries()) {
      const out = await runner.run(cache, step.feed, 1);
      const row = out.data.subarray(out.data.length - engine.info.vocabSize);
      step.check_ids.forEach((id, j) => {
        assert.ok(Math.abs(row[id] - step.check_logits[j]) < 1e-3, `${n} step ${k} token ${id}: ${row[id]} vs ${step.check_logits[j]}`);
      });
      let best = 0;
      for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
      assert.equal(best, step.argmax, `${n} step ${k} argmax`);
    }
    cache.release();
  }
});

test("the GGUF file's tokenizer gives our tokenizer's ids and decodes back to the same text", () => {
  const ours = loadTokenizer(readModelFolder(join(FIXTURES, 'llama-tiny')));
  const theirs = gguf.get('llama-tiny')!.tokenizer;
  const texts = ['def hello(x):\n    return x + 1  # done?', 'Is it, really. Yes! ok?', '  two  spaces\n\n\ttab', 'naïve café ✓'];
  for (const t of texts) {
    assert.deepEqual(theirs.encode(t), ours.encode(t), t);
    assert.equal(theirs.decode(theirs.encode(t)), t);
  }
  for (let id = 0; id < ours.vocabSize; id++) assert.deepEqual(theirs.tokenBytes(id), ours.tokenBytes(id), `token ${id}`);
  assert.deepEqual(theirs.fim && { ...theirs.fim }, ours.fim && { ...ours.fim });
});

test('greedy generation and next-token probabilities equal onnxruntime on the same weights', async () => {
  const engine = gguf.get('llama-tiny')!;
  const prompt = { text: 'for i in range(10):\n' };
  const a: TokenStep[] = [];
  const b: TokenStep[] = [];
  const ra = await engine.generate({ prompt, sampling: greedy, topN: 5 }, (s) => a.push(s), never);
  const rb = await onnx.generate({ prompt, sampling: greedy, topN: 5 }, (s) => b.push(s), never);
  assert.deepEqual(ra.ids, rb.ids);
  assert.ok(ra.ids.length > 0);
  for (const [i, s] of a.entries()) {
    assert.ok(Math.abs(s.rawProb - b[i].rawProb) < 1e-4, `step ${i}: ${s.rawProb} vs ${b[i].rawProb}`);
    assert.deepEqual(
      s.alternatives.map((x) => x.id),
      b[i].alternatives.map((x) => x.id),
    );
  }
});

test('a longer prompt reuses the cached prefix; resample, branch and scoring work on llama.cpp', async () => {
  const engine = gguf.get('qwen2-tiny')!;
  const warm: SamplingSettings = { ...greedy, temperature: 0.9, topK: 20, seed: 7, maxTokens: 6 };
  const first = await engine.generate({ prompt: { text: 'import os\nimport sys\n' }, sampling: warm, topN: 3 }, () => undefined, never);
  const again = await engine.generate({ prompt: { text: 'import os\nimport sys\n' }, sampling: warm, topN: 3 }, () => undefined, never);
  assert.deepEqual(again.ids, first.ids, 'same seed, same draws');
  assert.ok(again.stats.reusedTokens >= again.stats.promptTokens - 1);
  const longer = await engine.generate(
    { prompt: { text: 'import os\nimport sys\nimport re\n' }, sampling: warm, topN: 3 },
    () => undefined,
    never,
  );
  assert.ok(longer.stats.reusedTokens > 0, 'the common prefix is kept');
  const s2 = engine.resample(first.generationId, 2, warm, 5);
  assert.equal(s2.id, first.ids[2]);
  const forced = (first.ids[1] + 1) % 512;
  const branched = await engine.generate(
    { prompt: { text: '' }, sampling: warm, topN: 3, branch: { generationId: first.generationId, step: 1, forcedToken: forced } },
    () => undefined,
    never,
  );
  assert.deepEqual(branched.ids.slice(0, 2), [first.ids[0], forced]);
  const scored = await engine.score('def f(x):\n    return x\n', 3, never);
  assert.equal(scored.length, engine.tokenize('def f(x):\n    return x\n').length);
  assert.ok(scored.slice(1).every((p) => p.prob > 0 && p.prob <= 1));
});

test('a cancel ends a generation within one step', async () => {
  const engine = gguf.get('llama-tiny')!;
  let steps = 0;
  const r = await engine.generate(
    { prompt: { text: 'x = ' }, sampling: { ...greedy, maxTokens: 50 }, topN: 0 },
    () => steps++,
    () => steps >= 3,
  );
  assert.equal(r.stats.stopReason, 'cancelled');
  assert.equal(r.ids.length, 3);
});

test('the backend report names the backend in use and why each GPU one was not', () => {
  const p = gguf.get('llama-tiny')!.provider;
  assert.ok(['cpu', 'cuda', 'vulkan', 'metal'].includes(p.active));
  if (p.active === 'cpu') for (const f of p.fallbacks) assert.ok(f.reason.length > 0);
  assert.match(p.notes?.[0] ?? '', /llama\.cpp/);
});

test('a file that is not GGUF fails with an error naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gguf-'));
  const bad = join(dir, 'broken.gguf');
  writeFileSync(bad, Buffer.alloc(4096, 7));
  await assert.rejects(loadGgufEngine(bad), (e: unknown) => e instanceof RuntimeError && e.message.includes('broken.gguf'));
  await assert.rejects(loadGgufEngine(join(dir, 'missing.gguf')), /missing\.gguf: cannot be read/);
  // A download cut short: llama.cpp's own reason, not "Failed to load model".
  const cut = join(dir, 'cut.gguf');
  writeFileSync(cut, readFileSync(join(FIXTURES, 'gguf', 'llama-tiny-f32.gguf')).subarray(0, 60_000));
  await assert.rejects(loadGgufEngine(cut), /cut\.gguf: llama\.cpp cannot load it \(.*not within the file bounds/);
});

test("a GGUF file's own chat template builds the chat prompt; a file without one gets the transcript", () => {
  const chat = gguf.get('qwen2-tiny')!.info;
  assert.match(chat.chatTemplate?.template ?? '', /im_start/);
  const { prompt } = chatPrompt(chat, [{ role: 'user', content: 'hi' }]);
  assert.equal('text' in prompt && prompt.text, '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n');
  assert.equal(chatFormatFor(chat.dir, chat.chatTemplate).name, 'chat template (GGUF metadata)');
  const base = gguf.get('llama-tiny')!.info;
  assert.equal(base.chatTemplate, undefined);
  assert.equal(chatFormatFor(base.dir, base.chatTemplate).name, 'plain transcript');
});

for (const [label, penalties] of [
  ['plain', {}],
  ['with penalties', { repetitionPenalty: 1.3, presencePenalty: 0.4, frequencyPenalty: 0.2 }],
] as const) {
  test(`an unwatched greedy generation (${label}) decodes natively; its figures, fetched later, equal the exact path`, async () => {
    await unwatchedEqualsExact({ ...greedy, maxTokens: 24, ...penalties });
  });
}

async function unwatchedEqualsExact(greedy: SamplingSettings): Promise<void> {
  const engine = gguf.get('llama-tiny')! as GgufEngine;
  const prompt = { text: 'while True:\n' };
  const live: TokenStep[] = [];
  const fast = await engine.generate({ prompt, sampling: greedy, topN: 5, detail: 'deferred' }, (s) => live.push(s), never);
  assert.ok(live.length > 0 && live.every((s) => s.deferred && s.alternatives.length === 0), 'token-only steps');
  const exact: TokenStep[] = [];
  const full = await engine.generate({ prompt, sampling: greedy, topN: 5 }, (s) => exact.push(s), never);
  assert.deepEqual(fast.ids, full.ids);
  assert.equal(fast.text, full.text);
  assert.ok(full.stats.reusedTokens >= full.stats.promptTokens - 1, 'the native decode left the cache in step');
  const detailed = await engine.detail(fast.generationId, 5, never);
  assert.equal(detailed.length, exact.length);
  for (const [i, s] of detailed.entries()) {
    assert.equal(s.deferred, undefined);
    assert.equal(s.id, exact[i].id);
    assert.ok(Math.abs(s.rawProb - exact[i].rawProb) < 1e-4 && Math.abs(s.entropy - exact[i].entropy) < 1e-3, `step ${i}`);
    assert.deepEqual(
      s.alternatives.map((a) => a.id),
      exact[i].alternatives.map((a) => a.id),
    );
  }
  // Once detailed, the kept logits serve resample and branch like any generation's.
  assert.equal(engine.resample(fast.generationId, 1, greedy, 3).id, fast.ids[1]);
  await assert.rejects(engine.detail(full.generationId, 5, never), /not decoded natively/);
}

test('a deferred request that samples takes the exact path', async () => {
  const engine = gguf.get('llama-tiny')!;
  for (const sampling of [{ ...greedy, temperature: 0.8, seed: 3 }]) {
    const steps: TokenStep[] = [];
    await engine.generate({ prompt: { text: 'x = 1\n' }, sampling, topN: 3, detail: 'deferred' }, (s) => steps.push(s), never);
    assert.ok(steps.length > 0 && steps.every((s) => !s.deferred && s.alternatives.length > 0));
  }
});

test('a cancel ends a native decode within one step and keeps the cache usable', async () => {
  const engine = gguf.get('qwen2-tiny')!;
  let steps = 0;
  const r = await engine.generate(
    { prompt: { text: 'y = ' }, sampling: { ...greedy, maxTokens: 50 }, topN: 0, detail: 'deferred' },
    () => steps++,
    () => steps >= 2,
  );
  assert.equal(r.stats.stopReason, 'cancelled');
  assert.equal(r.ids.length, 2);
  const again = await engine.generate({ prompt: { text: 'y = ' }, sampling: { ...greedy, maxTokens: 2 }, topN: 3 }, () => undefined, never);
  assert.deepEqual(again.ids, r.ids);
});
