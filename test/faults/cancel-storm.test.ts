// A storm of 10,000 requests (generate, score, resample, tokenize), eight in flight at a time, about half of
// them cancelled at seeded random points: while queued, after their n-th token or progress event, or a few
// requests later. Every request gets exactly one final answer of the kinds its type allows, nothing hangs,
// and the worker's resident memory stays within twice its size after warm-up.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SamplingSettings, WorkerToHost } from '../../model-runtime/protocol';
import { FIXTURES } from '../unit/model-runtime/fixtures';
import { RawWorker } from '../unit/model-runtime/raw-worker';
import { Seeded, seedOf } from './seeded';

const TOTAL = 10_000;
const IN_FLIGHT = 8;
const WARM_UP = 1_000;
const WORDS = ['const', 'x', '=', 'return', 'if', '(', ')', '{', '}', 'function', 'hello', 'world', '\n', '  ', '42', ';'];

type Kind = 'generate' | 'score' | 'tokenize' | 'resample';
/** What each kind may end with: a cancel that lands turns a score or tokenize into error 'cancelled'. */
const ALLOWED: Record<Kind, (m: WorkerToHost) => boolean> = {
  generate: (m) => m.type === 'done',
  score: (m) => m.type === 'scored' || (m.type === 'error' && m.code === 'cancelled'),
  tokenize: (m) => m.type === 'tokens' || (m.type === 'error' && m.code === 'cancelled'),
  resample: (m) => m.type === 'resampled',
};

class Storm {
  readonly rng: Seeded;
  /** Recent generations with at least one token: resample and branch targets (always still kept). */
  private readonly recent: { generationId: number; steps: number }[] = [];
  /** Cancels due once the request count reaches a number, and cancels due at the n-th event of a request. */
  private readonly later: { at: number; id: number }[] = [];
  private readonly atEvent = new Map<number, number>();
  sent = 0;
  readonly outcomes = new Map<string, number>();

  constructor(
    readonly w: RawWorker,
    seed: number,
  ) {
    this.rng = new Seeded(seed);
    w.onMessage((m) => {
      if ((m.type !== 'token' && m.type !== 'progress') || !this.atEvent.has(m.id)) return;
      const left = this.atEvent.get(m.id)! - 1;
      if (left > 0) this.atEvent.set(m.id, left);
      else {
        this.atEvent.delete(m.id);
        w.send({ type: 'cancel', id: m.id });
      }
    });
  }

  private text(words: number): string {
    let s = '';
    for (let i = 0; i < words; i++) s += `${this.rng.pick(WORDS)} `;
    return s;
  }

  private sampling(): SamplingSettings {
    const r = this.rng;
    return {
      temperature: r.pick([0, 0.7, 1, 1.5]),
      topK: r.pick([0, 5, 40]),
      topP: r.pick([1, 0.9]),
      minP: r.pick([0, 0.05]),
      repetitionPenalty: r.pick([1, 1.1]),
      presencePenalty: 0,
      frequencyPenalty: r.pick([0, 0.5]),
      seed: r.int(0, 1000),
      maxTokens: r.int(1, 16),
      stop: r.chance(0.2) ? ['}'] : [],
    };
  }

  private message(kind: Kind): Record<string, unknown> {
    const r = this.rng;
    const priority = r.pick(['interactive', 'normal', 'background']);
    const target = this.recent.length ? r.pick(this.recent) : undefined;
    if (kind === 'resample' && target)
      return {
        type: 'resample',
        generationId: target.generationId,
        step: r.int(0, target.steps - 1),
        sampling: this.sampling(),
        topN: r.int(0, 5),
      };
    if (kind === 'score') return { type: 'score', text: this.text(r.int(5, 150)), topN: r.int(0, 3), priority };
    // A long text now and then, so a cancel can land between its pieces.
    if (kind === 'tokenize') return { type: 'tokenize', text: this.text(r.chance(0.05) ? r.int(3000, 6000) : r.int(1, 200)) };
    const branch =
      target && r.chance(0.15)
        ? { generationId: target.generationId, step: r.int(0, target.steps - 1), forcedToken: r.int(0, 515) }
        : undefined;
    const prompt = r.chance(0.3)
      ? { fim: { prefix: this.text(r.int(0, 40)), suffix: this.text(r.int(0, 40)) } }
      : { text: this.text(r.int(0, 60)) };
    return { type: 'generate', priority, prompt, sampling: this.sampling(), topN: r.int(0, 5), branch };
  }

