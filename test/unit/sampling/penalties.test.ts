import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrequencyPenalty, PresencePenalty, penalize, penaltiesOf, RepetitionPenalty } from '../../../sampling/penalties';

test('each penalty pushes a generated token down, CTRL-style for repetition', () => {
  assert.equal(new RepetitionPenalty(2).adjust(3), 1.5);
  assert.equal(new RepetitionPenalty(2).adjust(-3), -6);
  assert.equal(new PresencePenalty(0.5).adjust(1), 0.5);
  assert.equal(new FrequencyPenalty(0.25).adjust(1, 3), 0.25);
  assert.throws(() => new RepetitionPenalty(0), /repetitionPenalty 0 is outside 1\.\.5/);
});

test('penalize applies the active penalties in order, to a copy, and only when something changes', () => {
  const l = new Float32Array([2, -2, 1]);
  const none = penaltiesOf({ repetitionPenalty: 1, presencePenalty: 0, frequencyPenalty: 0 });
  assert.equal(none.length, 0);
  assert.equal(penalize(l, none, [0]), l);
  const all = penaltiesOf({ repetitionPenalty: 2, presencePenalty: 0.5, frequencyPenalty: 0.25 });
  assert.equal(penalize(l, all, []), l);
  // id 0 twice: 2 / 2 - 0.5 - 0.25 * 2; id 1 once: -2 * 2 - 0.5 - 0.25; an id outside the vocabulary is ignored.
  assert.deepEqual(Array.from(penalize(l, all, [0, 1, 0, 7])), [0, -4.75, 1]);
  assert.deepEqual(Array.from(l), [2, -2, 1]);
  assert.ok(penalize(Float64Array.from(l), all, [0]) instanceof Float64Array);
});
