// The X-ray through the worker, as the extension asks for it: text in, lens rows and attention out with token
// texts; an engine that cannot expose its layers (GGUF on llama.cpp) says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import type { RuntimeError } from '../../../model-runtime/errors';
import { WorkerConnection } from '../../../model-runtime/worker-connection';
import { DEFAULT_SAMPLER } from '../../../sampling/sampler';
import { FIXTURES } from './fixtures';

test('the worker X-rays the position after a text; a GGUF model answers unsupported', async () => {
  const w = new WorkerConnection({ workerPath: resolve('dist/worker.js') });
  try {
    await w.ready;
    await w.load({ modelDir: join(FIXTURES, 'llama-tiny'), providers: ['cpu'], onnxFile: 'model.onnx', threads: 1 });
    const r = await w.xray('def add(a, b):\n    return', 3);
    // A kept generation's step: the context it had before the step's token, and (greedy) the lens's last row
    // predicts the token that step drew.
    const gen = await w.generate({
      prompt: { text: 'def add(a, b):' },
      sampling: { ...DEFAULT_SAMPLER, temperature: 0, maxTokens: 4, stop: [] },
      topN: 0,
    });
    const at = await w.xray({ generationId: gen.generationId, step: 2 }, 3);
    const prompt = (await w.tokenize('def add(a, b):')).map((t) => t.id);
    assert.deepEqual(
      at.tokens.map((t) => t.id),
      [...prompt, ...gen.ids.slice(0, 2)],
    );
    assert.equal(at.lens[2].top[0].id, gen.ids[2]);
    await assert.rejects(w.xray({ generationId: gen.generationId, step: 9 }, 3), (e: RuntimeError) => e.code === 'bad-request');
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
