import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { archFacts } from '../../../../model-runtime/model-folder';
import { checkGraphFacts, positionRows } from '../../../../model-runtime/onnx/graph-facts';
import { readGraphIo } from '../../../../model-runtime/onnx/graph-io';
import { FIXTURES } from '../fixtures';

const llama = archFacts({
  model_type: 'llama',
  num_hidden_layers: 2,
  num_attention_heads: 4,
  hidden_size: 32,
  max_position_embeddings: 256,
  vocab_size: 516,
});
const logits = (width: number | string) => [
  { name: 'logits', isTensor: true, type: 'float32', shape: ['batch_size', 'sequence_length', width] },
];

test('the position table of each fixture graph: GPT-2 has a learned one of 128 rows, llama computes its angles', () => {
  const gpt2 = readGraphIo(join(FIXTURES, 'gpt2-tiny', 'onnx', 'model.onnx'));
  const arch = archFacts({ model_type: 'gpt2', n_layer: 2, n_head: 2, n_embd: 8, n_positions: 128, vocab_size: 50257 });
  assert.equal(positionRows(gpt2, arch), 128);
  checkGraphFacts('gpt2.onnx', arch, gpt2);
  assert.equal(positionRows(readGraphIo(join(FIXTURES, 'llama-tiny', 'onnx', 'model.onnx')), llama), undefined);
});

test('rotary caches and position tables by their names and shapes; the smallest one bounds the context', () => {
  const io = {
    outputMeta: logits(516),
    initializers: [
      { name: 'model.rotary_emb.cos_cached', dims: [2048, 4] },
      { name: 'sin_cache', dims: [1, 1, 1024, 4] },
      { name: 'model.embed_tokens.weight', dims: [516, 32] },
      { name: 'transformer.wpe.weight', dims: [100, 16] }, // not the hidden size: not a position table
    ],
  };
  assert.equal(positionRows(io, llama), 1024);
  assert.throws(
    () => checkGraphFacts('m.onnx', { ...llama, maxPositions: 4096 }, io),
    /m\.onnx: the graph numbers at most 1024 positions .* config\.json says 4096/,
  );
  checkGraphFacts('m.onnx', { ...llama, maxPositions: 1024 }, io);
});

test("the logits' width must be config.json's vocab_size; a symbolic width is not checked", () => {
  assert.throws(
    () => checkGraphFacts('m.onnx', llama, { outputMeta: logits(600), initializers: [] }),
    /600 entries per position .* "vocab_size" 516/,
  );
  checkGraphFacts('m.onnx', llama, { outputMeta: logits('vocab'), initializers: [] });
});
