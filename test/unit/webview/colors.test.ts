import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TokenStep } from '../../../model-runtime/protocol';
import { chipClass, probBand, rankBucket, stepRank } from '../../../webview/shared/colors';

const step = (id: number, rawProb: number, alts: [number, number][]): TokenStep => ({
  index: 0, id, text: 'x', bytes: [120], partial: false, rawProb, finalProb: rawProb, entropy: 1, draw: 0.1,
  alternatives: alts.map(([i, p]) => ({ id: i, text: String(i), rawProb: p, finalProb: p })),
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

test('rank of the chosen token among the alternatives', () => {
  assert.deepEqual(stepRank(step(3, 0.2, [[1, 0.5], [2, 0.3], [3, 0.2]])), { rank: 3, exact: true });
  assert.deepEqual(stepRank(step(1, 0.5, [[1, 0.5], [2, 0.3]])), { rank: 1, exact: true });
  // Not among the reported alternatives: only a lower bound.
  assert.deepEqual(stepRank(step(9, 0.01, [[1, 0.5], [2, 0.3]])), { rank: 3, exact: false });
});

test('chip class follows the colour mode', () => {
  const s = step(2, 0.3, [[1, 0.5], [2, 0.3]]);
  assert.equal(chipClass('probability', s), 'p2');
  assert.equal(chipClass('rank', s), 'r-top10');
  const many = step(50, 0.001, Array.from({ length: 60 }, (_, i) => [i, 0.9 / (i + 1)] as [number, number]));
  assert.equal(chipClass('rank', many), 'r-top100');
});
