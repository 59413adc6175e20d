import { test } from 'node:test';
import assert from 'node:assert/strict';
import { simdSoftmaxStats } from '../../../sampling/softmax-simd';
import { uniformDraw } from '../../../sampling/sampler';

/** Exact reference in float64. */
function exact(l: Float32Array) {
  let max = -Infinity;
  let argmax = 0;
  for (let i = 0; i < l.length; i++)
    if (l[i] > max) {
      max = l[i];
      argmax = i;
    }
  let sum = 0;
  let w = 0;
  for (const x of l) {
    const e = Math.exp(x - max);
    sum += e;
    w += (x - max) * e;
  }
  return { max, argmax, sum, entropy: Math.log(sum) - w / sum };
}

test('SIMD softmax statistics match the exact float64 loop to 1e-6', () => {
  for (const [n, scale] of [
    [50284, 8],
    [50257, 0.01],
    [1027, 40],
    [151936, 15],
    [4099, 200],
  ] as const) {
    const l = new Float32Array(n);
    for (let i = 0; i < n; i++) l[i] = (uniformDraw(n, i) * 2 - 1) * scale;
    l[n - 1] = scale * 1.5; // the max in the padded tail vector
    const a = simdSoftmaxStats(l);
    assert.ok(a, 'WebAssembly SIMD is available in Node 20');
    const b = exact(l);
    assert.equal(a.max, b.max);
    assert.equal(a.argmax, b.argmax);
    assert.ok(Math.abs(a.sum / b.sum - 1) < 1e-6, `sum ${a.sum} vs ${b.sum}`);
    assert.ok(Math.abs(a.entropy - b.entropy) < 1e-6 * Math.max(1, b.entropy), `entropy ${a.entropy} vs ${b.entropy}`);
  }
});

test('SIMD softmax: ties give the first index; -Infinity entries weigh nothing; no finite max falls back', () => {
  const l = new Float32Array(2048).fill(-Infinity);
  l[700] = 3;
  l[900] = 3;
  l[5] = 1;
  const a = simdSoftmaxStats(l)!;
  assert.equal(a.argmax, 700);
  assert.ok(Math.abs(a.sum - (2 + Math.exp(-2))) < 1e-6);
  assert.equal(simdSoftmaxStats(new Float32Array(2048).fill(-Infinity)), undefined);
});
