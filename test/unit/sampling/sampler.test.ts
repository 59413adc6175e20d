import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_SAMPLER,
  applyPenalties,
  sample,
  softmaxStats,
  topIndices,
  uniformDraw,
  type SamplerSettings,
} from '../../../sampling/sampler';
import { SAMPLING } from '../../../sampling/settings';

const S = (over: Partial<SamplerSettings>): SamplerSettings => ({ ...DEFAULT_SAMPLER, temperature: 1, ...over });

function softmax(l: ArrayLike<number>): number[] {
  const m = Math.max(...Array.from(l));
  const e = Array.from(l, (x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

/** A pseudo-random logit vector (deterministic). */
function randomLogits(n: number, seed: number, scale = 3): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (uniformDraw(seed, i) * 2 - 1) * scale;
  return out;
}

/** The kept set: ids with finalProb > 0, read from a report that lists every token. */
function keptIds(logits: Float32Array, s: SamplerSettings): number[] {
  const r = sample(logits, s, [], 0.5, logits.length);
  return r.alternatives.filter((a) => a.finalProb > 0).map((a) => a.id);
}

test('raw probabilities and entropy are the softmax of the logits', () => {
  const l = new Float32Array([1, 2, 3, 0.5]);
  const r = sample(l, S({}), [], 0.3, 4);
  const p = softmax(l);
  for (const a of r.alternatives) assert.ok(Math.abs(a.rawProb - p[a.id]) < 1e-9);
  const H = -p.reduce((acc, x) => acc + x * Math.log(x), 0);
  assert.ok(Math.abs(r.entropy - H) < 1e-9);
  assert.ok(Math.abs(softmaxStats(l).entropy - H) < 1e-9);
  // Alternatives come largest first.
  assert.deepEqual(
    r.alternatives.map((a) => a.id),
    [2, 1, 0, 3],
  );
});

test('top-p keeps the smallest set whose mass is at least p', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const l = randomLogits(200, seed);
    const p = softmax(l);
    for (const topP of [0.1, 0.5, 0.9, 0.95]) {
      const kept = keptIds(l, S({ topP }));
      const mass = kept.reduce((a, id) => a + p[id], 0);
      assert.ok(mass >= topP - 1e-6, `mass ${mass} < ${topP}`);
      // Dropping the least likely kept token falls below p: the set is the smallest.
      const least = Math.min(...kept.map((id) => p[id]));
      assert.ok(mass - least < topP + 1e-6, `not smallest: ${mass - least} >= ${topP}`);
      // And it is the most likely tokens.
      const maxRemoved = Math.max(0, ...p.filter((_, i) => !kept.includes(i)));
      assert.ok(maxRemoved <= least);
    }
  }
});

test('top-p with an exact boundary keeps exactly the tokens reaching p', () => {
  const l = new Float32Array([Math.log(0.5), Math.log(0.3), Math.log(0.2)]);
  assert.deepEqual(keptIds(l, S({ topP: 0.8 })).sort(), [0, 1]);
  assert.deepEqual(keptIds(l, S({ topP: 0.81 })).sort(), [0, 1, 2]);
  assert.deepEqual(keptIds(l, S({ topP: 0.4 })), [0]);
});

test('min-p is relative to the top token probability', () => {
  const probs = [0.5, 0.2, 0.1, 0.09, 0.06, 0.05];
  const l = new Float32Array(probs.map(Math.log));
  // Threshold 0.2 * 0.5 = 0.1: keeps 0.5, 0.2, 0.1.
  assert.deepEqual(keptIds(l, S({ minP: 0.2 })).sort(), [0, 1, 2]);
  // Scaling the distribution's top changes the cut: with top 0.9 the same min-p keeps only the top.
  const l2 = new Float32Array([0.9, 0.05, 0.03, 0.02].map(Math.log));
  assert.deepEqual(keptIds(l2, S({ minP: 0.2 })), [0]);
  const r = sample(l, S({ minP: 0.2 }), [], 0.5, 6);
  assert.equal(r.alternatives.find((a) => a.id === 3)!.removedBy, 'min-p');
});

test('top-k keeps k tokens and reports the cutter of each removed one', () => {
  const l = randomLogits(100, 7);
  const kept = keptIds(l, S({ topK: 5 }));
  assert.equal(kept.length, 5);
  assert.deepEqual(kept, topIndices(l, 5));
  const r = sample(l, S({ topK: 5, topP: 0.5 }), [], 0.5, 100);
  const byId = new Map(r.alternatives.map((a) => [a.id, a]));
  const top = topIndices(l, 100);
  assert.equal(byId.get(top[10])!.removedBy, 'top-k');
  // Final probabilities of the kept tokens sum to 1.
  const sum = r.alternatives.reduce((a, x) => a + x.finalProb, 0);
  assert.ok(Math.abs(sum - 1) < 1e-9);
  for (const a of r.alternatives) if (a.removedBy) assert.equal(a.finalProb, 0);
  // top-p after top-k renormalizes over the top-k survivors.
  const pk = softmax(top.slice(0, 5).map((i) => l[i]));
  let cum = 0;
  let expect = 0;
  while (cum < 0.5) cum += pk[expect++];
  assert.equal(r.keptCount, expect);
});

