import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SamplingProcessors } from '../../../sampling/processors';
import { DEFAULT_SAMPLER } from '../../../sampling/sampler';
import { softmaxStats } from '../../../sampling/stats';

const on = { temperature: 0.7, topK: 40, topP: 0.95, minP: 0.05, repetitionPenalty: 1.1, presencePenalty: 0.5, frequencyPenalty: 0.5 };

test('the list holds the active processors in the documented order', () => {
  const p = new SamplingProcessors(on, 50000);
  assert.deepEqual(
    p.penalties.map((x) => x.name),
    ['repetitionPenalty', 'presencePenalty', 'frequencyPenalty'],
  );
  assert.deepEqual(
    p.cutters.map((c) => c.name),
    ['top-k', 'top-p', 'min-p'],
  );
  assert.equal(p.temperature.greedy, false);
  // At their off values the processors leave the list; top-k also when k covers the vocabulary.
  const off = new SamplingProcessors({ ...DEFAULT_SAMPLER, topK: 40 }, 40);
  assert.deepEqual([off.penalties.length, off.cutters.length, off.temperature.greedy], [0, 0, true]);
});

test('each processor refuses a value outside its range on construction, naming the setting and the range', () => {
  for (const [over, message] of [
    [{ temperature: -0.1 }, /temperature -0\.1 is outside 0\.\.5/],
    [{ topK: 3.5 }, /topK 3\.5 is not a whole number/],
    [{ topP: 1.01 }, /topP 1\.01 is outside 0\.\.1/],
    [{ minP: -1 }, /minP -1 is outside 0\.\.1/],
    [{ repetitionPenalty: 0.5 }, /repetitionPenalty 0\.5 is outside 1\.\.5/],
    [{ presencePenalty: 6 }, /presencePenalty 6 is outside 0\.\.5/],
    [{ frequencyPenalty: -2 }, /frequencyPenalty -2 is outside 0\.\.5/],
  ] as const) {
    assert.throws(() => new SamplingProcessors({ ...on, ...over }, 100), message);
  }
});

test('greedy follows the penalised logits; sampling keeps what the cutters leave', () => {
  const l = new Float32Array([3, 2.9, 0, -1]);
  const raw = softmaxStats(l);
  const greedy = new SamplingProcessors({ ...DEFAULT_SAMPLER, presencePenalty: 1 }, 4).run(l, raw, [0]);
  assert.equal(greedy.pick(0.5), 1);
  assert.deepEqual(greedy.fate(0), { finalProb: 0, removedBy: 'greedy' });
  const kept = new SamplingProcessors({ ...DEFAULT_SAMPLER, temperature: 1, topK: 2 }, 4).run(l, raw, []);
  assert.equal(kept.keptCount, 2);
  assert.equal(kept.fate(2).removedBy, 'top-k');
  assert.ok(Math.abs(kept.fate(0).finalProb + kept.fate(1).finalProb - 1) < 1e-12);
  assert.equal(kept.pick(0), 0);
  assert.equal(kept.pick(0.99), 1);
});
