import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rankOfToken, softmaxStats, topIndices, weightOf } from '../../../sampling/stats';

test('softmax statistics of infinite logits are the limit: uniform over the top', () => {
  for (const n of [8, 2048]) {
    const l = new Float32Array(n).fill(1);
    l[3] = Infinity;
    l[5] = Infinity;
    assert.deepEqual(softmaxStats(l), { max: Infinity, argmax: 3, sum: 2, entropy: Math.log(2) });
    const low = new Float32Array(n).fill(-Infinity);
    assert.deepEqual(softmaxStats(low), { max: -Infinity, argmax: 0, sum: n, entropy: Math.log(n) });
  }
  assert.equal(weightOf(Infinity, Infinity), 1);
  assert.equal(weightOf(1, Infinity), 0);
  assert.equal(weightOf(-Infinity, -Infinity), 1);
});

test('a NaN logit makes the statistics NaN, on both paths', () => {
  for (const n of [8, 2048]) {
    const l = new Float32Array(n);
    l[n - 2] = Number.NaN;
    const st = softmaxStats(l);
    assert.ok(Number.isNaN(st.max) && Number.isNaN(st.sum), `n=${n}`);
    assert.equal(st.argmax, n - 2);
  }
});

test('top indices and ranks handle infinities', () => {
  const l = [0, Infinity, -Infinity, 2];
  assert.deepEqual(topIndices(l, 3), [1, 3, 0]);
  assert.equal(rankOfToken(l, 2), 4);
  assert.equal(rankOfToken(l, 1), 1);
});
