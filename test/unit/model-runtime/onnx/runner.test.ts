import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadOnnxEngine } from '../../../../model-runtime/onnx/load';
import { FIXTURES, fixtureNames, reference } from '../fixtures';

const names = fixtureNames();

test('fixture models exist for gpt2 and the llama family', () => {
  for (const arch of ['gpt2', 'llama', 'qwen2', 'mistral', 'phi3'])
    assert.ok(
      names.some((n) => n.startsWith(arch)),
      `no ${arch} fixture in ${FIXTURES}`,
    );
});

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i])), 0);

for (const name of names) {
  test(`${name}: logits match the reference stored at export`, async () => {
    const ref = reference(name);
    const engine = await loadOnnxEngine(join(FIXTURES, name), { providers: ['cpu'], onnxFile: ref.onnx_file ?? 'model.onnx', threads: 1 });
    try {
      assert.equal(engine.provider.active, 'cpu');
      const cache = engine.runner.newCache();
      for (const [i, step] of ref.steps.entries()) {
        const { data, rows } = await engine.runner.run(cache, step.feed);
        const V = data.length / rows;
        const last = data.subarray((rows - 1) * V);
        step.check_ids.forEach((id, j) => {
          assert.ok(Math.abs(last[id] - step.check_logits[j]) <= ref.atol, `step ${i} id ${id}: ${last[id]} vs ${step.check_logits[j]}`);
        });
        let arg = 0;
        for (let v = 1; v < V; v++) if (last[v] > last[arg]) arg = v;
        assert.equal(arg, step.argmax, `step ${i} argmax`);
      }
    } finally {
      await engine.release();
    }
  });

  test(`${name}: cached incremental decoding equals a full recompute; prefix reuse and rewind`, async () => {
    const ref = reference(name);
    const engine = await loadOnnxEngine(join(FIXTURES, name), { providers: ['cpu'], onnxFile: ref.onnx_file ?? 'model.onnx', threads: 1 });
    try {
      const never = () => false;
      const prompt = ref.input_ids;
      // Incremental: the prompt, then five tokens one at a time through the cache.
      const inc = engine.runner.newCache();
      let { logits } = await engine.prefill(inc, prompt, never);
      const seq = [...prompt];
      for (let i = 0; i < 5; i++) {
        const next = (seq.length * 7 + i * 13) % engine.info.vocabSize;
        seq.push(next);
        ({ logits } = await engine.prefill(inc, seq, never));
      }
      // Full: the whole sequence in one run with an empty cache.
      const full = await engine.prefill(engine.runner.newCache(), seq, never);
      assert.equal(full.reused, 0);
      assert.ok(maxDiff(logits, full.logits) < 1e-4, `incremental vs full: ${maxDiff(logits, full.logits)}`);

      // Prefix reuse: extending the cached sequence feeds only the new tokens.
      const ext = [...seq, 3, 4];
      const r1 = await engine.prefill(inc, ext, never);
      assert.equal(r1.reused, seq.length);
      assert.deepEqual(inc.tokens, ext);
      assert.ok(maxDiff(r1.logits, (await engine.prefill(engine.runner.newCache(), ext, never)).logits) < 1e-4);
      // Rewind: a sequence that diverges after 4 tokens keeps exactly 4 and matches a fresh run.
      const div = [...seq.slice(0, 4), 9, 8, 7];
      const r2 = await engine.prefill(inc, div, never);
      assert.equal(r2.reused, 4);
      assert.deepEqual(inc.tokens, div);
      assert.ok(maxDiff(r2.logits, (await engine.prefill(engine.runner.newCache(), div, never)).logits) < 1e-4);

      // A small divergence in a long sequence masks the dropped slots (no copy): still exact, twice over.
      const long = Array.from({ length: 48 }, (_, i) => (i * 11 + 3) % engine.info.vocabSize);
      const c = engine.runner.newCache();
      await engine.prefill(c, long, never);
      const edit1 = [...long.slice(0, 45), 7, 8];
      const m1 = await engine.prefill(c, edit1, never);
      assert.equal(m1.reused, 45);
      // GroupQueryAttention counts the mask instead of reading it: those graphs get a cache without holes.
      assert.equal(c.deadCount, engine.runner.signature.maskHoles ? 3 : 0);
      assert.ok(maxDiff(m1.logits, (await engine.prefill(engine.runner.newCache(), edit1, never)).logits) < 1e-4, 'masked rewind');
      const edit2 = [...edit1.slice(0, 44), 5, 6, 7];
      const m2 = await engine.prefill(c, edit2, never);
      if (engine.runner.signature.maskHoles) assert.ok(c.deadCount > 3, `dead ${c.deadCount}`);
      assert.ok(maxDiff(m2.logits, (await engine.prefill(engine.runner.newCache(), edit2, never)).logits) < 1e-4, 'masked rewind, twice');
    } finally {
      await engine.release();
    }
  });
}
