import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KvCache, type KvTensor } from '../../../../model-runtime/onnx/kv-cache';

const make = (type: string, data: Float32Array | Uint16Array, dims: number[]): KvTensor => ({ type, data, dims });
const shape = { layers: 2, kvHeads: 2, headDim: 3, dtype: 'float32' };
const H = shape.kvHeads;
const D = shape.headDim;

/** The value a fake model stores for (token, position, head, x) in layer `layer`, keys (kind 0) or values (kind 1). */
const code = (token: number, pos: number, hh: number, x: number, layer: number, kind: number) =>
  token * 1000 + pos * 10 + hh + x * 0.1 + layer * 0.01 + kind * 0.001;

/** A fake model run: present = the past's slots followed by the new tokens' entries (like a concat). */
function fakeRun(cache: KvCache, feed: number[], kind = 'cpu'): Record<string, KvTensor> {
  const pastFeeds: Record<string, KvTensor> = {};
  cache.feeds(pastFeeds);
  const outs: Record<string, KvTensor> = {};
  for (let layer = 0; layer < shape.layers; layer++) {
    for (const [k, name] of [
      [0, 'key'],
      [1, 'value'],
    ] as const) {
      const past = pastFeeds[`past_key_values.${layer}.${name}`];
      const seq = past.dims[2];
      const total = seq + feed.length;
      const data = new Float32Array(H * total * D);
      const pd = (past as { _data?: Float32Array })._data ?? (past.data as Float32Array);
      for (let hh = 0; hh < H; hh++) {
        data.set(pd.subarray(hh * seq * D, (hh + 1) * seq * D), hh * total * D);
        feed.forEach((tok, i) => {
          for (let x = 0; x < D; x++) data[(hh * total + seq + i) * D + x] = code(tok, cache.length + i, hh, x, layer, k);
        });
      }
      const t: KvTensor & { _data?: Float32Array } =
        kind === 'gpu' ? gpuTensor(data, [1, H, total, D]) : make('float32', data, [1, H, total, D]);
      outs[`present.${layer}.${name}`] = t;
    }
  }
  return outs;
}

const disposed: KvTensor[] = [];
function gpuTensor(data: Float32Array, dims: number[]): KvTensor & { _data: Float32Array } {
  const g = {
    type: 'float32',
    dims,
    location: 'gpu-buffer',
    _data: data,
    get data(): unknown {
      throw new Error('data of a GPU tensor read');
    },
    dispose: () => void disposed.push(g),
  };
  return g;
}

/** What the model would attend to: the live slots, in order, as (token, position) of layer 0's keys. */
function liveEntries(cache: KvCache): [number, number][] {
  const f: Record<string, KvTensor> = {};
  cache.feeds(f);
  const t = f['past_key_values.0.key'];
  const d = (t as { _data?: Float32Array })._data ?? (t.data as Float32Array);
  const mask = cache.attentionMask(0);
  const out: [number, number][] = [];
  for (let s = 0; s < t.dims[2]; s++) if (mask[s] === 1n) out.push([Math.round(d[s * D] / 1000), Math.round((d[s * D] % 1000) / 10)]);
  return out;
}

async function step(cache: KvCache, all: number[], kind = 'cpu') {
  const plan = await cache.prepare(all);
  cache.update(fakeRun(cache, plan.feed, kind), plan.feed);
  // Whatever the physical layout, the live slots hold exactly `all` at positions 0..n-1.
  assert.deepEqual(
    liveEntries(cache),
    all.map((tok, i) => [tok, i]),
  );
  return plan;
}

test('prefix reuse feeds only the new tokens', async () => {
  const c = new KvCache(shape, make);
  assert.deepEqual(await step(c, [1, 2, 3, 4]), { reuse: 0, feed: [1, 2, 3, 4] });
  assert.deepEqual(await step(c, [1, 2, 3, 4, 5, 6]), { reuse: 4, feed: [5, 6] });
  assert.deepEqual(c.tokens, [1, 2, 3, 4, 5, 6]);
  assert.equal(c.deadCount, 0);
});

