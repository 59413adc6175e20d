import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KvCache, type KvTensor } from '../../../../model-runtime/onnx/kv-cache';

const make = (type: string, data: Float32Array | Uint16Array, dims: number[]): KvTensor => ({ type, data, dims });
const shape = { layers: 3, kvHeads: 3, headDim: 2, dtype: 'float32' };
const L = shape.layers;
const H = shape.kvHeads;
const D = shape.headDim;

/**
 * The number a fake model stores for token `token` at position `pos`, in layer `layer`, keys (kind 0) or
 * values (kind 1), head `hh`, element `x`: a distinct integer for every combination (exact in float32, under
 * 2^24), so a number copied to the wrong layer, head, slot or element never looks right.
 */
function code(token: number, pos: number, layer: number, kind: number, hh: number, x: number): number {
  assert.ok(token >= 0 && token < 100 && pos >= 0 && pos < 64, `code(${token}, ${pos}) out of the fake's range`);
  return ((((token * 64 + pos) * L + layer) * 2 + kind) * H + hh) * D + x;
}

const dataOf = (t: KvTensor) => (t as { _data?: Float32Array })._data ?? (t.data as Float32Array);
const NAMES = ['key', 'value'] as const;

/**
 * A fake model run: present = the past's slots followed by the fed tokens' entries (like a concat), and
 * `logits`: a digest of everything the last fed token attends to, i.e. every unmasked past slot and every fed
 * token, in order, over every layer, keys and values, every head and element. Like a real model's logits, it
 * changes when any attended number is wrong, missing, extra or out of order, in any layer or head.
 */
