import assert from 'node:assert/strict';
import { test } from 'node:test';
import { editSimilarity, wilson } from '../../../training/eval-stats';

test('Wilson interval: contains the rate, narrows with n, stays inside [0, 1]', () => {
  const [lo, hi] = wilson(3, 300);
  assert.ok(lo > 0 && lo < 0.01 && hi > 0.01 && hi < 0.03, `${lo} ${hi}`);
  const [lo0, hi0] = wilson(0, 300);
  assert.equal(lo0, 0);
  assert.ok(hi0 > 0.005 && hi0 < 0.02, 'zero successes still leave an upper bound above 0');
  const wide = wilson(5, 10);
  const narrow = wilson(150, 300);
  assert.ok(wide[1] - wide[0] > narrow[1] - narrow[0]);
  // Known value: 50 of 100 at 95 % is 0.404..0.596.
  const [a, b] = wilson(50, 100);
  assert.ok(Math.abs(a - 0.4038) < 1e-3 && Math.abs(b - 0.5962) < 1e-3, `${a} ${b}`);
});

test('edit similarity is 1 - Levenshtein / the longer length', () => {
  assert.equal(editSimilarity('return x;', 'return x;'), 1);
  assert.equal(editSimilarity('', 'abc'), 0);
  assert.equal(editSimilarity('kitten', 'sitting'), 1 - 3 / 7);
  assert.equal(editSimilarity('abc', ''), 0);
});
