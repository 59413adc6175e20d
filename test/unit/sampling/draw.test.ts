import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cumulative, drawIndex, tokenAtDraw, uniformDraw } from '../../../sampling/draw';

test('the draw walks kept tokens from most to least likely', () => {
  const alts = [
    { id: 1, text: 'a', finalProb: 0.2 },
    { id: 2, text: 'b', finalProb: 0.7 },
    { id: 3, text: 'c', finalProb: 0 },
  ];
  const cdf = cumulative(alts);
  assert.deepEqual(
    cdf.map((s) => s.id),
    [2, 1],
  );
  assert.equal(tokenAtDraw(cdf, 0.5)!.id, 2);
  assert.equal(tokenAtDraw(cdf, 0.8)!.id, 1);
  assert.equal(tokenAtDraw(cdf, 0.99)!.id, 1);
  // Renormalised over the kept tokens: the last segment ends at 1, and no draw falls past it.
  assert.ok(Math.abs(cdf[1].end - 1) < 1e-12);
  assert.equal(tokenAtDraw(cdf, 0.999999)!.id, 1);
  assert.equal(tokenAtDraw([], 0.5), undefined);
});

test('the sampler walk and the cumulative chart pick the same token for the same draw', () => {
  const probs = [0.45, 0.25, 0.2, 0.1];
  const cdf = cumulative(probs.map((finalProb, id) => ({ id, text: String(id), finalProb })));
  for (let i = 0; i < 200; i++) {
    const u = uniformDraw(11, i);
    assert.equal(drawIndex(probs, probs.length, u).index, tokenAtDraw(cdf, u)!.id, `draw ${u}`);
  }
  // Past every weight: -1, with the running sum for the caller to carry on.
  assert.deepEqual(drawIndex([1, 2], 2, 5), { index: -1, cum: 3 });
});

test('uniformDraw is reproducible and in [0, 1)', () => {
  assert.equal(uniformDraw(42, 7), uniformDraw(42, 7));
  assert.notEqual(uniformDraw(42, 7), uniformDraw(42, 8));
  for (let i = 0; i < 1000; i++) {
    const u = uniformDraw(2 ** 40 + i, i);
    assert.ok(u >= 0 && u < 1);
  }
});
