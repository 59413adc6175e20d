import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RESTRICTED_SETTINGS, SETTINGS, providerList, readConfig, samplingFor, type SettingSource } from '../../../extension/config';
import { NO_SEED, SAMPLING_DEFAULTS, SAMPLING_TABLE } from '../../../sampling/settings';

const source = (values: Record<string, unknown>, user: Record<string, unknown> = {}): SettingSource => ({
  get: (k) => values[k],
  userValue: (k) => user[k],
});

test('defaults when nothing is set', () => {
  const { config, warnings } = readConfig(source({}), true);
  assert.deepEqual(warnings, []);
  assert.equal(config.modelPath, '');
  assert.equal(config.executionProvider, 'auto');
  assert.equal(config.completion.autoTrigger, true);
  assert.equal(config.completion.lineMode, 'auto');
  assert.equal(config.sampling.seed, undefined);
  assert.equal(config.context.budgetTokens, 512);
});

test('valid values are used', () => {
  const { config, warnings } = readConfig(
    source({ 'completion.debounceMs': 0, 'model.executionProvider': 'cpu', 'sampling.seed': 42, 'completion.autoTrigger': false }),
    true,
  );
  assert.deepEqual(warnings, []);
  assert.equal(config.completion.debounceMs, 0);
  assert.equal(config.executionProvider, 'cpu');
  assert.equal(config.sampling.seed, 42);
  assert.equal(config.completion.autoTrigger, false);
});

test('out-of-range or wrongly typed values get a warning and the default', () => {
  const { config, warnings } = readConfig(
    source({ 'sampling.topP': 1.5, 'completion.maxLines': 2.5, 'completion.lineMode': 'paragraph', 'completion.autoTrigger': 'yes' }),
    true,
  );
  assert.equal(config.sampling.topP, 0.95);
  assert.equal(config.completion.maxLines, 8);
  assert.equal(config.completion.lineMode, 'auto');
  assert.equal(config.completion.autoTrigger, true);
  assert.equal(warnings.length, 4);
  assert.match(warnings[0], /tokenscope\.sampling\.topP: 1\.5 is outside 0\.\.1; using the default 0\.95/);
});

test('restricted mode reads the model folder from user settings only', () => {
  const s = source({ 'model.path': '/workspace/evil-model' }, { 'model.path': '/home/me/model' });
  assert.equal(readConfig(s, true).config.modelPath, '/workspace/evil-model');
  assert.equal(readConfig(s, false).config.modelPath, '/home/me/model');
  assert.equal(readConfig(source({ 'model.path': '/workspace/evil-model' }), false).config.modelPath, '');
});

test('provider preference becomes an ordered list with the CPU as fallback', () => {
  assert.equal(providerList('auto'), undefined);
  assert.deepEqual(providerList('cpu'), ['cpu']);
  assert.deepEqual(providerList('webgpu'), ['webgpu', 'cpu']);
});

test('samplingFor merges the user sampling settings with per-request values', () => {
  const { config } = readConfig(source({ 'sampling.topK': 5 }), true);
  const s = samplingFor(config, { maxTokens: 10, temperature: 0 });
  assert.equal(s.topK, 5);
  assert.equal(s.temperature, 0);
  assert.deepEqual(s.stop, []);
});

test('package.json declares every setting with the same default, range and description', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const props = pkg.contributes.configuration.properties as Record<string, any>;
  for (const [key, spec] of Object.entries(SETTINGS)) {
    const p = props[`tokenscope.${key}`];
    assert.ok(p, `package.json lacks tokenscope.${key}`);
    assert.deepEqual(p.default, spec.def, key);
    assert.ok(p.description || p.markdownDescription, `${key} has no description`);
    if (spec.kind === 'number') {
      assert.equal(p.minimum, spec.min, key);
      assert.equal(p.maximum, spec.max, key);
      assert.equal(p.type, 'integer' in spec && spec.integer ? 'integer' : 'number', key);
    }
    if (spec.kind === 'enum') assert.deepEqual(p.enum, spec.values, key);
    if (spec.kind === 'strings') assert.deepEqual([p.type, p.items?.type], ['array', 'string'], key);
  }
  assert.equal(Object.keys(props).filter((k) => k.startsWith('tokenscope.')).length, Object.keys(SETTINGS).length);
});

test('the sampling settings are the sampling table: package.json, the reader and the defaults agree with it', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const props = pkg.contributes.configuration.properties as Record<string, Record<string, unknown>>;
  const keys = Object.keys(props).filter((k) => k.startsWith('tokenscope.sampling.'));
  const table = SAMPLING_TABLE.filter((t) => t.description !== undefined);
  assert.deepEqual(keys.sort(), table.map((t) => `tokenscope.sampling.${t.key}`).sort());
  for (const t of table) {
    const p = props[`tokenscope.sampling.${t.key}`];
    const fresh = t.key === 'seed'; // a setting spells "no seed" NO_SEED
    assert.equal(p.default, fresh ? NO_SEED : t.default, t.key);
    assert.equal(p.minimum, fresh ? NO_SEED : t.min, t.key);
    assert.equal(p.maximum, t.max, t.key);
    assert.equal(p.type, t.integer ? 'integer' : 'number', t.key);
    assert.equal(p.description, t.description, t.key);
  }
  const { config } = readConfig(source({}), true);
  const { maxTokens: _m, stop: _s, ...defaults } = SAMPLING_DEFAULTS;
  assert.deepEqual(config.sampling, defaults);
  // The full valid range is accepted (a temperature the inspector's slider stops short of, too).
  const edge = readConfig(source({ 'sampling.temperature': 5, 'sampling.repetitionPenalty': 5, 'sampling.seed': 0 }), true);
  assert.deepEqual(edge.warnings, []);
  assert.equal(edge.config.sampling.temperature, 5);
  assert.equal(edge.config.sampling.seed, 0);
});

test('languages with completions off: a list of language ids, anything else warned about', () => {
  assert.deepEqual(readConfig(source({}), true).config.completion.disabledLanguages, []);
  const ok = readConfig(source({ 'completion.disabledLanguages': ['markdown', 'plaintext'] }), true);
  assert.deepEqual(ok.config.completion.disabledLanguages, ['markdown', 'plaintext']);
  const bad = readConfig(source({ 'completion.disabledLanguages': 'markdown' }), true);
  assert.deepEqual(bad.config.completion.disabledLanguages, []);
  assert.match(bad.warnings[0], /disabledLanguages: "markdown" is not a list of strings/);
});

test("package.json's Restricted Mode list is the reader's: VS Code's settings UI and the reader agree", () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const declared = [...pkg.capabilities.untrustedWorkspaces.restrictedConfigurations].sort();
  assert.deepEqual(declared, RESTRICTED_SETTINGS.map((k) => `tokenscope.${k}`).sort());
});
