import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TokenStep } from '../../../../model-runtime/protocol';
import { chipClass, probBand, rankBucket } from '../../../../webview/shared/colors';

const step = (id: number, rawProb: number, rank: number): TokenStep => ({
  index: 0,
  id,
  text: 'x',
  bytes: [120],
  partial: false,
  rawProb,
  finalProb: rawProb,
  entropy: 1,
  draw: 0.1,
  rank,
  alternatives: [{ id, text: 'x', rawProb, finalProb: rawProb }],
});

test('GLTR rank buckets', () => {
  assert.equal(rankBucket(1), 'top10');
  assert.equal(rankBucket(10), 'top10');
  assert.equal(rankBucket(11), 'top100');
  assert.equal(rankBucket(100), 'top100');
  assert.equal(rankBucket(1000), 'top1000');
  assert.equal(rankBucket(1001), 'rest');
});

test('probability bands', () => {
  assert.deepEqual([0.9, 0.6, 0.3, 0.1, 0.01].map(probBand), [0, 1, 2, 3, 4]);
});

test('chip class follows the colour mode', () => {
  assert.equal(chipClass('probability', step(2, 0.3, 2)), 'p2');
  assert.equal(chipClass('rank', step(2, 0.3, 2)), 'r-top10');
  // The rank comes from the runtime, exact past the reported alternatives.
  assert.equal(chipClass('rank', step(50, 0.001, 50)), 'r-top100');
  assert.equal(chipClass('rank', step(9, 1e-6, 4321)), 'r-rest');
});
