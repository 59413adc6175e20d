// The worker as a child process, through the connection and the runtime the extension uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RuntimeError } from '../../../model-runtime/errors';
import { ModelRuntime, type RuntimeState } from '../../../model-runtime/runtime';
import { WorkerConnection } from '../../../model-runtime/worker-connection';
import type { SamplingSettings } from '../../../model-runtime/protocol';
import { FIXTURES } from './fixtures';
import { RawWorker } from './raw-worker';
import { DEFAULT_SAMPLER } from '../../../sampling/sampler';

const workerPath = resolve('dist/worker.js');
const model = { modelDir: join(FIXTURES, 'llama-tiny'), providers: ['cpu'], onnxFile: 'model.onnx', threads: 1 };
const sampling: SamplingSettings = {
  ...DEFAULT_SAMPLER,
  temperature: 1,
  seed: 7,
  maxTokens: 200,
  stop: [],
};

test('the worker bundle exists (npm test builds it first)', () => {
  assert.ok(existsSync(workerPath), workerPath);
});

test('load, stream a generation, tokenize, resample, score; bad folders fail with their code', async () => {
  const w = new WorkerConnection({ workerPath });
  try {
    await w.ready;
    await assert.rejects(w.generate({ prompt: { text: 'x' }, sampling, topN: 0 }), (e: RuntimeError) => e.code === 'not-loaded');
    await assert.rejects(
      w.load({ modelDir: join(FIXTURES, 'nope') }),
      (e: RuntimeError) => e.code === 'model-folder' && /nope/.test(e.message),
    );
    const { model: info, provider } = await w.load(model);
    assert.equal(info.architecture, 'llama');
    assert.equal(info.kvHeads, 2);
    assert.equal(provider.active, 'cpu');
    let streamed = '';
    let events = 0;
    let startedAs: number | undefined;
    const r = await w.generate({
      prompt: { text: 'hello' },
      sampling: { ...sampling, maxTokens: 10 },
      topN: 4,
      onStart: (g) => {
        assert.equal(events, 0, 'the id comes before the first token');
        startedAs = g;
      },
      onToken: (_s, d, g) => {
        streamed += d;
        events++;
        assert.ok(g > 0);
      },
    });
    assert.equal(startedAs, r.generationId);
    assert.equal(events, r.ids.length);
    assert.ok(r.text.startsWith(streamed));
    const again = await w.resample(r.generationId, 1, sampling, 4);
    assert.equal(again.id, r.ids[1]);
    const toks = await w.tokenize('hello world');
    assert.equal(toks.map((t) => t.text).join(''), 'hello world');
    let progress = 0;
    const scored = await w.score('hello world', 2, () => progress++);
    assert.equal(scored.length, toks.length);
    assert.ok(progress > 0);
    const mem = await w.memory();
    assert.ok(mem.peakRss >= mem.rss * 0.5 && mem.cachedTokens > 0);
  } finally {
    w.dispose();
  }
});

test("generation ids: two workers never share one, and after a reload an earlier model's id is refused, not aliased", async () => {
  const a = new WorkerConnection({ workerPath });
  const b = new WorkerConnection({ workerPath });
  try {
    await Promise.all([a.ready, b.ready]);
    await Promise.all([a.load(model), b.load(model)]);
    const ask = { prompt: { text: 'hello' }, sampling: { ...sampling, maxTokens: 3 }, topN: 2 };
    const [ra, rb] = [await a.generate(ask), await b.generate(ask)];
    assert.notEqual(ra.generationId, rb.generationId, 'the chat and completion workers number their generations apart');
    // The same model again in the same worker: a new range, and the old id names nothing.
    await a.load(model);
    const again = await a.generate(ask);
    assert.ok(again.generationId !== ra.generationId && again.generationId !== rb.generationId);
    await assert.rejects(a.resample(ra.generationId, 0, sampling, 2), /no longer kept/);
    await assert.rejects(a.resample(rb.generationId, 0, sampling, 2), /no longer kept/);
  } finally {
    a.dispose();
    b.dispose();
  }
});

test('cancellation: a running generation ends early, a queued one never starts', async () => {
  const w = new WorkerConnection({ workerPath });
  try {
    await w.load(model);
    const ac = new AbortController();
    let n = 0;
    const running = w.generate({ prompt: { text: 'a' }, sampling, topN: 0, signal: ac.signal, onToken: () => ++n === 3 && ac.abort() });
    const queued = new AbortController();
    const waiting = w.generate({ prompt: { text: 'b' }, sampling, topN: 0, signal: queued.signal });
    queued.abort();
    const r = await running;
    assert.equal(r.stats.stopReason, 'cancelled');
    assert.ok(r.ids.length < 200, `generated ${r.ids.length}`);
    const q = await waiting;
    assert.equal(q.stats.stopReason, 'cancelled');
    assert.equal(q.ids.length, 0);
    // A cancelled score rejects with 'cancelled'.
    const sc = new AbortController();
    sc.abort();
    await assert.rejects(w.score('some text to score', 1, undefined, sc.signal), (e: RuntimeError) => e.code === 'cancelled');
  } finally {
    w.dispose();
  }
});

