import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkMessage, checkTokenIds, MAX_TEXT_CHARS } from '../../../model-runtime/request-checks';
import { SAMPLING_DEFAULTS } from '../../../sampling/settings';

const sampling = { ...SAMPLING_DEFAULTS, seed: 1, maxTokens: 8, stop: ['\n'] };
const generate = { type: 'generate', id: 7, priority: 'normal', prompt: { text: 'hi' }, sampling, topN: 2 };

/** The problem a message is refused for, and the id it is answered under (undefined: only logged). */
function refused(raw: unknown): { id?: number; problem: string } {
  const r = checkMessage(raw);
  assert.equal(r.ok, false, `accepted: ${JSON.stringify(raw)}`);
  return r as { id?: number; problem: string };
}

test('well-formed messages of every type pass unchanged in substance', () => {
  const ok = [
    { type: 'load', id: 1, modelDir: '/m', providers: ['cpu'], onnxFile: 'model.onnx', threads: 2, draftTokens: 0 },
    generate,
    { ...generate, prompt: { fim: { prefix: 'a', suffix: 'b', layout: 'spm' } }, branch: { generationId: 1, step: 0, forcedToken: 5 } },
    { ...generate, prompt: { tokens: [1, 2, 3] }, sampling: { ...sampling, seed: undefined, stop: undefined } },
    { type: 'resample', id: 2, generationId: 1, step: 3, sampling, topN: 5 },
    { type: 'tokenize', id: 3, text: 'x' },
    { type: 'score', id: 4, text: 'x', topN: 0, priority: 'background' },
    { type: 'cancel', id: 5 },
    { type: 'memory', id: 6 },
    { type: 'shutdown' },
  ];
  for (const m of ok) {
    const r = checkMessage(m);
    assert.ok(r.ok, `${JSON.stringify(m)}: ${r.ok ? '' : r.problem}`);
    assert.equal(r.msg.type, m.type);
  }
  const r = checkMessage({ ...generate, sampling: { ...sampling, stop: undefined } });
  assert.ok(r.ok && r.msg.type === 'generate' && Array.isArray(r.msg.sampling.stop), 'a missing stop list becomes []');
});

test("a FIM prompt's repository context reaches the engine whole; a malformed one is refused by name", () => {
  const context = { repo: 'shop', path: 'src/a.ts', files: [{ path: 'src/b.ts', text: 'export const b = 2;' }] };
  const r = checkMessage({ ...generate, prompt: { fim: { prefix: 'a', suffix: 'b', context } } });
  assert.ok(r.ok && r.msg.type === 'generate');
  assert.deepEqual(r.msg.prompt.fim?.context, context);
  const fim = (c: unknown) => ({ ...generate, prompt: { fim: { prefix: 'a', suffix: 'b', context: c } } });
  assert.match(refused(fim({ ...context, files: 'x' })).problem, /prompt\.fim\.context\.files must be a list/);
  assert.match(refused(fim({ ...context, files: [{ path: 1, text: '' }] })).problem, /files\[0\]\.path must be a string/);
  // The most chunks the setting allows pass; a runaway list does not.
  assert.ok(checkMessage(fim({ ...context, files: Array(128).fill({ path: 'p', text: 't' }) })).ok);
  assert.match(refused(fim({ ...context, files: Array(257).fill({ path: 'p', text: 't' }) })).problem, /at most 256 files/);
  assert.match(refused(fim({ files: [] })).problem, /context\.repo must be a string/);
});

test('the inputs that used to reach the engine as raw errors are refused, naming the field, under their id', () => {
  const cases: [unknown, RegExp][] = [
    [{ ...generate, sampling: { ...sampling, stop: [null] } }, /sampling\.stop\[0\] must be a string/],
    [{ ...generate, prompt: null }, /prompt must be an object, got null/],
    [{ ...generate, prompt: { tokens: [1.5] } }, /prompt\.tokens\[0\] must be a whole number >= 0, got 1\.5/],
    [{ ...generate, prompt: { tokens: [1, null] } }, /prompt\.tokens\[1\]/],
    [{ ...generate, prompt: { fim: { prefix: 'a' } } }, /prompt\.fim\.suffix must be a string/],
    [{ ...generate, branch: { generationId: 1, step: 0, forcedToken: 1.5 } }, /branch\.forcedToken/],
    [{ ...generate, sampling: { ...sampling, temperature: 9 } }, /temperature 9 is outside 0\.\.5/],
    [{ ...generate, sampling: { ...sampling, topK: 2.5 } }, /topK 2\.5 is not a whole number/],
    [{ ...generate, sampling: { ...sampling, topP: undefined } }, /sampling\.topP is missing/],
    [{ ...generate, sampling: null }, /sampling must be an object/],
    [{ ...generate, topN: 1e9 }, /topN must be a whole number in 0\.\.1000/],
    [{ ...generate, priority: 'urgent' }, /priority must be one of/],
    [{ type: 'resample', id: 7, generationId: -1, step: 0, sampling, topN: 1 }, /generationId/],
    [{ type: 'tokenize', id: 7, text: null }, /text must be a string/],
    [{ type: 'score', id: 7, text: 'x'.repeat(MAX_TEXT_CHARS + 1), topN: 1, priority: 'normal' }, /at most 1000000/],
    [{ type: 'load', id: 7, modelDir: 42 }, /modelDir must be a string/],
    [{ type: 'load', id: 7, modelDir: '/m\0x' }, /NUL/],
    [{ type: 'load', id: 7, modelDir: '/m', providers: ['tpu'] }, /unknown execution provider "tpu"/],
    [{ type: 'load', id: 7, modelDir: '/m', threads: -1 }, /threads/],
    [{ type: 'xray', id: 7, text: '', at: { generationId: 1, step: -1 }, topK: 3, priority: 'interactive' }, /at\.step must be/],
    [{ type: 'xray', id: 7, text: '', at: 5, topK: 3, priority: 'interactive' }, /at must be \{ generationId, step \}/],
    [{ type: 'bogus', id: 7 }, /unknown request type "bogus"/],
  ];
  for (const [m, why] of cases) {
    const r = refused(m);
    assert.equal(r.id, 7, r.problem);
    assert.match(r.problem, why);
  }
});

test('what cannot be answered is refused without an id: not an object, no usable id, a bad cancel', () => {
  for (const m of [null, 5, 'load', [1, 2], { type: 'memory' }, { type: 'memory', id: 1.5 }, { type: 'cancel', id: 'x' }]) {
    assert.equal(refused(m).id, undefined, JSON.stringify(m));
  }
});

test('token ids are checked against the loaded vocabulary when the request runs', () => {
  assert.throws(() => checkTokenIds({ prompt: { tokens: [1, 1e9] } }, 516), /prompt\.tokens\[1\] is 1000000000, outside .*0\.\.515/);
  assert.throws(() => checkTokenIds({ prompt: {}, branch: { generationId: 1, step: 0, forcedToken: 516 } }, 516), /forcedToken is 516/);
  checkTokenIds({ prompt: { tokens: [0, 515] }, branch: { generationId: 1, step: 0, forcedToken: 515 } }, 516);
});