function fakeRun(cache: KvCache, feed: number[], kind = 'cpu'): { outs: Record<string, KvTensor>; logits: number } {
  const pastFeeds: Record<string, KvTensor> = {};
  cache.feeds(pastFeeds);
  const mask = cache.attentionMask(feed.length);
  const outs: Record<string, KvTensor> = {};
  let digest = 17;
  const mix = (v: number) => {
    digest = (digest * 1_000_003 + v + 1) % 2_147_483_647;
  };
  for (let layer = 0; layer < L; layer++) {
    for (const [k, name] of NAMES.entries()) {
      const past = pastFeeds[`past_key_values.${layer}.${name}`];
      assert.deepEqual([past.dims[0], past.dims[1], past.dims[3]], [1, H, D], `past ${layer}.${name}'s shape`);
      const seq = past.dims[2];
      const total = seq + feed.length;
      assert.equal(mask.length, total, 'attention_mask covers the past slots and the fed tokens');
      const data = new Float32Array(H * total * D);
      const pd = dataOf(past);
      assert.equal(pd.length, H * seq * D, `past ${layer}.${name}'s data fills its dims`);
      for (let hh = 0; hh < H; hh++) {
        data.set(pd.subarray(hh * seq * D, (hh + 1) * seq * D), hh * total * D);
        feed.forEach((tok, i) => {
          for (let x = 0; x < D; x++) data[(hh * total + seq + i) * D + x] = code(tok, cache.length + i, layer, k, hh, x);
        });
        for (let s = 0; s < total; s++) if (mask[s] === 1n) for (let x = 0; x < D; x++) mix(data[(hh * total + s) * D + x]);
      }
      outs[`present.${layer}.${name}`] = kind === 'gpu' ? gpuTensor(data, [1, H, total, D]) : make('float32', data, [1, H, total, D]);
    }
  }
  return { outs, logits: digest };
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

/** What the model would attend to: the live slots, in order, as (token, position) of layer 0's keys, head 0. */
function liveEntries(cache: KvCache): [number, number][] {
  const f: Record<string, KvTensor> = {};
  cache.feeds(f);
  const t = f['past_key_values.0.key'];
  const d = dataOf(t);
  const mask = cache.attentionMask(0);
  const out: [number, number][] = [];
  for (let s = 0; s < t.dims[2]; s++)
    if (mask[s] === 1n) out.push([Math.floor(d[s * D] / (64 * L * 2 * H * D)), Math.floor(d[s * D] / (L * 2 * H * D)) % 64]);
  return out;
}

/** Every number of every live slot that is not what a fresh run of `all` would hold there (any layer, head). */
function wrongNumbers(cache: KvCache, all: number[]): string[] {
  const f: Record<string, KvTensor> = {};
  cache.feeds(f);
  const mask = cache.attentionMask(0);
  const live = [...mask.keys()].filter((s) => mask[s] === 1n);
  const wrong: string[] = [];
  for (let layer = 0; layer < L; layer++)
    for (const [k, name] of NAMES.entries()) {
      const t = f[`past_key_values.${layer}.${name}`];
      const seq = t.dims[2];
      const d = dataOf(t);
      live.forEach((s, j) => {
        for (let hh = 0; hh < H; hh++)
          for (let x = 0; x < D; x++) {
            const want = code(all[j], j, layer, k, hh, x);
            if (d[(hh * seq + s) * D + x] !== want) wrong.push(`${name} layer ${layer} head ${hh} slot ${s} x ${x}`);
          }
      });
    }
  return wrong;
}

/** The last token's logits from a fresh cache that runs every token of `all` at once. */
const uncachedLogits = (all: number[]) => fakeRun(new KvCache(shape, make), all).logits;

async function step(cache: KvCache, all: number[], kind = 'cpu') {
  const plan = await cache.prepare(all);
  assert.deepEqual([...cache.tokens, ...plan.feed], all, 'the kept tokens and the fed ones make up the prompt');
  const run = fakeRun(cache, plan.feed, kind);
  cache.update(run.outs, plan.feed);
  // What the model computed with the cache is what it computes without one.
  assert.equal(run.logits, uncachedLogits(all), `logits after reusing ${plan.reuse} of ${all.length} tokens`);
  // Whatever the physical layout, the live slots hold exactly `all` at positions 0..n-1, in every layer and head.
  assert.deepEqual(
    liveEntries(cache),
    all.map((tok, i) => [tok, i]),
  );
  assert.deepEqual(wrongNumbers(cache, all).slice(0, 5), []);
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
  assert.equal(c.bytes, 2 * L * H * 42 * D * 4);
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
  const { outs } = fakeRun(c, [1, 2]);
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

test('a divergence before the last token: the kept prefix ends there, masked or compacted', async () => {
  const c = new KvCache(shape, make);
  const base = Array.from({ length: 40 }, (_, i) => i + 1);
  await step(c, base);
  // An edit at position 32 of 40: the 8 tokens after it are fed again, after 8 masked slots.
  const edited = [...base.slice(0, 32), 90, ...base.slice(33)];
  assert.deepEqual(await step(c, edited), { reuse: 32, feed: edited.slice(32) });
  assert.equal(c.deadCount, 8);
  assert.equal(c.slotCount, 48);
  // A deletion at 34, then an insertion at 36: each rewinds to where the prompts part.
  const deleted = [...edited.slice(0, 34), ...edited.slice(35)];
  assert.deepEqual(await step(c, deleted), { reuse: 34, feed: deleted.slice(34) });
  assert.deepEqual([c.deadCount, c.slotCount], [0, 39], '14 dead of 48: compacted');
  const inserted = [...deleted.slice(0, 36), 91, ...deleted.slice(36)];
  assert.deepEqual(await step(c, inserted), { reuse: 36, feed: inserted.slice(36) });
  assert.deepEqual([c.deadCount, c.slotCount], [3, 43], 'masked again');
  // A new first token: nothing is kept.
  assert.deepEqual(await step(c, [92, ...inserted.slice(1, 10)]), { reuse: 0, feed: [92, ...inserted.slice(1, 10)] });
  assert.equal(c.slotCount, 10);
});

test('compaction gathers live slots from between dead ones, in every layer and head, keys and values', async () => {
  const c = new KvCache(shape, make, 3);
  const base = Array.from({ length: 16 }, (_, i) => i + 1);
  await step(c, base);
  await step(c, [...base.slice(0, 14), 50, 51]); // 2 dead after slot 13
  assert.deepEqual([c.deadCount, c.slotCount], [2, 18]);
  await step(c, [...base.slice(0, 14), 50, 70, 71]); // 51's slot dead too: live slots 0-13, 16, 18, 19
  assert.deepEqual([c.deadCount, c.slotCount], [3, 20]);
  // 71 dropped: a 4th dead slot, over the limit of 3: the live ones (0-13, 16, 18) are copied together.
  assert.deepEqual(await step(c, [...base.slice(0, 14), 50, 70, 80, 81]), { reuse: 16, feed: [80, 81] });
  assert.deepEqual([c.deadCount, c.slotCount], [0, 18]);
  assert.deepEqual(Array.from(c.attentionMask(0)), new Array(18).fill(1n));
  // Compacted to the front of a longer prompt's divergence too.
  assert.deepEqual(await step(c, [...base.slice(0, 5), 82, 83]), { reuse: 5, feed: [82, 83] });
  assert.deepEqual([c.deadCount, c.slotCount], [0, 7]);
});
