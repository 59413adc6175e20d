// The shipped default model: its folder is a valid Hugging Face / transformers.js layout, our runtime
// loads it through the same code path as any model, and @huggingface/transformers (offline, from the
// folder) produces the same greedy tokens as our runtime.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadOnnxEngine } from '../../../model-runtime/onnx/load';
import type { SamplingSettings } from '../../../model-runtime/protocol';

const DIR = resolve('media/models/tokenscope-code');
const GREEDY: SamplingSettings = {
  temperature: 0,
  topK: 0,
  topP: 1,
  minP: 0,
  repetitionPenalty: 1,
  presencePenalty: 0,
  frequencyPenalty: 0,
  maxTokens: 12,
  stop: [],
};
const PROMPT = 'export function clamp(value: number, min: number, max: number): number {\n  return ';

test('default model: folder layout and model card', () => {
  for (const f of [
    'config.json',
    'generation_config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    'onnx/model_quantized.onnx',
    'README.md',
    'eval-results.json',
  ]) {
    assert.ok(existsSync(join(DIR, f)), `${f} is missing`);
  }
  const cfg = JSON.parse(readFileSync(join(DIR, 'config.json'), 'utf8'));
  assert.equal(cfg.model_type, 'llama');
  const tc = JSON.parse(readFileSync(join(DIR, 'tokenizer_config.json'), 'utf8'));
  assert.equal(tc.gpt_tokenizer_encoding, 'p50k_edit');
});

test('default model: our runtime and transformers.js agree on greedy tokens', async () => {
  const engine = await loadOnnxEngine(DIR, { threads: 2 });
  let ours: number[];
  let promptIds: number[];
  try {
    assert.equal(engine.info.supportsFim, true);
    promptIds = engine.tokenize(PROMPT);
    const r = await engine.generate(
      { prompt: { tokens: promptIds }, sampling: GREEDY, topN: 0 },
      () => undefined,
      () => false,
    );
    ours = r.ids;
    assert.equal(ours.length, 12);
  } finally {
    await engine.release();
  }

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const t = require('@huggingface/transformers');
  t.env.allowRemoteModels = false;
  t.env.allowLocalModels = true;
  t.env.localModelPath = resolve(DIR, '..') + '/';
  const model = await t.AutoModelForCausalLM.from_pretrained('tokenscope-code', { dtype: 'q8', device: 'cpu' });
  const tokenizer = await t.AutoTokenizer.from_pretrained('tokenscope-code');
  // Their tokenizer reads our tokenizer.json: it must give the ids gpt-tokenizer gives.
  assert.deepEqual(Array.from(tokenizer.encode(PROMPT, { add_special_tokens: false })), promptIds);
  const input_ids = new t.Tensor('int64', BigInt64Array.from(promptIds.map(BigInt)), [1, promptIds.length]);
  const attention_mask = new t.Tensor('int64', new BigInt64Array(promptIds.length).fill(1n), [1, promptIds.length]);
  const out = await model.generate({ input_ids, attention_mask, max_new_tokens: 12, do_sample: false });
  const theirs = Array.from(out.data as BigInt64Array, Number).slice(promptIds.length);
  assert.deepEqual(theirs, ours);
  await model.dispose();
});
