import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cumulative, tokenAtDraw } from '../../../../sampling/draw';
import type { SamplingSettings } from '../../../../sampling/settings';
import { applySampling } from '../../../../webview/shared/local-sampler';

const OFF: SamplingSettings = {
  temperature: 1,
  topK: 0,
  topP: 1,
  minP: 0,
  repetitionPenalty: 1,
  presencePenalty: 0,
  frequencyPenalty: 0,
  maxTokens: 16,
  stop: [],
};
const alts = [
  { id: 1, text: 'a', rawProb: 0.5 },
  { id: 2, text: 'b', rawProb: 0.3 },
  { id: 3, text: 'c', rawProb: 0.15 },
  { id: 4, text: 'd', rawProb: 0.05 },
];
const final = (r: ReturnType<typeof applySampling>) => r.map((a) => +a.finalProb.toFixed(6));

test('temperature 1 with no cutters renormalises the kept probabilities', () => {
  assert.deepEqual(final(applySampling(alts, [], OFF)), [0.5, 0.3, 0.15, 0.05]);
});

test('temperature re-renders the distribution from the raw probabilities alone', () => {
  const hot = applySampling(alts, [], { ...OFF, temperature: 2 });
  const cold = applySampling(alts, [], { ...OFF, temperature: 0.5 });
  assert.ok(hot[0].finalProb < 0.5 && hot[3].finalProb > 0.05, 'hotter flattens');
  assert.ok(cold[0].finalProb > 0.5 && cold[3].finalProb < 0.05, 'colder sharpens');
  // T=0.5 squares the probabilities: 0.25/(0.25+0.09+0.0225+0.0025).
  assert.ok(Math.abs(cold[0].finalProb - 0.25 / 0.365) < 1e-9);
});

test('greedy keeps only the top token', () => {
  const g = applySampling(alts, [], { ...OFF, temperature: 0 });
  assert.deepEqual(final(g), [1, 0, 0, 0]);
  assert.deepEqual(
    g.map((a) => a.removedBy),
    [undefined, 'greedy', 'greedy', 'greedy'],
  );
});

test('each cutter names what it removed', () => {
  assert.deepEqual(
    applySampling(alts, [], { ...OFF, topK: 2 }).map((a) => a.removedBy),
    [undefined, undefined, 'top-k', 'top-k'],
  );
  assert.deepEqual(
    applySampling(alts, [], { ...OFF, topP: 0.75 }).map((a) => a.removedBy),
    [undefined, undefined, 'top-p', 'top-p'],
  );
  assert.deepEqual(
    applySampling(alts, [], { ...OFF, minP: 0.35 }).map((a) => a.removedBy),
    [undefined, undefined, 'min-p', 'min-p'],
  );
  const k = applySampling(alts, [], { ...OFF, topK: 2 });
  assert.ok(Math.abs(k[0].finalProb - 0.625) < 1e-9);
});

test('penalties push down tokens already generated', () => {
  const p = applySampling(alts, [1, 1], { ...OFF, frequencyPenalty: 1 });
  assert.ok(p[0].finalProb < 0.5);
  const r = applySampling(alts, [1], { ...OFF, repetitionPenalty: 1.5 });
  assert.ok(r[0].finalProb < 0.5);
});

test('the cumulative distribution and the draw', () => {
  const cdf = cumulative(applySampling(alts, [], OFF));
  assert.equal(cdf.length, 4);
  assert.equal(cdf[0].start, 0);
  assert.ok(Math.abs(cdf[3].end - 1) < 1e-12);
  assert.equal(tokenAtDraw(cdf, 0.1)!.id, 1);
  assert.equal(tokenAtDraw(cdf, 0.6)!.id, 2);
  assert.equal(tokenAtDraw(cdf, 0.99)!.id, 4);
});