test('a divergence marks slots dead (no copy) and masks them; identical prompts re-run the last token', async () => {
  const c = new KvCache(shape, make);
  const base = Array.from({ length: 40 }, (_, i) => i + 1);
  await step(c, base);
  const edited = [...base.slice(0, 35), 99];
  assert.deepEqual(await step(c, edited), { reuse: 35, feed: [99] });
  // The 5 dropped slots stay, masked: nothing was copied.
  assert.equal(c.deadCount, 5);
  assert.equal(c.slotCount, 41);
  assert.deepEqual(Array.from(c.attentionMask(1).slice(34, 42)), [1n, 0n, 0n, 0n, 0n, 0n, 1n, 1n]);
  assert.deepEqual(await step(c, edited), { reuse: 35, feed: [99] });
  assert.equal(c.deadCount, 6);
  assert.equal(c.bytes, 2 * 2 * 2 * 42 * 3 * 4);
});

test('too many dead slots: the live ones are copied together', async () => {
  const c = new KvCache(shape, make, 4);
  await step(
    c,
    Array.from({ length: 12 }, (_, i) => i + 1),
  );
  await step(c, [1, 2, 3, 4, 5, 6, 7, 8, 9, 50]); // 3 dead: kept masked
  assert.equal(c.deadCount, 3);
  await step(c, [1, 2, 3, 4, 5, 6, 60]); // 3 more: over the limit, compacted
  assert.equal(c.deadCount, 0);
  assert.equal(c.slotCount, 7);
  assert.deepEqual(await step(c, [7]), { reuse: 0, feed: [7] });
  assert.deepEqual(c.tokens, [7]);
});

test('a present with the wrong length is refused', () => {
  const c = new KvCache(shape, make);
  const outs = fakeRun(c, [1, 2]);
  assert.throws(() => c.update(outs, [1, 2, 3]), /expected 3/);
});

test('GPU-held keys/values: old buffers freed after each step; a divergence masks, too much of it starts over', async () => {
  disposed.length = 0;
  const c = new KvCache(shape, make, 2);
  await step(c, [1, 2, 3], 'gpu');
  const f1: Record<string, KvTensor> = {};
  c.feeds(f1);
  assert.equal(disposed.length, 0);
  assert.deepEqual(await step(c, [1, 2, 3, 4], 'gpu'), { reuse: 3, feed: [4] });
  // The first step's presents were the second step's pasts: freed once used.
  assert.deepEqual(new Set(disposed), new Set(Object.values(f1)));
  // One token dropped: masked on the GPU, no read-back.
  assert.deepEqual(await step(c, [1, 2, 3, 9], 'gpu'), { reuse: 3, feed: [9] });
  assert.equal(c.deadCount, 1);
  // Past the dead-slot limit: GPU buffers cannot be compacted, so the cache starts over.
  disposed.length = 0;
  const f2: Record<string, KvTensor> = {};
  c.feeds(f2);
  assert.deepEqual(await step(c, [1, 5, 5, 5], 'gpu'), { reuse: 0, feed: [1, 5, 5, 5] });
  assert.ok(Object.values(f2).every((t) => disposed.includes(t)));
});

test('slots never outgrow the context: dead ones are compacted on the CPU, the GPU cache starts over', async () => {
  const c = new KvCache(shape, make);
  const base = Array.from({ length: 40 }, (_, i) => i + 1);
  await step(c, base);
  await step(c, [...base.slice(0, 36), 77]); // 4 dead, 41 slots
  assert.equal(c.deadCount, 4);
  assert.ok(c.fit(3, 50));
  assert.equal(c.deadCount, 4);
  assert.ok(c.fit(10, 50)); // 51 > 50: compacted to 37 slots
  assert.equal(c.deadCount, 0);
  assert.equal(c.slotCount, 37);
  assert.ok(!c.fit(14, 50)); // the live tokens alone leave no room

  const g = new KvCache(shape, make);
  await step(g, base, 'gpu');
  await step(g, [...base.slice(0, 36), 77], 'gpu');
  assert.ok(!g.fit(10, 50), 'a GPU cache is not compacted in place');
  const plan = await g.prepare([...base.slice(0, 36), 77, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50);
  assert.equal(plan.reuse, 0);
  assert.equal(plan.feed.length, 47);
});
