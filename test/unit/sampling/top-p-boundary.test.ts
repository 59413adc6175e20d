// Top-p at a boundary that is exact in the sampler's own arithmetic. Top-p keeps the smallest prefix whose
// mass is >= p: where the kept mass lands exactly on p, that prefix is complete, and a `>` in its place would
// keep one token more. The cases are built so every weight and running sum is an exact binary fraction (checked
// below), so no rounding can hide which comparison the sampler makes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SAMPLER, type SamplerSettings, sample, softmaxStats } from '../../../sampling/sampler';
import type { SamplingSettings } from '../../../sampling/settings';
import { applySampling } from '../../../webview/shared/local-sampler';

const S = (over: Partial<SamplerSettings>): SamplerSettings => ({ ...DEFAULT_SAMPLER, temperature: 1, ...over });

/** Kept ids (finalProb > 0) and what removed the others, from a report listing every token. */
function fates(logits: Float32Array, topP: number) {
  const r = sample(logits, S({ topP }), [], 0.5, logits.length);
  const kept = r.alternatives.filter((a) => a.finalProb > 0);
  return {
    kept: kept.map((a) => a.id).sort((a, b) => a - b),
    finalProbs: kept.map((a) => a.finalProb),
    removedBy: new Set(r.alternatives.filter((a) => a.finalProb === 0).map((a) => a.removedBy)),
    keptCount: r.keptCount,
  };
}

test('sample(), full float32 vocabulary: a prefix reaching p exactly is kept, not one token more', () => {
  // 4096 float32 logits: four tokens tied at 0 (each weighs exactly 1), every other one at -Infinity (weighs
  // exactly 0). 4096 >= 1024 takes the SIMD softmax path, as a real vocabulary does.
  const l = new Float32Array(4096).fill(Number.NEGATIVE_INFINITY);
  const top = [3, 500, 1000, 2000];
  for (const id of top) l[id] = 0;
  // The premise: the partition sum is exactly 4, so the running shares are exactly 1/4, 2/4, 3/4, 1.
  assert.equal(softmaxStats(l).sum, 4);

  // Mass 2/4 reaches p = 0.5 exactly: two tokens (ties: lower id first), at 1/2 each after renormalising.
  const half = fates(l, 0.5);
  assert.deepEqual(half.kept, [3, 500]);
  assert.equal(half.keptCount, 2);
  assert.deepEqual(half.finalProbs, [0.5, 0.5]);
  assert.deepEqual(half.removedBy, new Set(['top-p']));
  // 3/4 reaches p = 0.75 exactly: three tokens.
  assert.deepEqual(fates(l, 0.75).kept, [3, 500, 1000]);
  assert.equal(fates(l, 0.25).keptCount, 1);
  // Just past a boundary needs the next token.
  assert.deepEqual(fates(l, 0.5000001).kept, [3, 500, 1000]);
});

test('sample(), a small float32 vector (the JavaScript softmax loop): the same exact boundary', () => {
  const l = new Float32Array([0, 0, Number.NEGATIVE_INFINITY, 0, 0, Number.NEGATIVE_INFINITY]);
  assert.equal(softmaxStats(l).sum, 4);
  assert.deepEqual(fates(l, 0.5).kept, [0, 1]);
  assert.deepEqual(fates(l, 0.75).kept, [0, 1, 3]);
});

const OFF: SamplingSettings = {
  ...DEFAULT_SAMPLER,
  temperature: 1,
  maxTokens: 16,
  stop: [],
};

const keptIds = (r: ReturnType<typeof applySampling>) => r.filter((a) => a.finalProb > 0).map((a) => a.id);

test("the webview's applySampling: probabilities 1/2, 1/4, 1/4 reach p = 3/4 and p = 1/2 exactly", () => {
  // Its logits are log(rawProb) in float64; relative to the top, 1/4 weighs exp(log(1/4) - log(1/2)): the
  // premise is that this is exactly 1/2, so the shares are exactly 1/2, 3/4, 1.
  assert.equal(Math.exp(Math.log(0.25) - Math.log(0.5)), 0.5);
  const alts = [
    { id: 10, text: 'a', rawProb: 0.5 },
    { id: 11, text: 'b', rawProb: 0.25 },
    { id: 12, text: 'c', rawProb: 0.25 },
  ];
  const at75 = applySampling(alts, [], { ...OFF, topP: 0.75 });
  assert.deepEqual(keptIds(at75), [10, 11]);
  assert.deepEqual(
    at75.map((a) => [a.finalProb, a.removedBy]),
    [
      [2 / 3, undefined],
      [1 / 3, undefined],
      [0, 'top-p'],
    ],
  );
  assert.deepEqual(keptIds(applySampling(alts, [], { ...OFF, topP: 0.5 })), [10]);
  assert.deepEqual(keptIds(applySampling(alts, [], { ...OFF, topP: 0.76 })), [10, 11, 12]);
});

test("the webview's applySampling: four equal alternatives, p = 1/2 keeps two", () => {
  const alts = [1, 2, 3, 4].map((id) => ({ id, text: String(id), rawProb: 0.25 }));
  assert.deepEqual(keptIds(applySampling(alts, [], { ...OFF, topP: 0.5 })), [1, 2]);
  assert.deepEqual(keptIds(applySampling(alts, [], { ...OFF, topP: 0.25 })), [1]);
});