test('penalties move exactly the logits of repeated tokens, the right way', () => {
  const l = new Float32Array([2, -2, 1, 0.5]);
  const rep = applyPenalties(l, { ...DEFAULT_SAMPLER, repetitionPenalty: 2 }, [0, 1]);
  assert.deepEqual(Array.from(rep), [1, -4, 1, 0.5]);
  const pres = applyPenalties(l, { ...DEFAULT_SAMPLER, presencePenalty: 0.5 }, [2, 2, 2]);
  assert.deepEqual(Array.from(pres), [2, -2, 0.5, 0.5]);
  const freq = applyPenalties(l, { ...DEFAULT_SAMPLER, frequencyPenalty: 0.25 }, [2, 2, 3]);
  assert.deepEqual(Array.from(freq), [2, -2, 0.5, 0.25]);
  // Input untouched.
  assert.deepEqual(Array.from(l), [2, -2, 1, 0.5]);
  // Greedy follows the penalized logits, while raw probabilities stay the model's.
  const r = sample(l, { ...DEFAULT_SAMPLER, repetitionPenalty: 4 }, [0], 0, 4);
  assert.equal(r.id, 2);
  assert.ok(Math.abs(r.rawProb - softmax(l)[2]) < 1e-9);
});

test('a seed reproduces its draws and picks', () => {
  const l = randomLogits(500, 3, 2);
  const run = (seed: number) =>
    Array.from({ length: 50 }, (_, step) => sample(l, S({ temperature: 0.8, topP: 0.9 }), [], uniformDraw(seed, step), 3).id);
  assert.deepEqual(run(42), run(42));
  assert.notDeepEqual(run(42), run(43));
  for (let i = 0; i < 1000; i++) {
    const u = uniformDraw(9, i);
    assert.ok(u >= 0 && u < 1);
  }
});

test('draws follow the final distribution', () => {
  const l = new Float32Array([Math.log(0.6), Math.log(0.3), Math.log(0.1)]);
  const counts = [0, 0, 0];
  const N = 20000;
  for (let i = 0; i < N; i++) counts[sample(l, S({}), [], uniformDraw(5, i), 0).id]++;
  assert.ok(Math.abs(counts[0] / N - 0.6) < 0.02);
  assert.ok(Math.abs(counts[1] / N - 0.3) < 0.02);
  // The draw is reported, and a small draw picks the most likely token.
  const r = sample(l, S({}), [], 0.01, 0);
  assert.equal(r.draw, 0.01);
  assert.equal(r.id, 0);
  assert.equal(sample(l, S({}), [], 0.95, 0).id, 2);
});

test('temperature -> 0 equals greedy', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const l = randomLogits(1000, seed);
    const greedy = sample(l, { ...DEFAULT_SAMPLER, temperature: 0 }, [], 0.7, 5);
    assert.equal(greedy.id, topIndices(l, 1)[0]);
    assert.equal(greedy.finalProb, 1);
    assert.equal(greedy.draw, 0);
    assert.ok(greedy.alternatives.filter((a) => a.id !== greedy.id).every((a) => a.removedBy === 'greedy'));
    const cold = sample(l, S({ temperature: 1e-4 }), [], uniformDraw(seed, 0), 5);
    assert.equal(cold.id, greedy.id);
  }
});

test('a large vocabulary with no cutter still samples every token reachable', () => {
  // Flat distribution over 50k: the draw reaches the tail beyond the sorted head.
  const l = new Float32Array(50000);
  const seen = new Set<number>();
  for (let i = 0; i < 60; i++) seen.add(sample(l, S({}), [], uniformDraw(1, i), 0).id);
  assert.ok(seen.size > 50);
  const r = sample(l, S({ topP: 0.5 }), [], 0.99, 0);
  assert.equal(r.keptCount, 25000);
});

test("the chosen token's rank is exact, also past the reported alternatives", () => {
  const l = randomLogits(5000, 7);
  const byLogit = Array.from(l.keys()).sort((a, b) => l[b] - l[a]);
  // Greedy picks the top token: rank 1.
  assert.equal(sample(l, { ...DEFAULT_SAMPLER }, [], 0, 3).rank, 1);
  // A full-temperature draw near the end of the CDF lands deep in the tail, far past 3 alternatives.
  const r = sample(l, S({}), [], 0.999, 3);
  const expected = byLogit.indexOf(r.id) + 1;
  assert.ok(expected > 3, `drawn rank ${expected}`);
  assert.equal(r.rank, expected);
  assert.equal(r.alternatives.length, 4); // the top 3 and the chosen one
  // Penalties change the draw, not the rank: the rank is by the model's own (raw) logits.
  const pen = sample(l, S({ repetitionPenalty: 2 }), [byLogit[0]], 0, 3);
  assert.equal(pen.rank, byLogit.indexOf(pen.id) + 1);
});

