import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTROLS, FALLBACK_SAMPLING, parseControl, sameDistribution, withValue } from '../../../../webview/shared/controls';

const spec = (k: string) => CONTROLS.find((c) => c.key === k)!;

test('every sampling setting has a labelled control with a sane range', () => {
  for (const k of [
    'temperature',
    'topK',
    'topP',
    'minP',
    'repetitionPenalty',
    'presencePenalty',
    'frequencyPenalty',
    'seed',
    'maxTokens',
  ]) {
    const c = spec(k);
    assert.ok(c, k);
    assert.ok(c.min < c.max && c.step > 0 && c.label && c.help);
  }
});

test('typed values are parsed and clamped', () => {
  assert.equal(parseControl(spec('temperature'), '9'), 2);
  assert.equal(parseControl(spec('temperature'), '-1'), 0);
  assert.equal(parseControl(spec('topK'), '12.7'), 13);
  assert.equal(parseControl(spec('topP'), 'abc'), undefined);
  assert.equal(parseControl(spec('seed'), ''), undefined);
});

test('seed and max tokens do not change a distribution; the processors do', () => {
  assert.ok(sameDistribution(FALLBACK_SAMPLING, withValue(FALLBACK_SAMPLING, 'seed', 3)));
  assert.ok(sameDistribution(FALLBACK_SAMPLING, withValue(FALLBACK_SAMPLING, 'maxTokens', 3)));
  assert.ok(!sameDistribution(FALLBACK_SAMPLING, withValue(FALLBACK_SAMPLING, 'topP', 0.5)));
  assert.equal(withValue(FALLBACK_SAMPLING, 'seed', undefined).seed, undefined);
});
