import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SAMPLING, SAMPLING_DEFAULTS } from '../../../../sampling/settings';
import { CONTROLS, parseControl, sameDistribution, withValue } from '../../../../webview/shared/controls';

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

test('typed values are parsed and clamped to the valid range, past where the slider stops', () => {
  assert.equal(spec('temperature').max, 2);
  assert.equal(parseControl(spec('temperature'), '5'), 5);
  assert.equal(parseControl(spec('temperature'), '9'), 5);
  assert.equal(parseControl(spec('temperature'), '-1'), 0);
  assert.equal(parseControl(spec('topP'), '0'), 0);
  assert.equal(parseControl(spec('seed'), '3.4'), 3);
  assert.equal(parseControl(spec('topK'), '12.7'), 13);
  assert.equal(parseControl(spec('topP'), 'abc'), undefined);
  assert.equal(parseControl(spec('seed'), ''), undefined);
});

test('seed and max tokens do not change a distribution; the processors do', () => {
  assert.ok(sameDistribution(SAMPLING_DEFAULTS, withValue(SAMPLING_DEFAULTS, 'seed', 3)));
  assert.ok(sameDistribution(SAMPLING_DEFAULTS, withValue(SAMPLING_DEFAULTS, 'maxTokens', 3)));
  assert.ok(!sameDistribution(SAMPLING_DEFAULTS, withValue(SAMPLING_DEFAULTS, 'topP', 0.5)));
  assert.equal(withValue(SAMPLING_DEFAULTS, 'seed', undefined).seed, undefined);
});

test('the controls and the fallback settings come from the one sampling table', () => {
  assert.deepEqual(
    CONTROLS.map((c) => c.key),
    Object.keys(SAMPLING),
  );
  for (const c of CONTROLS) {
    const t = SAMPLING[c.key];
    assert.deepEqual([c.min, c.max, c.step], [t.slider.min, t.slider.max, t.slider.step], c.key);
    assert.deepEqual(c.valid, { min: t.min, max: t.max, integer: t.integer }, c.key);
    assert.equal(c.label, t.label);
    assert.equal(c.help, t.help);
    assert.ok(c.valid.min <= c.min && c.max <= c.valid.max, `${c.key}: the slider stays inside the valid range`);
  }
});
