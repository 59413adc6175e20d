import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MinP, TopK, TopP } from '../../../sampling/cutters';
import { selectHead } from '../../../sampling/head';
import { softmaxStats } from '../../../sampling/stats';

/** The complete head of a small distribution given by its probabilities. */
function headOf(probs: number[]) {
  const l = Float64Array.from(probs, Math.log);
  const st = softmaxStats(l);
  return selectHead(l, st.max, st.sum);
}

test('top-k keeps the first k of what it is given', () => {
  const h = headOf([0.5, 0.3, 0.15, 0.05]);
  assert.equal(new TopK(2).cut(h, 4), 2);
  assert.equal(new TopK(2).cut(h, 1), 1);
  assert.equal(new TopK(0).activeFor(4), false);
  assert.equal(new TopK(4).activeFor(4), false);
  assert.equal(new TopK(3).activeFor(4), true);
});

test('top-p keeps the smallest prefix reaching p of the mass it is given; p = 0 keeps the top token', () => {
  const h = headOf([0.5, 0.3, 0.15, 0.05]);
  assert.equal(new TopP(0.75).cut(h, 4, h.total), 2);
  assert.equal(new TopP(0.79).cut(h, 4, h.total), 2);
  assert.equal(new TopP(0.81).cut(h, 4, h.total), 3);
  assert.equal(new TopP(0).cut(h, 4, h.total), 1);
  // After top-k 2 the mass is 0.8: 0.5 / 0.8 < 0.7.
  assert.equal(new TopP(0.7).cut(h, 2, h.weights[0] + h.weights[1]), 2);
  assert.equal(new TopP(1).activeFor(), false);
});

test('min-p keeps the tokens at least min-p times as likely as the top one (a token on the line stays)', () => {
  const h = headOf([0.5, 0.2, 0.1, 0.09]);
  assert.equal(new MinP(0.2).cut(h, 4), 3);
  assert.equal(new MinP(0.2).cut(h, 2), 2);
  assert.equal(new MinP(1).cut(h, 4), 1);
  assert.equal(new MinP(0).activeFor(), false);
});

test('a cutter refuses a value outside its range', () => {
  assert.throws(() => new TopK(-1), /topK -1 is outside 0\.\.100000/);
  assert.throws(() => new TopP(2), /topP 2 is outside 0\.\.1/);
  assert.throws(() => new MinP(Number.NaN), /minP NaN is not a number/);
});

test('as the first cutter, each says whether a head holds all it can keep', () => {
  const l = new Float32Array(3000);
  for (let i = 0; i < l.length; i++) l[i] = -i / 100; // 0 down to -30
  const st = softmaxStats(l);
  const shallow = selectHead(l, st.max, st.sum);
  assert.equal(shallow.depth, 8);
  assert.equal(shallow.ids.length, 801);
  assert.equal(new TopK(801).covers(shallow), true);
  assert.equal(new TopK(802).covers(shallow), false);
  assert.equal(new MinP(Math.exp(-7)).covers(shallow), true);
  assert.equal(new MinP(Math.exp(-9)).covers(shallow), false);
  // The head widens until the first cutter is covered: min-p e^-9 needs depth 16.
  const wide = selectHead(l, st.max, st.sum, (h) => new MinP(Math.exp(-9)).covers(h));
  assert.equal(wide.depth, 16);
  assert.equal(new TopP(0.999).covers(wide), true);
});
