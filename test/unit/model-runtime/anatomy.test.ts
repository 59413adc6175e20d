// The anatomy view's data, from the files alone: the same model as an ONNX folder (fp32 and int8) and as GGUF
// gives the config's parameter counts per part; bytes and number formats follow each file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { type Anatomy, blockParams, groupOf } from '../../../model-runtime/anatomy';
import { loadGgufEngine } from '../../../model-runtime/gguf/load';
import { loadOnnxEngine } from '../../../model-runtime/onnx/load';
import { FIXTURES } from './fixtures';

const part = (a: Anatomy, g: string) => a.parts.find((p) => p.group === g);

test('llama-tiny as fp32 ONNX, int8 ONNX and GGUF: the same parameters per part, bytes by format', async () => {
  const fp32 = await loadOnnxEngine(join(FIXTURES, 'llama-tiny'), { providers: ['cpu'], onnxFile: 'model.onnx', threads: 1 });
  const int8 = await loadOnnxEngine(join(FIXTURES, 'llama-tiny'), { providers: ['cpu'], onnxFile: 'model_quantized.onnx', threads: 1 });
  const gguf = await loadGgufEngine(join(FIXTURES, 'gguf', 'llama-tiny-f32.gguf'), { threads: 1 });
  try {
    const all = [fp32.anatomy(), int8.anatomy(), gguf.anatomy!()];
    const s = all[2].shape;
    assert.deepEqual([s.layers, s.hidden, s.heads, s.kvHeads, s.headDim, s.ffn, s.vocab, s.tiedEmbedding], [2, 32, 4, 2, 8, 64, 516, true]);
    assert.deepEqual(s.positions, { kind: 'rope', base: 10000, dims: 8 });
    const per = blockParams(s);
    for (const a of all) {
      assert.deepEqual(a.shape.positions, s.positions, a.file);
      assert.equal(part(a, 'attention')?.params, s.layers * per.attention, `${a.file} attention`);
      assert.equal(part(a, 'mlp')?.params, s.layers * per.mlp, `${a.file} mlp`);
      // Tied in the model: the fp32 export stored the output head as its own transposed copy; the int8 export
      // gathers the embedding from the head's int8 matrix, and GGUF stores token_embd once.
      const stored = (part(a, 'embedding')?.params ?? 0) + (part(a, 'head')?.params ?? 0);
      assert.equal(stored, (a.file === 'model.onnx' ? 2 : 1) * s.vocab * s.hidden, `${a.file} embedding and head`);
      assert.equal(part(a, 'other'), undefined, `${a.file}: every weight placed`);
    }
    // GGUF has every norm; torch.onnx folded the all-ones norms of the random fixture into one initializer.
    assert.equal(part(all[2], 'norm')?.params, (2 * s.layers + 1) * s.hidden);
    assert.deepEqual(part(all[0], 'attention')?.formats, ['f32']);
    assert.ok(part(all[1], 'attention')?.formats.includes('int8'), 'the int8 export quantized attention matrices');
    assert.ok(part(all[1], 'mlp')!.bytes < part(all[0], 'mlp')!.bytes / 3, 'int8 weights take about a quarter of fp32');
    assert.equal(all[2].totalBytes, all[2].totalParams * 4);
    assert.ok(all[2].ropeWavelengths![0] < all[2].ropeWavelengths![1]);
  } finally {
    await fp32.release();
    await int8.release();
    await gguf.release();
  }
});

test('a fused export: MatMulNBits matrices counted as parameters by their bit width, named parts placed', async () => {
  const e = await loadOnnxEngine(join(FIXTURES, 'llama-tiny-fused'), { providers: ['cpu'], threads: 1 });
  try {
    const a = e.anatomy();
    const per = blockParams(a.shape);
    assert.equal(part(a, 'attention')?.params, a.shape.layers * per.attention);
    assert.equal(part(a, 'mlp')?.params, a.shape.layers * per.mlp);
    assert.equal(part(a, 'mlp')?.formats[0], 'q8', 'most bytes in 8-bit blocks (their f32 scales follow)');
    // Tied: the head's 8-bit matrix is also the embedding table, stored once.
    assert.equal(part(a, 'embedding')?.params, a.shape.vocab * a.shape.hidden);
    assert.equal(part(a, 'head'), undefined);
    assert.equal(part(a, 'other')?.params, 0, 'every weight placed (left: the rotary tables and shape constants)');
  } finally {
    await e.release();
  }
});

test('the default model as GGUF q8_0: bytes per part from the ggml block size', async () => {
  // Shapes alone place opaque names; HF and GGUF names are read as they are.
  const shape = {
    architecture: 'llama',
    layers: 1,
    hidden: 8,
    heads: 2,
    kvHeads: 1,
    headDim: 4,
    ffn: 24,
    vocab: 100,
    context: 64,
    positions: { kind: 'unknown' as const },
    tiedEmbedding: true,
  };
  assert.equal(groupOf({ name: 'onnx::MatMul_514', dims: [8, 24] }, shape), 'mlp');
  assert.equal(groupOf({ name: 'onnx::MatMul_517', dims: [8, 4] }, shape), 'attention');
  assert.equal(groupOf({ name: 'onnx::Mul_513', dims: [8] }, shape), 'norm');
  assert.equal(groupOf({ name: 'model.layers.0.self_attn.q_proj.weight', dims: [8, 8] }, shape), 'attention');
  assert.equal(groupOf({ name: 'blk.0.ffn_down.weight', dims: [24, 8] }, shape), 'mlp');
  assert.equal(groupOf({ name: 'lm_head.weight', dims: [100, 8] }, shape), 'head');
});
