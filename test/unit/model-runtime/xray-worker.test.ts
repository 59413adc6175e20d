// The X-ray through the worker, as the extension asks for it: text in, lens rows and attention out with token
// texts; an engine that cannot expose its layers (GGUF on llama.cpp) says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import type { RuntimeError } from '../../../model-runtime/errors';
import { WorkerConnection } from '../../../model-runtime/worker-connection';
import { FIXTURES } from './fixtures';

test('the worker X-rays the position after a text; a GGUF model answers unsupported', async () => {
  const w = new WorkerConnection({ workerPath: resolve('dist/worker.js') });
  try {
    await w.ready;
    await w.load({ modelDir: join(FIXTURES, 'llama-tiny'), providers: ['cpu'], onnxFile: 'model.onnx', threads: 1 });
    const r = await w.xray('def add(a, b):\n    return', 3);
    assert.equal(r.lens.length, 3, 'embedding, after block 1, after block 2');
    assert.ok(r.lens.every((row) => row.top.length === 3 && row.top.every((t) => t.prob > 0 && typeof t.text === 'string')));
    assert.equal(r.attention?.length, 2);
    assert.equal(r.attention![0][0].length, r.tokens.length);
    assert.equal(r.tokens.map((t) => t.text).join(''), 'def add(a, b):\n    return');
    await w.load({ modelDir: join(FIXTURES, 'gguf', 'llama-tiny-f32.gguf'), threads: 1 });
    await assert.rejects(w.xray('x', 3), (e: RuntimeError) => e.code === 'unsupported');
  } finally {
    w.dispose();
  }
});
