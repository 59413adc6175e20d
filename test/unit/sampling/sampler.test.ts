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
