// tokenscope.model.fimFamily: a family named in the settings replaces the detected FIM tokens (their ids from the
// model's own special tokens, the family's order), a family the model lacks is refused naming its tokens, and the
// setting's choices are the table's families.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FIM_FAMILIES } from '../../../model-runtime/fim-families';
import { readModelFolder } from '../../../model-runtime/model-folder';
import { loadTokenizer, withFimFamily } from '../../../model-runtime/tokenizer';
import { WorkerConnection } from '../../../model-runtime/worker-connection';
import { FIXTURES } from './fixtures';

test("a named family's tokens and order replace the detected ones; a family the model lacks is refused", () => {
  const tok = loadTokenizer(readModelFolder(join(FIXTURES, 'llama-tiny')));
  assert.equal(tok.fim?.family, 'qwen2.5-coder', 'detected: the first family whose tokens it has');
  const { tokenizer, layout } = withFimFamily(tok, 'tokenscope');
  assert.deepEqual({ ...tokenizer.fim }, { ...tok.fim, family: 'tokenscope' });
  assert.equal(layout, 'spm');
  assert.deepEqual(tokenizer.encode('x = 1'), tok.encode('x = 1'));
  assert.throws(() => withFimFamily(tok, 'starcoder'), /no starcoder FIM tokens \(<fim_prefix> <fim_suffix> <fim_middle>\)/);
  assert.throws(() => withFimFamily(tok, 'nope'), /unknown fill-in-the-middle family "nope"/);
});

test('the worker loads with the family from the setting, ONNX and GGUF alike', async () => {
  const w = new WorkerConnection({ workerPath: resolve('dist/worker.js') });
  try {
    await w.ready;
    const onnx = await w.load({
      modelDir: join(FIXTURES, 'llama-tiny'),
      providers: ['cpu'],
      onnxFile: 'model.onnx',
      threads: 1,
      fimFamily: 'tokenscope',
    });
    assert.equal(onnx.model.fim?.family, 'tokenscope');
    assert.equal(onnx.model.fimLayout, 'spm');
    const gguf = await w.load({ modelDir: join(FIXTURES, 'gguf', 'llama-tiny-f32.gguf'), threads: 1, fimFamily: 'codegemma' });
    assert.equal(gguf.model.fim?.family, 'codegemma');
    assert.equal(gguf.model.fimLayout, 'psm');
  } finally {
    w.dispose();
  }
});

test("the setting's choices are the table's families", () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
  const props = pkg.contributes.configuration.properties ?? pkg.contributes.configuration[0]?.properties;
  for (const key of ['tokenscope.model.fimFamily', 'tokenscope.remote.fimFamily'])
    assert.deepEqual(props[key].enum, ['', ...FIM_FAMILIES.map((f) => f.name)], key);
});
