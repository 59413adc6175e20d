import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { readGraphIo } from '../../../../model-runtime/onnx/graph-io';
import { FIXTURES, fixtureNames } from '../fixtures';

test("the graph's inputs (names, types, shapes) and outputs, read from the file, are onnxruntime's", async () => {
  for (const name of fixtureNames()) {
    for (const file of ['model.onnx', 'model_quantized.onnx']) {
      const path = join(FIXTURES, name, 'onnx', file);
      let session: ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(path);
      } catch {
        continue; // not every fixture has a quantized file
      }
      const io = readGraphIo(path);
      assert.deepEqual(io.inputs, session.inputMetadata, path);
      assert.deepEqual(io.outputs, session.outputNames, path);
      await session.release();
    }
  }
});

test('a file that is not an ONNX model says why', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenscope-graph-'));
  try {
    const bad = join(dir, 'model.onnx');
    writeFileSync(bad, 'not an onnx model at all');
    assert.throws(() => readGraphIo(bad), /wire type/);
    writeFileSync(bad, Buffer.from([0x3a, 0xff, 0xff, 0x03, 0x0a])); // graph field longer than the file
    assert.throws(() => readGraphIo(bad), /past its message|truncated/);
    writeFileSync(bad, Buffer.from([0x08, 0x07])); // ir_version only
    assert.throws(() => readGraphIo(bad), /no graph/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
