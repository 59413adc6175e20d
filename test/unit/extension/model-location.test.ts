import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultModelDir } from '../../../extension/model-location';

test('the default model is a media/models folder with config.json and an .onnx file; "default" wins', () => {
  const ext = mkdtempSync(join(tmpdir(), 'ts-ext-'));
  assert.equal(defaultModelDir(ext), undefined);
  const model = (name: string, onnx: boolean) => {
    mkdirSync(join(ext, 'media', 'models', name, 'onnx'), { recursive: true });
    writeFileSync(join(ext, 'media', 'models', name, 'config.json'), '{}');
    if (onnx) writeFileSync(join(ext, 'media', 'models', name, 'onnx', 'model.onnx'), '');
  };
  model('b-model', false); // still being exported: no .onnx yet
  assert.equal(defaultModelDir(ext), undefined);
  model('c-model', true);
  assert.equal(defaultModelDir(ext), join(ext, 'media', 'models', 'c-model'));
  model('default', true);
  assert.equal(defaultModelDir(ext), join(ext, 'media', 'models', 'default'));
});
