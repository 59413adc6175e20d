import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drawnStep, resamplePick } from '../../../../extension/inspector/resample-step';
import type { TokenStep } from '../../../../model-runtime/protocol';

const resampled: TokenStep = {
  index: 4,
  id: 1,
  text: 'a',
  bytes: [97],
  partial: false,
  rawProb: 0.5,
  finalProb: 0.6,
  entropy: 1,
  draw: 0.2,
  rank: 1,
  alternatives: [
    { id: 1, text: 'a', rawProb: 0.5, finalProb: 0.6 },
    { id: 2, text: 'b', rawProb: 0.3, finalProb: 0.4 },
    { id: 3, text: 'c', rawProb: 0.2, finalProb: 0, removedBy: 'top-k' },
  ],
};

test('a seeded resample takes the worker’s own draw; a fresh one lands where its draw falls', () => {
  assert.deepEqual(
    resamplePick(resampled, false, () => 0.99),
    { id: 1, text: 'a', draw: 0.2 },
  );
  assert.deepEqual(
    resamplePick(resampled, true, () => 0.7),
    { id: 2, text: 'b', draw: 0.7 },
  );
  assert.deepEqual(
    resamplePick(resampled, true, () => 0.1),
    { id: 1, text: 'a', draw: 0.1 },
  );
});

test('the branch’s forced step becomes the draw on the resampled distribution', () => {
  const forced: TokenStep = {
    ...resampled,
    index: 0,
    id: 2,
    text: 'b',
    bytes: [98],
    rawProb: 0.3,
    finalProb: 1,
    draw: 0,
    rank: 2,
    forced: true,
    alternatives: resampled.alternatives.map((a) => ({ ...a, finalProb: a.id === 2 ? 1 : 0, removedBy: undefined })),
  };
  const s = drawnStep(forced, resampled, 0.7);
  assert.equal(s.forced, undefined);
  assert.equal(s.finalProb, 0.4);
  assert.equal(s.draw, 0.7);
  assert.equal(s.rank, 2);
  assert.equal(s.index, 0, 'numbered as the branch numbers it');
  assert.deepEqual(s.alternatives, resampled.alternatives);
});
