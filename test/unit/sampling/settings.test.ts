import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SAMPLER } from '../../../sampling/sampler';
import { SAMPLING, SAMPLING_DEFAULTS, SAMPLING_OFF, SAMPLING_TABLE, settingProblem, validateSampling } from '../../../sampling/settings';

test('every entry of the table is consistent: default, off value and slider inside the valid range', () => {
  for (const t of SAMPLING_TABLE) {
    assert.ok(t.min < t.max, t.key);
    if (t.default !== undefined) assert.equal(settingProblem(t.key, t.default), undefined, t.key);
    if (t.off !== undefined) assert.equal(settingProblem(t.key, t.off), undefined, t.key);
    assert.ok(t.min <= t.slider.min && t.slider.min < t.slider.max && t.slider.max <= t.max, `${t.key} slider`);
    assert.ok(t.slider.step > 0 && t.label && t.help, t.key);
  }
  assert.equal(SAMPLING.seed.default, undefined);
});

test('the defaults, the off values and the neutral greedy sampler come from the table', () => {
  assert.equal(SAMPLING_DEFAULTS.temperature, 0.7);
  assert.equal(SAMPLING_DEFAULTS.minP, 0.05);
  assert.deepEqual(SAMPLING_DEFAULTS.stop, []);
  for (const t of SAMPLING_TABLE) assert.equal(SAMPLING_DEFAULTS[t.key], t.default, t.key);
  assert.deepEqual(SAMPLING_OFF, {
    temperature: 1,
    topK: 0,
    topP: 1,
    minP: 0,
    repetitionPenalty: 1,
    presencePenalty: 0,
    frequencyPenalty: 0,
  });
  assert.deepEqual(DEFAULT_SAMPLER, { ...SAMPLING_OFF, temperature: 0 });
});

test('validateSampling names each field outside its range, and accepts the whole valid range', () => {
  validateSampling(SAMPLING_DEFAULTS);
  validateSampling({ ...SAMPLING_DEFAULTS, temperature: 5, topP: 0, seed: 0, maxTokens: 512 });
  validateSampling({ temperature: 0.1 }); // absent fields are not checked
  assert.throws(() => validateSampling({ ...SAMPLING_DEFAULTS, temperature: 9 }), /temperature 9 is outside 0\.\.5/);
  assert.throws(
    () => validateSampling({ ...SAMPLING_DEFAULTS, topK: -1, minP: Number.NaN, seed: 1.5 }),
    (e: Error) =>
      e instanceof RangeError &&
      /topK -1 is outside 0\.\.100000/.test(e.message) &&
      /minP NaN is not a number/.test(e.message) &&
      /seed 1\.5 is not a whole number/.test(e.message),
  );
  assert.throws(() => validateSampling({ seed: -1 }), /seed -1 is outside 0\.\.2147483647/);
  assert.throws(() => validateSampling({ maxTokens: 0 }), /maxTokens 0 is outside 1\.\.512/);
  assert.throws(() => validateSampling({ topP: Number.POSITIVE_INFINITY }), /topP Infinity is outside 0\.\.1/);
  validateSampling({ seed: undefined });
});
