// 100 kills of the worker at seeded random moments during real requests, through the ModelRuntime the
// extension uses: every request in flight fails with 'worker-crashed' (saying the worker was restarted), none
// hangs, and the next request is served by the restarted worker.
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { RuntimeError } from '../../model-runtime/errors';
import type { SamplingSettings } from '../../model-runtime/protocol';
import { ModelRuntime } from '../../model-runtime/runtime';
import { FIXTURES } from '../unit/model-runtime/fixtures';
import { Seeded, seedOf } from './seeded';
import { DEFAULT_SAMPLER } from '../../sampling/sampler';

const KILLS = 100;
const model = { modelDir: join(FIXTURES, 'llama-tiny'), providers: ['cpu'], threads: 1 };
const sampling: SamplingSettings = {
  ...DEFAULT_SAMPLER,
  temperature: 1,
  seed: 3,
  maxTokens: 200,
  stop: [],
};
const LONG_TEXT = 'function add(a, b) {\n  return a + b;\n}\n'.repeat(60);

/** When the kill comes: at the k-th token, at the first score progress, after some event-loop turns, at once, or while the restarted worker loads. */
const MOMENTS = ['token', 'progress', 'turns', 'immediately', 'loading'] as const;
type Moment = (typeof MOMENTS)[number];

interface Cycle {
  rt: ModelRuntime;
  rng: Seeded;
  /** The latest generation, and the worker that made it (resample needs the same worker). */
  last?: { pid: number | undefined; id: number; steps: number };
}

/** A request of a random kind; 'kill' is called by the request itself at its moment. */
function request(c: Cycle, kind: string, onEvent: () => void): Promise<unknown> {
  const { rt, rng } = c;
  if (kind === 'score') return rt.score(LONG_TEXT, 2, onEvent);
  if (kind === 'tokenize') return rt.tokenize(LONG_TEXT.repeat(rng.int(1, 20)));
  if (kind === 'resample' && c.last && c.last.pid === rt.pid())
    return rt.resample(c.last.id, rng.int(0, c.last.steps - 1), { ...sampling, temperature: 0.5 }, 3);
  const pid = rt.pid();
  return rt.generate({ prompt: { text: `kill ${rng.int(0, 1e6)}` }, sampling, topN: 2, onToken: onEvent }).then((r) => {
    if (r.ids.length) c.last = { pid, id: r.generationId, steps: r.ids.length };
    return r;
  });
}

/** One kill at `moment`, with one to three requests in flight; resolves when every request has settled. */
async function killCycle(c: Cycle, moment: Moment): Promise<PromiseSettledResult<unknown>[]> {
  let killed = false;
  const kill = () => {
    if (!killed) {
      killed = true;
      c.rt.kill();
    }
  };
  // 'token': at the k-th token of a generation; 'progress': at the first progress of a score.
  const killAt = moment === 'token' ? c.rng.int(1, 30) : moment === 'progress' ? 1 : 0;
  let events = 0;
  const onEvent = () => {
    if (++events === killAt) kill();
  };
  const reqs = [request(c, moment === 'progress' ? 'score' : 'generate', onEvent)];
  for (let i = c.rng.int(0, 2); i > 0; i--)
    reqs.push(request(c, c.rng.pick(['generate', 'score', 'tokenize', 'resample']), () => undefined));
  let pending = reqs.length;
  for (const r of reqs) r.finally(() => pending--).catch(() => undefined);
  if (moment === 'immediately' || moment === 'loading') kill();
  if (moment === 'turns') {
    for (let i = c.rng.int(0, 200); i > 0 && pending > 0; i--) await new Promise(setImmediate);
    if (pending > 0) kill();
  }
  let settled = await Promise.allSettled(reqs);
  if (!killed) {
    // Everything ended (end of sequence) before the moment came: kill during another generation.
    const late = request(c, 'generate', () => undefined);
    kill();
    settled = [...settled, ...(await Promise.allSettled([late]))];
  }
  return settled;
}

/** A request after the kills: served by the restarted worker. */
async function served(rt: ModelRuntime): Promise<void> {
  await rt.whenReady();
  const r = await rt.generate({ prompt: { text: 'after the kill' }, sampling: { ...sampling, maxTokens: 2 }, topN: 0 });
  assert.equal(r.ids.length, 2);
}

test(`${KILLS} worker kills at seeded random moments: in-flight requests fail clearly, the next is served`, {
  timeout: 600_000,
}, async () => {
  const seed = seedOf(20240601);
  const rt = new ModelRuntime({ workerPath: resolve('dist/worker.js'), maxRestarts: KILLS * 2, restartWindowMs: 3_600_000 });
  const c: Cycle = { rt, rng: new Seeded(seed) };
  const tally = { crashed: 0, finished: 0, served: 0 };
  const moments = new Map<Moment, number>();
  try {
    await rt.start(model);
    for (let k = 0; k < KILLS; k++) {
      // 'loading' kills the worker that is reloading the model after the previous kill, before anything is served.
      const moment = k === 0 ? 'immediately' : c.rng.pick(MOMENTS);
      if (moment === 'loading') assert.equal(rt.state.kind, 'loading', `kill ${k}: not reloading`);
      else {
        await served(rt);
        tally.served++;
      }
      moments.set(moment, (moments.get(moment) ?? 0) + 1);
      let crashedNow = 0;
      for (const r of await killCycle(c, moment)) {
        if (r.status === 'fulfilled') tally.finished++;
        else {
          const e = r.reason as RuntimeError;
          assert.ok(e instanceof RuntimeError && e.code === 'worker-crashed', `kill ${k} (${moment}): ${e}`);
          assert.match(e.message, /crashed|restarted/, `kill ${k} (${moment})`);
          crashedNow++;
        }
      }
      assert.ok(crashedNow >= 1, `kill ${k} (${moment}) hit no request`);
      tally.crashed += crashedNow;
    }
    await served(rt);
    tally.served++;
    assert.equal(rt.starts, KILLS + 1, 'one new worker per kill');
    console.log(`seed ${seed}: ${KILLS} kills (${[...moments].map(([m, n]) => `${n} ${m}`).join(', ')}); ${JSON.stringify(tally)}`);
  } finally {
    rt.dispose();
  }
});
