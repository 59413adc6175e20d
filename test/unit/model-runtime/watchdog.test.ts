// The watchdog: its rules on a fake clock, then a real worker process that stops answering (fake-worker.cjs)
// detected, killed and restarted through the connection and the runtime the extension uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import type { RuntimeError } from '../../../model-runtime/errors';
import type { SamplingSettings } from '../../../model-runtime/protocol';
import { ModelRuntime, type RuntimeState } from '../../../model-runtime/runtime';
import { Watchdog, type WatchdogOptions } from '../../../model-runtime/watchdog';
import { WorkerConnection } from '../../../model-runtime/worker-connection';
import { DEFAULT_SAMPLER } from '../../../sampling/sampler';

const fakeWorker = resolve('test/unit/model-runtime/fake-worker.cjs');
const sampling: SamplingSettings = {
  ...DEFAULT_SAMPLER,
  temperature: 0,
  maxTokens: 5,
  stop: [],
};
const ask = { prompt: { text: 'x' }, sampling, topN: 0 };
/** Short limits for the fake worker (it answers at once), long enough for a busy machine to answer heartbeats. */
const quick: WatchdogOptions = { heartbeatMs: 50, unresponsiveMs: 1000, deadlines: { generate: 3000, load: 1500 } };
const fake = (mode: string) => ({ workerPath: fakeWorker, env: { FAKE_WORKER: mode }, watchdog: quick });

function clock() {
  let t = 1_000;
  const now = () => t;
  const advance = (ms: number) => {
    t += ms;
  };
  return { now, advance };
}

/** Checks every 100 ms of fake time (as the connection's timer would), up to `ms`; the first verdict. */
function run(w: Watchdog, c: ReturnType<typeof clock>, ms: number) {
  for (let spent = 0; spent < ms; spent += 100) {
    c.advance(100);
    const v = w.check();
    if (v) return v;
  }
  return undefined;
}

test('rules: an unanswered heartbeat past the limit is a verdict, an answered one is not', () => {
  const c = clock();
  const w = new Watchdog({ heartbeatMs: 100, unresponsiveMs: 1000 }, c.now);
  w.heartbeatSent();
  assert.equal(run(w, c, 900), undefined);
  w.heartbeatAnswered();
  assert.equal(w.heartbeatDue(), true);
  assert.equal(run(w, c, 5000), undefined, 'no heartbeat outstanding: nothing to judge');
  w.heartbeatSent();
  const v = run(w, c, 2000);
  assert.equal(v?.what, 'no heartbeat');
  assert.ok(v!.silentMs > 1000 && v!.silentMs <= 1100, String(v?.silentMs));
});

test('rules: a generation is judged by the time since its last token; an answered request is forgotten', () => {
  const c = clock();
  const w = new Watchdog({ heartbeatMs: 100, deadlines: { generate: 1000, tokenize: 500 } }, c.now);
  w.started(1, 'generate');
  for (let i = 0; i < 10; i++) {
    assert.equal(run(w, c, 800), undefined);
    w.progressed(1);
  }
  assert.match(run(w, c, 2000)?.what ?? '', /no new token/);
  w.finished(1);
  assert.equal(run(w, c, 5000), undefined);
  w.started(2, 'tokenize');
  assert.match(run(w, c, 1000)?.what ?? '', /no answer to tokenize/);
});

test('rules: a request queued behind a moving one waits without a verdict; during a load every limit is the load one', () => {
  const c = clock();
  const w = new Watchdog({ heartbeatMs: 100, unresponsiveMs: 500, deadlines: { generate: 1000, load: 5000 } }, c.now);
  w.started(1, 'generate');
  w.started(2, 'score');
  for (let i = 0; i < 10; i++) {
    assert.equal(run(w, c, 800), undefined);
    w.progressed(1);
  }
  w.finished(1);
  w.finished(2);
  // The worker's event loop is blocked while a model loads (onnxruntime creates the session synchronously).
  w.started(3, 'load');
  w.heartbeatSent();
  assert.equal(run(w, c, 4800), undefined, 'the heartbeat limit (500 ms) waits for the load');
  assert.equal(run(w, c, 400)?.what, 'loading the model did not finish');
});