// Hostile inputs found by fuzzing: each used to hang (the head-widening loop never ended) or report NaN.

test('a tiny temperature is greedy in the limit: no hang, no NaN, the top token', () => {
  // p(top) = 0.98 at temperature 1; a temperature of 1e-40 overflowed z / T to Infinity for many tokens.
  const l = randomLogits(3000, 5, 3);
  l[42] = 12;
  for (const temperature of [1e-40, 1e-300, 5e-324, 1e-30]) {
    for (const over of [{ topP: 0.9 }, {}, { topK: 5 }, { minP: 0.1 }, { topP: 0.5, minP: 0.5 }]) {
      const r = sample(l, S({ temperature, ...over }), [], 0.999, 5);
      assert.equal(r.id, 42, `T=${temperature} ${JSON.stringify(over)}`);
      assert.equal(r.finalProb, 1);
      assert.ok(r.alternatives.every((a) => Number.isFinite(a.finalProb) && (a.id === 42 || a.finalProb === 0)));
    }
  }
});

test('infinite logits: the tokens at +Infinity share the mass, -Infinity ones weigh nothing', () => {
  const l = randomLogits(2000, 9, 3);
  l[10] = Infinity;
  l[20] = Infinity;
  l[30] = -Infinity;
  const r = sample(l, S({ topP: 0.9 }), [], 0.7, 2000);
  const by = new Map(r.alternatives.map((a) => [a.id, a]));
  assert.equal(r.id, 20);
  assert.equal(by.get(10)!.rawProb, 0.5);
  assert.equal(by.get(10)!.finalProb, 0.5);
  assert.equal(by.get(30)!.rawProb, 0);
  assert.equal(r.keptCount, 2);
  assert.equal(r.entropy, Math.log(2));
  // Every logit -Infinity: the limit of equal logits, a uniform distribution.
  const flat = sample(new Float32Array(1500).fill(-Infinity), S({ minP: 0.5 }), [], 0.5, 3);
  assert.equal(flat.keptCount, 1500);
  assert.ok(Math.abs(flat.finalProb - 1 / 1500) < 1e-12);
  assert.equal(sample(new Float32Array(4).fill(-Infinity), S({ topK: 2 }), [], 0.6, 4).id, 1);
});

test('NaN logits, an empty vector and out-of-range settings are refused with a message that says why', () => {
  const l = randomLogits(2000, 2);
  l[77] = Number.NaN;
  assert.throws(() => sample(l, S({}), [], 0.5, 3), /logits hold NaN \(token 77\)/);
  assert.throws(() => sample(new Float32Array([1, Number.NaN]), S({ temperature: 0 }), [], 0, 3), /NaN/);
  assert.throws(() => sample(new Float32Array(0), S({}), [], 0.5, 3), /empty/);
  const ok = randomLogits(100, 3);
  for (const [over, message] of [
    [{ repetitionPenalty: 0, topP: 0.5 }, /repetitionPenalty 0 is outside 1\.\.5/],
    [{ repetitionPenalty: 1e-45, topP: 0.5 }, /repetitionPenalty 1e-45 is outside 1\.\.5/],
    [{ presencePenalty: -1e39 }, /presencePenalty -1e\+39 is outside 0\.\.5/],
    [{ temperature: 9 }, /temperature 9 is outside 0\.\.5/],
    [{ topK: 2.5 }, /topK 2\.5 is not a whole number/],
    [{ minP: Number.NaN }, /minP NaN is not a number/],
  ] as const) {
    assert.throws(() => sample(ok, S(over), [1, 1], 0.5, 3), message);
  }
});

test('the edges of the valid ranges give a distribution', () => {
  const l = randomLogits(1200, 4, 30);
  l[3] = 3e38;
  l[4] = -3e38;
  const hist = [3, 4, 4, 5];
  const edges: Partial<SamplerSettings>[] = [
    { temperature: 5, topK: 100000, topP: 0, minP: 1, repetitionPenalty: 5, presencePenalty: 5, frequencyPenalty: 5 },
    { temperature: 0, repetitionPenalty: 5, presencePenalty: 5, frequencyPenalty: 5 },
    { topK: 1, topP: 1, minP: 0 },
    { topP: 0 },
    { minP: 1 },
  ];
  for (const over of edges) {
    const r = sample(l, S(over), hist, 0.5, 1200);
    assertValid(r, 1200, JSON.stringify(over));
  }
});

