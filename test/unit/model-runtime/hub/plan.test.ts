import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultVariant, ggufVariants, onnxVariants, parseListing, planFiles } from '../../../../model-runtime/hub/plan';

const SHA = 'a'.repeat(40);
const listing = (files: Record<string, number>) =>
  parseListing('o/n', { sha: SHA, siblings: Object.entries(files).map(([rfilename, size]) => ({ rfilename, size })) });

const QWEN = listing({
  'config.json': 1,
  'generation_config.json': 1,
  'tokenizer.json': 10,
  'tokenizer_config.json': 2,
  'merges.txt': 5,
  'README.md': 3,
  'onnx/model.onnx': 100,
  'onnx/model.onnx_data': 2000,
  'onnx/model_q4f16.onnx': 500,
  'onnx/model_quantized.onnx': 700,
  'onnx/model_q4.onnx': 600,
  'onnx/model_bnb4.onnx': 550,
  'onnx/decoder_model_merged.onnx': 900,
});

test('variants: the runtime preferred ones first, in its order, with their data files and sizes', () => {
  const v = onnxVariants(QWEN);
  assert.deepEqual(
    v.map((x) => [x.file, x.preferred, x.bytes]),
    [
      ['onnx/model_quantized.onnx', true, 700],
      ['onnx/model.onnx', true, 2100],
      ['onnx/model_q4.onnx', true, 600],
      ['onnx/model_q4f16.onnx', true, 500],
      ['onnx/decoder_model_merged.onnx', true, 900],
      ['onnx/model_bnb4.onnx', false, 550],
    ],
  );
  assert.deepEqual(v[1].dataFiles, ['onnx/model.onnx_data']);
  assert.equal(v[0].dtype, 'q8 (int8 weights)');
  assert.equal(v[3].dtype, 'q4f16 (4-bit weights, float16)');
  assert.equal(defaultVariant(v)?.file, 'onnx/model_quantized.onnx');
});

test('the plan: the JSON files present, then the data files, then the graph; nothing else', () => {
  assert.deepEqual(
    planFiles(QWEN).map((f) => f.path),
    ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'],
  );
  assert.deepEqual(
    planFiles(QWEN, 'onnx/model.onnx')
      .slice(-2)
      .map((f) => f.path),
    ['onnx/model.onnx_data', 'onnx/model.onnx'],
  );
  assert.throws(() => planFiles(QWEN, 'onnx/model_fp16.onnx'), /model_fp16\.onnx is not in o\/n \(present: /);
});

test('chunked data files come in chunk order, and a look-alike name is not taken for data', () => {
  const l = listing({
    'config.json': 1,
    'generation_config.json': 1,
    'tokenizer.json': 1,
    'onnx/model.onnx': 1,
    'onnx/model.onnx_data_10': 1,
    'onnx/model.onnx_data_2': 1,
    'onnx/model.onnx_data': 1,
    'onnx/model.onnx_data_1': 1,
    'onnx/model.onnx_dataX': 1,
    'onnx/model_fp16.onnx_data': 1,
  });
  assert.deepEqual(onnxVariants(l)[0].dataFiles, [
    'onnx/model.onnx_data',
    'onnx/model.onnx_data_1',
    'onnx/model.onnx_data_2',
    'onnx/model.onnx_data_10',
  ]);
});

test('a repo that cannot be a model says what it lacks; a malformed listing is refused', () => {
  assert.throws(
    () => planFiles(listing({ 'config.json': 1, 'model.safetensors': 1 })),
    /has no generation_config\.json, tokenizer\.json, onnx\/\*\.onnx/,
  );
  assert.throws(() => parseListing('o/n', { siblings: [] }), /no commit or no file list/);
  assert.throws(() => parseListing('o/n', { sha: 'main', siblings: [] }), /no commit/);
  const lfs = parseListing('o/n', { sha: SHA, siblings: [{ rfilename: 'onnx/a.onnx', size: 4, lfs: { sha256: 'b'.repeat(64) } }, {}] });
  assert.deepEqual(lfs.siblings, [{ path: 'onnx/a.onnx', size: 4, sha256: 'b'.repeat(64) }]);
});

test('GGUF files: quantization from the name, split parts grouped (only whole ones), projectors left out; a GGUF-only repo plans its first file', () => {
  const l = listing({
    'README.md': 10,
    'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf': 1000,
    'qwen2.5-coder-1.5b-instruct-fp16.gguf': 3000,
    'mmproj-model-f16.gguf': 50,
    'Q8_0/big-Q8_0-00001-of-00002.gguf': 700,
    'Q8_0/big-Q8_0-00002-of-00002.gguf': 300,
    'half-00001-of-00003.gguf': 5,
  });
  const v = ggufVariants(l);
  assert.deepEqual(
    v.map((x) => [x.file, x.dtype, x.bytes, x.parts.length]),
    [
      ['Q8_0/big-Q8_0-00001-of-00002.gguf', 'Q8_0', 1000, 2],
      ['qwen2.5-coder-1.5b-instruct-fp16.gguf', 'fp16', 3000, 1],
      ['qwen2.5-coder-1.5b-instruct-q4_k_m.gguf', 'q4_k_m', 1000, 1],
    ],
  );
  assert.deepEqual(
    planFiles(l).map((f) => f.path),
    ['Q8_0/big-Q8_0-00001-of-00002.gguf', 'Q8_0/big-Q8_0-00002-of-00002.gguf'],
  );
  assert.throws(() => planFiles(l, 'nope.gguf'), /nope\.gguf is not in/);
  assert.throws(() => planFiles(listing({ 'README.md': 1 })), /no .*\.gguf file/);
});
