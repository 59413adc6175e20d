import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KvCache, type KvTensor } from '../../../model-runtime/kv-cache';

const make = (type: string, data: Float32Array | Uint16Array, dims: number[]): KvTensor => ({ type, data, dims });
const shape = { layers: 2, kvHeads: 2, headDim: 3, dtype: 'float32' };

/** A fake model: the key at (layer, head, pos, d) encodes token id and position, so slices can be checked. */
function present(layer: number, tokens: number[], kind: number): KvTensor {
  const { kvHeads: h, headDim: d } = shape;
  const seq = tokens.length;
  const data = new Float32Array(h * seq * d);
  for (let hh = 0; hh < h; hh++)
    for (let p = 0; p < seq; p++) for (let x = 0; x < d; x++) data[(hh * seq + p) * d + x] = tokens[p] * 1000 + p * 10 + hh + kind + layer * 0.01 + x * 0.001;
  return make('float32', data, [1, h, seq, d]);
}

async function run(cache: KvCache, all: number[]) {
  const plan = await cache.prepare(all);
  const feeds: Record<string, KvTensor> = {};
  cache.feeds(feeds);
  // The past fed must hold exactly the reused tokens.
  for (let i = 0; i < shape.layers; i++) {
    assert.deepEqual(feeds[`past_key_values.${i}.key`].dims, [1, 2, plan.reuse, 3]);
    assert.deepEqual(feeds[`past_key_values.${i}.key`], present(i, all.slice(0, plan.reuse), 0));
    assert.deepEqual(feeds[`past_key_values.${i}.value`], present(i, all.slice(0, plan.reuse), 0.5));
  }
  const outs: Record<string, KvTensor> = {};
  for (let i = 0; i < shape.layers; i++) {
    outs[`present.${i}.key`] = present(i, all, 0);
    outs[`present.${i}.value`] = present(i, all, 0.5);
  }
  cache.update(outs, plan.feed);
  return plan;
}

test('prefix reuse feeds only the new tokens', async () => {
  const c = new KvCache(shape, make);
  assert.deepEqual(await run(c, [1, 2, 3, 4]), { reuse: 0, feed: [1, 2, 3, 4] });
  assert.deepEqual(await run(c, [1, 2, 3, 4, 5, 6]), { reuse: 4, feed: [5, 6] });
  assert.deepEqual(c.tokens, [1, 2, 3, 4, 5, 6]);
});

test('divergence rewinds to the common prefix; identical prompts re-run the last token', async () => {
  const c = new KvCache(shape, make);
  await run(c, [1, 2, 3, 4, 5]);
  assert.deepEqual(await run(c, [1, 2, 9, 9]), { reuse: 2, feed: [9, 9] });
  assert.deepEqual(await run(c, [1, 2, 9, 9]), { reuse: 3, feed: [9] });
  assert.deepEqual(await run(c, [7]), { reuse: 0, feed: [7] });
  assert.deepEqual(c.tokens, [7]);
  assert.equal(c.bytes, 2 * 2 * 2 * 1 * 3 * 4);
});

test('a present with the wrong length is refused', () => {
  const c = new KvCache(shape, make);
  const outs: Record<string, KvTensor> = {};
  for (let i = 0; i < 2; i++) {
    outs[`present.${i}.key`] = present(i, [1, 2], 0);
    outs[`present.${i}.value`] = present(i, [1, 2], 0.5);
  }
  assert.throws(() => c.update(outs, [1, 2, 3]), /expected 3/);
});

test('GPU-held keys/values: old buffers freed after each step; a divergence drops them all', async () => {
  const disposed: KvTensor[] = [];
  // A fake GPU tensor: its data must never be read.
  const gpu = (t: KvTensor): KvTensor => {
    const g: KvTensor = {
      type: t.type,
      dims: t.dims,
      location: 'gpu-buffer',
      get data(): unknown {
        throw new Error('data of a GPU tensor read');
      },
      dispose: () => void disposed.push(g),
    };
    return g;
  };
  const c = new KvCache(shape, make);
  const step = async (all: number[]) => {
    const plan = await c.prepare(all);
    const outs: Record<string, KvTensor> = {};
    for (let i = 0; i < shape.layers; i++) {
      outs[`present.${i}.key`] = gpu(present(i, all, 0));
      outs[`present.${i}.value`] = gpu(present(i, all, 0.5));
    }
    c.update(outs, plan.feed);
    return { plan, outs };
  };
  const first = await step([1, 2, 3]);
  assert.equal(disposed.length, 0);
  const second = await step([1, 2, 3, 4]);
  assert.deepEqual(second.plan, { reuse: 3, feed: [4] });
  // The first step's presents were the second step's pasts: freed once used.
  assert.deepEqual(new Set(disposed), new Set(Object.values(first.outs)));
  disposed.length = 0;
  const r = await step([1, 2, 9, 9]);
  assert.deepEqual(r.plan, { reuse: 0, feed: [1, 2, 9, 9] });
  assert.deepEqual(new Set(disposed), new Set(Object.values(second.outs)));
  assert.deepEqual(c.tokens, [1, 2, 9, 9]);
});
