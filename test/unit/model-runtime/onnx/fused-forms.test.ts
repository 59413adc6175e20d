// The forms the community's ONNX exports take, and the project's fused export, through the same loader as
// every model (the logits against torch are checked for every fixture in runner.test.ts): external data in
// several files, the merged decoder's use_cache_branch, float16 keys/values and logits, MatMulNBits,
// GroupQueryAttention, and the fused export's cache that takes only the new rows.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readGraphIo } from '../../../../model-runtime/onnx/graph-io';
import { loadOnnxEngine, type OnnxEngine } from '../../../../model-runtime/onnx/load';
import { graphNodes } from '../../../../model-runtime/onnx/proto';
import { GROW, RowCache } from '../../../../model-runtime/onnx/row-cache';
import type { SamplingSettings } from '../../../../model-runtime/protocol';
import { DEFAULT_SAMPLER } from '../../../../sampling/sampler';
import { FIXTURES, reference } from '../fixtures';

const never = () => false;
const greedy: SamplingSettings = { ...DEFAULT_SAMPLER, temperature: 0, maxTokens: 24, stop: [] };

async function withEngine(name: string, opts: { draftTokens?: number }, use: (e: OnnxEngine) => Promise<void>) {
  const engine = await loadOnnxEngine(join(FIXTURES, name), { providers: ['cpu'], threads: 1, ...opts });
  try {
    await use(engine);
  } finally {
    await engine.release();
  }
}

test('a q4 export whose weights lie in two external data files loads as the folder default', async () => {
  const dir = join(FIXTURES, 'qwen2-tiny-q4-gqa');
  assert.deepEqual(readdirSync(join(dir, 'onnx')).sort(), ['model_q4.onnx', 'model_q4.onnx_data', 'model_q4.onnx_data_1']);
  await withEngine('qwen2-tiny-q4-gqa', {}, async (e) => {
    assert.equal(e.info.onnxFile, 'model_q4.onnx');
    assert.equal(e.runner.signature.maskHoles, false, 'GroupQueryAttention counts the mask');
    assert.equal(e.runner.signature.kvLayout, 'concat');
  });
});

test('the merged decoder gets use_cache_branch; float16 keys/values and logits reach the sampler as float32', async () => {
  const ref = reference('llama-tiny-merged-f16');
  await withEngine('llama-tiny-merged-f16', {}, async (e) => {
    assert.equal(e.info.onnxFile, 'decoder_model_merged.onnx');
    assert.equal(e.runner.signature.useCacheBranch, true);
    assert.equal(e.runner.signature.kvType, 'float16');
    const cache = e.runner.newCache();
    const first = await e.runner.run(cache, ref.steps[0].feed);
    assert.ok(first.data instanceof Float32Array);
    const r = await e.generate(
      { prompt: { tokens: ref.input_ids }, sampling: { ...greedy, maxTokens: ref.steps.length }, topN: 5 },
      () => {},
      never,
    );
    assert.deepEqual(
      r.ids,
      ref.steps.map((s) => s.argmax),
    );
  });
});

test('fused export: the cache takes only new rows, grows in steps, and rewinds without a copy', async () => {
  const ref = reference('llama-tiny-fused');
  await withEngine('llama-tiny-fused', { draftTokens: 0 }, async (e) => {
    assert.equal(e.runner.signature.kvLayout, 'rows');
    const cache = e.runner.newCache();
    assert.ok(cache instanceof RowCache);
    await e.runner.run(cache, ref.input_ids);
    const bytes = cache.bytes;
    // Decode steps up to the buffer's capacity allocate nothing new.
    while (cache.length < GROW) await e.runner.run(cache, [cache.length % 500]);
    assert.equal(cache.bytes, bytes);
    await e.runner.run(cache, [7]);
    assert.equal(cache.bytes, 2 * bytes, 'one more row: the buffers grow by a step');
    // A rewind keeps the buffers; the next run continues from the kept prefix and equals a fresh run.
    const kept = cache.tokens.slice(0, 20);
    const plan = await cache.prepare([...kept, 3, 4], e.runner.contextLength);
    assert.equal(plan.reuse, 20);
    const cached = await e.runner.run(cache, plan.feed);
    const fresh = await e.runner.run(e.runner.newCache(), [...kept, 3, 4]);
    const V = e.info.vocabSize;
    const last = fresh.data.subarray((fresh.rows - 1) * V);
    let diff = 0;
    for (let i = 0; i < V; i++) diff = Math.max(diff, Math.abs(cached.data[i] - last[i]));
    assert.ok(diff < 1e-4, `cached step vs full recompute: ${diff}`);
  });
});

test('fused export: speculation (several rows per run over the past) decodes the same tokens as one at a time', async () => {
  const ref = reference('llama-tiny-fused');
  // A repetitive prompt, so prompt-lookup drafts are proposed and accepted.
  const prompt = [...ref.input_ids, ...ref.input_ids, ...ref.input_ids];
  const run = async (draftTokens: number) => {
    const out = { ids: [] as number[], drafted: 0 };
    await withEngine('llama-tiny-fused', { draftTokens }, async (e) => {
      // Runs of several tokens after the prompt's: decode steps that carried drafts.
      const run = e.runner.run.bind(e.runner);
      let runs = 0;
      e.runner.run = (c, feed, keep) => {
        if (runs++ > 0 && feed.length > 1) out.drafted++;
        return run(c, feed, keep);
      };
      out.ids = (await e.generate({ prompt: { tokens: prompt }, sampling: greedy, topN: 5 }, () => {}, never)).ids;
    });
    return out;
  };
  const plain = await run(0);
  const drafted = await run(4);
  assert.deepEqual(drafted.ids, plain.ids);
  assert.ok(drafted.drafted > 0, 'steps carried drafts');
});

test("the fused export's outputs come straight from the nodes that compute them, packed into one kernel for q/k/v and one for gate/up", () => {
  // An Identity per output made onnxruntime copy every present tensor, the whole cache, on every step.
  for (const file of [
    join(FIXTURES, 'llama-tiny-fused', 'onnx', 'model_quantized.onnx'),
    'media/models/tokenscope-code/onnx/model_quantized.onnx',
  ]) {
    const nodes = graphNodes(readFileSync(file));
    const outputs = new Set(readGraphIo(file).outputs);
    const copies = nodes.filter((n) => n.op === 'Identity' && n.outputs.some((o) => outputs.has(o)));
    assert.deepEqual(
      copies.map((n) => n.outputs[0]),
      [],
      file,
    );
    const layers = nodes.filter((n) => n.op === 'GroupQueryAttention').length;
    assert.equal(
      nodes.filter((n) => n.op === 'MatMulNBits').length,
      4 * layers + 1,
      `${file}: qkv, o, gate_up, down per block, and the head`,
    );
  }
});
