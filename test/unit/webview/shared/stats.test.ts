import assert from 'node:assert/strict';
import { test } from 'node:test';
import { entropy, formatProb, meanLogProb, perplexity, summarize } from '../../../../webview/shared/stats';

test('entropy of a uniform distribution is log n, of a certain one 0', () => {
  assert.ok(Math.abs(entropy([0.25, 0.25, 0.25, 0.25]) - Math.log(4)) < 1e-12);
  assert.equal(entropy([1, 0, 0]), 0);
  // Unnormalised input is normalised first.
  assert.ok(Math.abs(entropy([2, 2]) - Math.log(2)) < 1e-12);
});

test('perplexity is exp of minus the mean log-probability', () => {
  assert.ok(Math.abs(perplexity([0.5, 0.5]) - 2) < 1e-12);
  assert.ok(Math.abs(perplexity([0.1, 0.4]) - 5) < 1e-9);
  assert.ok(Math.abs(meanLogProb([0.1, 0.4]) - Math.log(0.2)) < 1e-12);
  assert.equal(perplexity([]), 1);
  assert.ok(Number.isFinite(perplexity([0])));
});

test('summary of steps', () => {
  const s = summarize([
    { rawProb: 0.5, entropy: 1 },
    { rawProb: 0.125, entropy: 3 },
  ]);
  assert.equal(s.tokens, 2);
  assert.ok(Math.abs(s.perplexity - 4) < 1e-9);
  assert.equal(s.meanEntropy, 2);
});

test('probability formatting', () => {
  assert.equal(formatProb(1), '100%');
  assert.equal(formatProb(0.4321), '43.2%');
  assert.equal(formatProb(0.00123), '0.12%');
  assert.equal(formatProb(0), '0%');
  assert.equal(formatProb(9e-6), '<0.01%', 'no exponent notation');
});