test('a crashed worker fails in-flight requests with worker-crashed, restarts, reloads and keeps serving', async () => {
  const c = new ModelRuntime({ workerPath });
  const states: RuntimeState['kind'][] = [];
  c.onDidChangeState((s) => states.push(s.kind));
  try {
    await c.start(model);
    const firstPid = c.pid();
    let killed = false;
    const inflight = c.generate({
      prompt: { text: 'crash' },
      sampling,
      topN: 0,
      onToken: () => {
        if (!killed) {
          killed = true;
          c.kill();
        }
      },
    });
    await assert.rejects(inflight, (e: RuntimeError) => e.code === 'worker-crashed' && /crashed/.test(e.message));
    const reloaded = await c.whenReady();
    assert.equal(reloaded.architecture, 'llama');
    assert.notEqual(c.pid(), firstPid);
    assert.equal(c.starts, 2);
    const r = await c.generate({ prompt: { text: 'after' }, sampling: { ...sampling, maxTokens: 5 }, topN: 0 });
    assert.equal(r.ids.length, 5);
    for (const k of ['loading', 'ready', 'busy', 'error'] as const) assert.ok(states.includes(k), `state ${k} seen: ${states.join(',')}`);
    assert.equal(c.state.kind, 'ready');
  } finally {
    c.dispose();
  }
});

test('an interactive request overtakes a running normal one, which then continues unchanged', async () => {
  const w = new WorkerConnection({ workerPath });
  try {
    await w.load(model);
    const long = { ...sampling, maxTokens: 150, seed: 99 };
    const alone = await w.generate({ prompt: { text: 'the long one' }, sampling: long, topN: 0 });
    const order: string[] = [];
    const normal = w.generate({ prompt: { text: 'the long one' }, sampling: long, topN: 0, priority: 'normal' }).then((r) => {
      order.push('normal');
      return r;
    });
    const quick = w
      .generate({ prompt: { text: 'quick!' }, sampling: { ...sampling, maxTokens: 3 }, topN: 0, priority: 'interactive' })
      .then((r) => {
        order.push('interactive');
        return r;
      });
    const [n, q] = await Promise.all([normal, quick]);
    assert.deepEqual(order, ['interactive', 'normal']);
    assert.equal(q.ids.length, 3);
    assert.ok(n.ids.length > 20, `normal ended after ${n.ids.length}`);
    // The interrupted generation produced exactly what it produces alone.
    assert.deepEqual(n.ids, alone.ids);
  } finally {
    w.dispose();
  }
});

test('a failed load keeps the model that was serving, and the state says why', async () => {
  const rt = new ModelRuntime({ workerPath });
  try {
    await rt.start(model);
    const pid = rt.pid();
    await assert.rejects(rt.start({ ...model, modelDir: join(FIXTURES, 'nope') }), (e: RuntimeError) => e.code === 'model-folder');
    assert.equal(rt.model()?.architecture, 'llama');
    assert.equal(rt.pid(), pid, 'the serving worker was left alone');
    assert.ok(rt.state.kind === 'ready' && /loading .*nope failed .*still using/.test(rt.state.notice ?? ''), JSON.stringify(rt.state));
    const r = await rt.generate({ prompt: { text: 'still here' }, sampling: { ...sampling, maxTokens: 4 }, topN: 0 });
    assert.equal(r.ids.length, 4);
    // A good folder replaces the serving model, and the notice goes.
    const gpt2 = await rt.start({ ...model, modelDir: join(FIXTURES, 'gpt2-tiny') });
    assert.equal(gpt2.architecture, 'gpt2');
    assert.notEqual(rt.pid(), pid);
    assert.ok(rt.state.kind === 'ready' && rt.state.notice === undefined);
  } finally {
    rt.dispose();
  }
});

test('frequent heartbeats never disturb real requests', async () => {
  const w = new WorkerConnection({ workerPath, watchdog: { heartbeatMs: 10 } });
  try {
    await w.load(model);
    const r = await w.generate({ prompt: { text: 'beat' }, sampling: { ...sampling, maxTokens: 30 }, topN: 2 });
    assert.equal(r.ids.length, 30);
    assert.equal((await w.score('hello world', 2)).length > 0, true);
    assert.equal(w.alive, true);
  } finally {
    w.dispose();
  }
});

test('malformed messages never crash the worker: answered bad-request under their id, else logged', async () => {
  const w = new RawWorker();
  try {
    assert.equal((await w.request({ type: 'load', ...model })).type, 'loaded');
    for (const junk of [null, 5, 'load', [1], { type: 'generate' }, { type: 'memory', id: 1.5 }, { type: 'bogus' }]) w.send(junk);
    const answers = await Promise.all([
      w.request({ type: 'bogus' }),
      w.request({ type: 'generate', priority: 'normal', prompt: null, sampling, topN: 0 }),
      w.request({ type: 'generate', priority: 'normal', prompt: { tokens: [1e9] }, sampling, topN: 0 }),
      w.request({ type: 'tokenize', text: 42 }),
    ]);
    for (const a of answers) assert.ok(a.type === 'error' && a.code === 'bad-request', JSON.stringify(a));
    const mem = await w.request({ type: 'memory' });
    assert.equal(mem.type, 'memory');
    assert.equal(w.logs.filter((l) => l.startsWith('ignored a malformed message')).length, 7);
    assert.equal(w.exit, undefined);
    for (const [id, list] of w.finals) assert.equal(list.length, 1, `request ${id} answered ${list.length} times`);
  } finally {
    w.kill();
  }
});

test('a folder that fails its checks leaves the loaded model serving in the same worker', async () => {
  const w = new RawWorker();
  try {
    await w.request({ type: 'load', ...model });
    const bad = await w.request({ type: 'load', ...model, modelDir: join(FIXTURES, 'nope') });
    assert.ok(bad.type === 'error' && bad.code === 'model-folder', JSON.stringify(bad));
    const r = await w.request({
      type: 'generate',
      priority: 'normal',
      prompt: { text: 'still' },
      sampling: { ...sampling, maxTokens: 3 },
      topN: 0,
    });
    assert.ok(r.type === 'done' && r.ids.length === 3, JSON.stringify(r));
  } finally {
    w.kill();
  }
});