/** The invariants every report keeps. `all`: the report lists every token of the vocabulary. */
function assertValid(r: ReturnType<typeof sample>, V: number, what: string, all = true): void {
  assert.ok(Number.isInteger(r.id) && r.id >= 0 && r.id < V, what);
  for (const x of [r.rawProb, r.finalProb, r.entropy]) assert.ok(Number.isFinite(x), `${what}: ${x}`);
  assert.ok(r.finalProb > 0 && r.finalProb <= 1, `${what}: chosen finalProb ${r.finalProb}`);
  assert.ok(r.rank >= 1 && r.rank <= V, what);
  let sum = 0;
  let kept = 0;
  for (const a of r.alternatives) {
    assert.ok(a.rawProb >= 0 && a.rawProb <= 1 && a.finalProb >= 0 && a.finalProb <= 1, `${what}: ${JSON.stringify(a)}`);
    if (a.removedBy) assert.equal(a.finalProb, 0, `${what}: removed by ${a.removedBy} yet finalProb ${a.finalProb}`);
    else kept++;
    sum += a.finalProb;
  }
  assert.equal(r.alternatives.find((a) => a.id === r.id)?.removedBy, undefined, what);
  if (all) {
    assert.ok(Math.abs(sum - 1) < 1e-5, `${what}: kept probabilities sum to ${sum}`);
    assert.equal(kept, r.keptCount, what);
  }
}

/** Seeded random numbers in [0, 1). */
function rng(seed: number): () => number {
  let i = 0;
  return () => uniformDraw(seed, i++);
}

const SPECIAL = [Infinity, -Infinity, 3e38, -3e38, 1e-38, -1e-38, 0];

function fuzzLogits(next: () => number, V: number): Float32Array {
  const l = new Float32Array(V);
  const kind = Math.floor(next() * 6);
  const scale = [3, 1e38, 1e-38, 30, 0, 5][kind];
  const special = kind === 3 ? 0.1 : kind === 5 ? 0.9 : 0.01;
  const constant = SPECIAL[Math.floor(next() * SPECIAL.length)];
  for (let i = 0; i < V; i++) {
    if (kind === 4) l[i] = constant;
    else if (next() < special) l[i] = kind === 5 ? -Infinity : SPECIAL[Math.floor(next() * SPECIAL.length)];
    else l[i] = (next() * 2 - 1) * scale;
  }
  return l;
}

/** A value within the valid range of `key`: its edges, off and default values often, tiny temperatures too. */
function fuzzSetting(next: () => number, key: keyof SamplerSettings, V: number): number {
  const t = SAMPLING[key];
  const u = next();
  if (u < 0.12) return t.min;
  if (u < 0.2) return t.max;
  if (u < 0.4) return t.off;
  if (u < 0.5) return t.default;
  if (key === 'temperature' && u < 0.6) return [1e-40, 1e-300, 5e-324, 1e-7][Math.floor(next() * 4)];
  if (key === 'topK' && u < 0.75) return Math.floor(next() * (V + 2));
  const x = t.min + next() * (t.max - t.min);
  return t.integer ? Math.round(x) : x;
}

test('property: random logits (±Infinity, huge, tiny) and settings within and at the edges of the ranges', () => {
  const next = rng(20240601);
  const keys = ['temperature', 'topK', 'topP', 'minP', 'repetitionPenalty', 'presencePenalty', 'frequencyPenalty'] as const;
  const sizes = [1, 2, 3, 7, 40, 300, 1100, 2500];
  for (let n = 0; n < 3000; n++) {
    const V = sizes[Math.floor(next() * sizes.length)];
    const f32 = fuzzLogits(next, V);
    // Small vectors also as float64, the webview's logs of reported probabilities.
    const l = V <= 40 && next() < 0.3 ? Float64Array.from(f32) : f32;
    const s = Object.fromEntries(keys.map((k) => [k, fuzzSetting(next, k, V)])) as unknown as SamplerSettings;
    const history = Array.from({ length: Math.floor(next() * 6) }, () => Math.floor(next() * V));
    const draw = [0, 1 - 2 ** -53, next()][Math.floor(next() * 3)];
    const all = V <= 300;
    const what = `#${n} V=${V} ${JSON.stringify(s)}`;
    const r = sample(l, s, history, draw, all ? V : 20);
    assertValid(r, V, what, all);
    assert.equal(r.draw, s.temperature === 0 ? 0 : draw, what);
    if (s.topK > 0) assert.ok(r.keptCount <= s.topK, what);
    if (s.temperature <= 1e-300) {
      // The greedy limit (float32 logits differ by 1e-45 at least): the pick is a top penalised logit.
      const z = applyPenalties(l, s, history);
      assert.equal(z[r.id], Math.max(...z), what);
    }
  }
});
