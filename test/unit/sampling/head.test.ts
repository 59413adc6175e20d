import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectHead, sortDescending } from '../../../sampling/head';

test('the head is sorted by value descending, ties by lower id, in float32 and float64 alike', () => {
  const values = [1, 3, 3, -Infinity, 2, Infinity, -5];
  assert.deepEqual(Array.from(sortDescending(Float32Array.from(values), -Infinity)), [5, 1, 2, 4, 0, 6, 3]);
  assert.deepEqual(Array.from(sortDescending(Float64Array.from(values), -Infinity)), [5, 1, 2, 4, 0, 6, 3]);
  assert.deepEqual(Array.from(sortDescending(Float32Array.from(values), 1.5)), [5, 1, 2, 4]);
  // float64 keeps differences float32 would round away.
  assert.deepEqual(Array.from(sortDescending(Float64Array.from([1, 1 + 1e-12]), 0)), [1, 0]);
});

test('selectHead ends on every input: a test that is never satisfied takes the whole vocabulary', () => {
  const l = new Float32Array(5000);
  for (let i = 0; i < l.length; i++) l[i] = -i;
  const h = selectHead(l, 0, 1.58, () => false);
  assert.equal(h.complete, true);
  assert.equal(h.ids.length, 5000);
  const all = selectHead(new Float32Array(10).fill(-Infinity), -Infinity, 10, () => false);
  assert.equal(all.ids.length, 10);
  assert.deepEqual(Array.from(all.weights), new Array(10).fill(1));
});
