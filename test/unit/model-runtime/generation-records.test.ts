import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GenerationRecords, KEPT_GENERATIONS } from '../../../model-runtime/generation-records';

const prompt = () => Array.from({ length: 400 }, (_, i) => i);

test('records that kept no logits are bounded by count: 30,000 of them keep only the newest', () => {
  const r = new GenerationRecords();
  let first = 0;
  let last = 0;
  for (let i = 0; i < 30000; i++) {
    const rec = r.start(prompt(), [], [], 1);
    if (i === 0) first = rec.id;
    last = rec.id;
  }
  assert.equal(r.size, KEPT_GENERATIONS);
  assert.throws(() => r.get(first), /no longer kept/);
  assert.equal(r.get(last).id, last);
  assert.equal(r.get(last - KEPT_GENERATIONS + 1).id, last - KEPT_GENERATIONS + 1);
  assert.throws(() => r.get(last - KEPT_GENERATIONS), /no longer kept/);
});

test('kept logits are bounded by bytes, oldest first; the newest record is always kept', () => {
  const mb = () => new Float32Array(256 * 1024);
  const r = new GenerationRecords(3 * 1024 * 1024 + 100_000, 1000);
  const ids = Array.from({ length: 5 }, () => r.start([1, 2], [3], [mb()], 7).id);
  assert.equal(r.size, 3);
  assert.throws(() => r.get(ids[1]), /no longer kept/);
  assert.equal(r.logitsAt(ids[2], 0).length, 256 * 1024);
  const big = r.start([1], [], [mb(), mb(), mb(), mb()], 7);
  assert.equal(r.size, 1);
  assert.equal(r.get(big.id).logits.length, 4);
});

test('branch: a new record with the tokens before the step and the logits up to it; bad steps are named', () => {
  const r = new GenerationRecords();
  const l = [0, 1, 2].map((x) => Float32Array.of(x));
  const a = r.start([9, 9], [5, 6, 7], l, 42);
  const b = r.branch({ generationId: a.id, step: 1, forcedToken: 3 }, undefined);
  assert.deepEqual([b.prompt, b.ids, b.logits, b.seed], [[9, 9], [5], l.slice(0, 2), 42]);
  assert.equal(r.branch({ generationId: a.id, step: 0, forcedToken: 3 }, 5).seed, 5);
  assert.throws(() => r.branch({ generationId: a.id, step: 3, forcedToken: 3 }, undefined), /has no step 3/);
  assert.throws(() => r.logitsAt(a.id, 3), /has no step 3/);
  assert.throws(() => r.get(999), /generation 999 is no longer kept/);
});