  /** Sends one request with its cancel plan; resolves once its one final answer is checked. */
  async one(): Promise<void> {
    const r = this.rng;
    const kind = r.pick<Kind>(['generate', 'generate', 'score', 'tokenize', 'resample']);
    const msg = this.message(kind);
    const id = this.w.id();
    const answer = this.w.request(msg, id);
    this.sent++;
    const plan = r.pick(['none', 'queued', 'event', 'later'] as const);
    if (plan === 'queued') this.w.send({ type: 'cancel', id });
    if (plan === 'event') this.atEvent.set(id, r.int(1, 8));
    if (plan === 'later') this.later.push({ at: this.sent + r.int(0, 4), id });
    for (const c of this.later.filter((c) => c.at <= this.sent)) this.w.send({ type: 'cancel', id: c.id });
    this.later.splice(0, this.later.length, ...this.later.filter((c) => c.at > this.sent));
    const m = await answer;
    this.atEvent.delete(id);
    const type = msg.type as Kind;
    assert.ok(ALLOWED[type](m), `${type} #${id} (cancel ${plan}) ended with ${JSON.stringify(m).slice(0, 300)}`);
    this.record(type, m);
  }

  private record(type: Kind, m: WorkerToHost): void {
    const outcome = m.type === 'done' ? `generate ${m.stats.stopReason}` : m.type === 'error' ? `${type} ${m.code}` : m.type;
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    if (m.type === 'done' && m.ids.length > 0) {
      this.recent.push({ generationId: m.generationId, steps: m.ids.length });
      if (this.recent.length > 16) this.recent.shift();
    }
  }
}

async function rss(w: RawWorker): Promise<number> {
  const m = await w.request({ type: 'memory' });
  assert.equal(m.type, 'memory');
  return (m as Extract<WorkerToHost, { type: 'memory' }>).rss;
}

test(`a storm of ${TOTAL} requests cancelled at random points: all settle, memory bounded`, { timeout: 900_000 }, async () => {
  const seed = seedOf(77);
  const w = new RawWorker();
  const storm = new Storm(w, seed);
  try {
    const loaded = await w.request({ type: 'load', modelDir: join(FIXTURES, 'llama-tiny'), providers: ['cpu'], threads: 1 });
    assert.equal(loaded.type, 'loaded');
    const active = new Set<Promise<void>>();
    let warm = 0;
    let peak = 0;
    for (let i = 1; i <= TOTAL; i++) {
      while (active.size >= IN_FLIGHT) await Promise.race(active);
      const p: Promise<void> = storm.one().finally(() => active.delete(p));
      active.add(p);
      if (i === WARM_UP) warm = await rss(w);
      if (i > WARM_UP && i % 500 === 0) peak = Math.max(peak, await rss(w));
    }
    await Promise.all(active);
    peak = Math.max(peak, await rss(w));
    const answered = [...w.finals.values()];
    assert.equal(answered.length, TOTAL + 2 + (TOTAL - WARM_UP) / 500 + 1, 'one answer per request, memory asks included');
    for (const list of answered) assert.equal(list.length, 1);
    assert.equal(w.exit, undefined);
    const cancelled = [...storm.outcomes].filter(([k]) => /cancelled/.test(k)).reduce((n, [, v]) => n + v, 0);
    assert.ok(cancelled >= TOTAL / 10, `only ${cancelled} requests were cut short by their cancel`);
    assert.ok(peak < 2 * warm, `RSS grew from ${warm >> 20} MB after warm-up to ${peak >> 20} MB`);
    console.log(`seed ${seed}: ${JSON.stringify(Object.fromEntries(storm.outcomes))}; RSS ${warm >> 20} MB -> peak ${peak >> 20} MB`);
  } finally {
    w.kill();
  }
});
