// The X-ray on the fixtures: the extra outputs added to the graph, the logit lens's last layer equal to the
// model's own logits (the final norm and the head applied in JavaScript), attention rows that are causal
// distributions, and the same facts on the int8 export (its head dequantized).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { graphNodes, initializerValues, withOutputs } from '../../../../model-runtime/onnx/proto';
import { OnnxXray, xrayTargets } from '../../../../model-runtime/onnx/xray';
import { FIXTURES, reference } from '../fixtures';

const arch = { layers: 2, kvHeads: 2, headDim: 8, eps: 1e-5 };

for (const file of ['model.onnx', 'model_quantized.onnx']) {
  test(`X-ray of llama-tiny ${file}: lens ends at the model's answer, attention rows are causal distributions`, async () => {
    const x = await OnnxXray.open(ort, join(FIXTURES, 'llama-tiny', 'onnx', file), arch);
    try {
      const tokens = reference('llama-tiny').input_ids;
      const r = await x.run(tokens, 5);
      assert.equal(r.lens.length, arch.layers + 1);
      const last = r.lens[arch.layers].top;
      let argmax = 0;
      for (let v = 1; v < r.logits.length; v++) if (r.logits[v] > r.logits[argmax]) argmax = v;
      assert.equal(last[0].id, argmax, 'the last lens layer picks what the model picks');
      // The last layer's lens is the model's own output: the same probabilities (fp32 to rounding; the int8
      // export quantizes activations inside its head, so there the lens, in fp32, is close, not equal).
      const max = Math.max(...r.logits);
      const sum = r.logits.reduce((n, l) => n + Math.exp(l - max), 0);
      const tol = file === 'model.onnx' ? 1e-4 : 0.05;
      for (const t of last) assert.ok(Math.abs(t.prob - Math.exp(r.logits[t.id] - max) / sum) < tol, `token ${t.id}`);
      assert.ok(r.attention, r.attentionNote);
      assert.equal(r.attention!.length, arch.layers);
      for (const layer of r.attention!)
        for (const head of layer) {
          assert.equal(head.length, tokens.length, 'one weight per context position up to this one');
          const sum = head.reduce((a, b) => a + b, 0);
          assert.ok(Math.abs(sum - 1) < 1e-4, `a row sums to 1 (${sum})`);
        }
    } finally {
      await x.release();
    }
  });
}