test('rules: a check far later than scheduled (this process was paused) starts the clocks again', () => {
  const c = clock();
  const w = new Watchdog({ heartbeatMs: 100, unresponsiveMs: 1000 }, c.now);
  w.heartbeatSent();
  c.advance(60_000);
  assert.equal(w.check(), undefined);
  assert.equal(run(w, c, 900), undefined);
  assert.equal(run(w, c, 300)?.what, 'no heartbeat');
});

test('a worker stuck in an endless loop is killed; its requests fail saying it stopped answering', async () => {
  const w = new WorkerConnection(fake('spin-on-generate'));
  let exitInfo = '';
  w.onExit((info) => {
    exitInfo = info;
  });
  try {
    await w.ready;
    await w.load({ modelDir: '/fake' });
    await assert.rejects(
      w.generate(ask),
      (e: RuntimeError) => e.code === 'worker-crashed' && /stopped answering for \d+(\.\d)? s \(no heartbeat\)/.test(e.message),
    );
    assert.equal(w.alive, false);
    assert.match(exitInfo, /stopped answering/);
    await assert.rejects(w.tokenize('x'), (e: RuntimeError) => e.code === 'worker-crashed');
  } finally {
    w.dispose();
  }
});

test('a generation that never answers while heartbeats do is killed at its deadline', async () => {
  const w = new WorkerConnection(fake('silent-on-generate'));
  try {
    await w.load({ modelDir: '/fake' });
    // Heartbeats keep coming: only the per-request deadline can catch this.
    assert.ok((await w.memory()).rss > 0);
    await assert.rejects(w.generate(ask), (e: RuntimeError) => /stopped answering .*no new token/.test(e.message));
  } finally {
    w.dispose();
  }
});

test('the runtime restarts a stuck worker, fails its request clearly, and the state says so', async () => {
  const states: RuntimeState[] = [];
  const rt = new ModelRuntime(fake('spin-on-generate'));
  rt.onDidChangeState((s) => states.push(s));
  try {
    await rt.start({ modelDir: '/fake' });
    const firstPid = rt.pid();
    await assert.rejects(rt.generate(ask), (e: RuntimeError) =>
      /^the model worker stopped answering for .* s .*; restarted$/.test(e.message),
    );
    const restarting = states.find((s) => s.kind === 'error');
    assert.ok(restarting?.kind === 'error' && restarting.restarting && /stopped answering/.test(restarting.message));
    await rt.whenReady();
    assert.notEqual(rt.pid(), firstPid);
    assert.equal(rt.starts, 2);
    assert.ok(rt.state.kind === 'ready' && /stopped answering .*restarted at/.test(rt.state.notice ?? ''), JSON.stringify(rt.state));
  } finally {
    rt.dispose();
  }
});

test('a load that never finishes is killed at the load deadline', async () => {
  const rt = new ModelRuntime({ ...fake('spin-on-load'), maxRestarts: 0 });
  try {
    await assert.rejects(rt.start({ modelDir: '/fake' }), (e: RuntimeError) => /loading the model did not finish/.test(e.message));
  } finally {
    rt.dispose();
  }
});

test('after the crash budget the state says "stopped after N crashes", requests fail with it, and start() begins again', async () => {
  const rt = new ModelRuntime({ ...fake('spin-on-generate'), maxRestarts: 1 });
  try {
    await rt.start({ modelDir: '/fake' });
    await assert.rejects(rt.generate(ask), /restarted$/);
    await rt.whenReady();
    await assert.rejects(rt.generate(ask), /stopped after 2 crashes; not restarted again$/);
    assert.equal(rt.state.kind, 'stopped');
    assert.match(rt.state.kind === 'stopped' ? (rt.state.reason ?? '') : '', /stopped after 2 crashes within 60 s .*Restart/);
    assert.equal(rt.pid(), undefined, 'no worker is started again');
    // Not "no model is loaded": the reason.
    await assert.rejects(rt.generate(ask), (e: RuntimeError) => e.code === 'worker-crashed' && /stopped after 2 crashes/.test(e.message));
    await rt.start({ modelDir: '/fake' });
    assert.equal(rt.state.kind, 'ready');
    assert.equal(rt.starts, 3);
  } finally {
    rt.dispose();
  }
});