test('X-ray of a fused export (MatMulNBits head, GroupQueryAttention): the lens ends at the answer, attention equals torch', async () => {
  // The fused fixture: head size 16; its reference holds torch's block-0 attention of the last position.
  const ref = reference('llama-tiny-fused') as ReturnType<typeof reference> & { attention_block0_last: number[][] };
  const x = await OnnxXray.open(ort, join(FIXTURES, 'llama-tiny-fused', 'onnx', 'model_quantized.onnx'), { ...arch, headDim: 16 });
  try {
    const r = await x.run(ref.input_ids, 5);
    let argmax = 0;
    for (let v = 1; v < r.logits.length; v++) if (r.logits[v] > r.logits[argmax]) argmax = v;
    assert.equal(r.lens[arch.layers].top[0].id, argmax, 'the last lens layer picks what the model picks');
    assert.match(r.attentionNote ?? '', /query and keys/);
    // The kernel quantizes activations per block of 32 before q/k (accuracy level 4): close to torch, not equal.
    for (const [h, row] of ref.attention_block0_last.entries())
      for (const [t, w] of row.entries()) assert.ok(Math.abs(r.attention![0][h][t] - w) < 0.02, `head ${h} position ${t}`);
    for (const head of r.attention![1]) assert.ok(Math.abs(head.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  } finally {
    await x.release();
  }
});

test("X-ray of gpt2-tiny (LayerNorm with a bias, learned positions): the lens ends at the model's own probabilities", async () => {
  const x = await OnnxXray.open(ort, join(FIXTURES, 'gpt2-tiny', 'onnx', 'model.onnx'), { layers: 2, kvHeads: 2, headDim: 4, eps: 1e-5 });
  try {
    const r = await x.run(reference('gpt2-tiny').input_ids, 5);
    const max = Math.max(...r.logits);
    const sum = r.logits.reduce((n, l) => n + Math.exp(l - max), 0);
    for (const t of r.lens[2].top) assert.ok(Math.abs(t.prob - Math.exp(r.logits[t.id] - max) / sum) < 1e-4, `token ${t.id}`);
    assert.equal(r.attention?.length, 2);
    for (const head of r.attention![0]) assert.ok(Math.abs(head.reduce((a, b) => a + b, 0) - 1) < 1e-4);
  } finally {
    await x.release();
  }
});

test('graph outputs are added without touching the rest of the file', () => {
  const buf = readFileSync(join(FIXTURES, 'llama-tiny', 'onnx', 'model.onnx'));
  const edited = withOutputs(buf, ['a', 'b']);
  assert.equal(graphNodes(edited).length, graphNodes(buf).length);
  assert.ok(edited.length > buf.length && edited.length < buf.length + 64);
});

test("block 1's attention equals an independent computation from the fixture's weights (embedding, RMSNorm, q/k, RoPE, softmax)", async () => {
  const file = join(FIXTURES, 'llama-tiny', 'onnx', 'model.onnx');
  const buf = readFileSync(file);
  const get = (name: string) => initializerValues(buf, name)!.values;
  // torch.onnx names the weights in forward order: the embedding, then block 0's q and k ([in, out]).
  const E = get('model.embed.weight');
  const Wq = get('onnx::MatMul_514');
  const Wk = get('onnx::MatMul_517');
  const [d, H, KV, hd] = [32, 4, 2, 8];
  const tokens = reference('llama-tiny').input_ids;
  const T = tokens.length;
  const rope = (v: number[], pos: number) => {
    const half = hd / 2;
    return v.map((x, i) => {
      const f = pos / 10000 ** ((2 * (i % half)) / hd);
      const rot = i < half ? -v[i + half] : v[i - half];
      return x * Math.cos(f) + rot * Math.sin(f);
    });
  };
  const project = (W: Float32Array, out: number, t: number) => {
    const x = Array.from(E.subarray(tokens[t] * d, (tokens[t] + 1) * d));
    const inv = 1 / Math.sqrt(x.reduce((s, v) => s + v * v, 0) / d + 1e-5); // RMSNorm; the fixture's norm weights are ones
    return Array.from({ length: out }, (_, o) => x.reduce((s, v, i) => s + v * inv * W[i * out + o], 0));
  };
  const q = project(Wq, H * hd, T - 1);
  const ks = tokens.map((_, t) => project(Wk, KV * hd, t));
  const x = await OnnxXray.open(ort, file, arch);
  try {
    const r = await x.run(tokens, 3);
    for (let h = 0; h < H; h++) {
      const qh = rope(q.slice(h * hd, (h + 1) * hd), T - 1);
      const kvh = Math.floor(h / (H / KV));
      const scores = ks.map((k, t) => rope(k.slice(kvh * hd, (kvh + 1) * hd), t).reduce((s, v, i) => s + v * qh[i], 0) / Math.sqrt(hd));
      const m = Math.max(...scores);
      const z = scores.reduce((s, v) => s + Math.exp(v - m), 0);
      for (const [t, s] of scores.entries())
        assert.ok(Math.abs(Math.exp(s - m) / z - r.attention![0][h][t]) < 1e-4, `head ${h} position ${t}`);
    }
  } finally {
    await x.release();
  }
});

test("a block norm fused with the residual add (onnxruntime-genai's form) is named as not read, not misread", () => {
  const node = (name: string, op: string) => ({ name, op, inputs: ['x', 'w'], outputs: ['y'] });
  const nodes = [node('/model/layers.0/input_layernorm/SkipSimplifiedLayerNormalization', 'SkipSimplifiedLayerNormalization')];
  assert.throws(() => xrayTargets(nodes, 1, new Set(['w'])), /fuses the residual add into the norm \(SkipSimplifiedLayerNormalization\)/);
});
