// The keys/values of a graph that also returns the rows each run adds, present_rows.* (the project's fused export,
// whose GroupQueryAttention reads the first seqlens_k + 1 rows of a past that may be longer). Only those are fetched. The cache owns one
// buffer per layer and key/value, [1, kvHeads, capacity, headDim], grown in steps of GROW rows: a decode step
// copies in its new rows and allocates nothing that grows with the context, and a rewind only shortens the
// live length (no copy, no masked-out slots: the mask is always all ones, as GroupQueryAttention needs).
import { type FeedPlan, reusablePrefix } from '../model-runner';
import type { KvData, KvShape, KvTensor, MakeTensor, OnnxCache } from './kv-cache';

/** Rows added to the buffers at a time (a growth copies the live rows once). */
export const GROW = 64;

/** The outputs a run fetches: the logits and the new rows (the full presents stay inside onnxruntime). */
export function rowFetches(layers: number): string[] {
  const names = ['logits'];
  for (let i = 0; i < layers; i++) names.push(`present_rows.${i}.key`, `present_rows.${i}.value`);
  return names;
}

export class RowCache implements OnnxCache {
  private held: number[] = [];
  private buffers: KvData[] = [];
  private capacity = 0;

  constructor(
    readonly shape: KvShape,
    private readonly make: MakeTensor,
  ) {}

  get tokens(): readonly number[] {
    return this.held;
  }

  get length(): number {
    return this.held.length;
  }

  get slotCount(): number {
    return this.held.length;
  }

  readonly deadCount = 0;

  get bytes(): number {
    return this.buffers.reduce((n, b) => n + b.byteLength, 0);
  }

  async prepare(tokens: readonly number[], limit = Infinity): Promise<FeedPlan> {
    let reuse = await this.rewind(reusablePrefix(this.held, tokens));
    if (!this.fit(tokens.length - reuse, limit)) reuse = await this.rewind(0);
    return { reuse, feed: tokens.slice(reuse) };
  }

  async rewind(n: number): Promise<number> {
    if (n < this.held.length) this.held = this.held.slice(0, Math.max(0, n));
    return this.held.length;
  }

  fit(n: number, limit: number): boolean {
    return this.held.length + n <= limit;
  }

  attentionMask(n: number): BigInt64Array {
    return new BigInt64Array(this.held.length + n).fill(1n);
  }

  release(): void {}

  /** The past feeds: the whole buffers (rows past the live length are never read), grown to hold `n` more rows. */
  feeds(into: Record<string, KvTensor>, n: number): void {
    this.reserve(this.held.length + n);
    const { layers, kvHeads, headDim, dtype } = this.shape;
    for (let i = 0; i < layers; i++) {
      into[`past_key_values.${i}.key`] = this.make(dtype, this.buffers[2 * i], [1, kvHeads, this.capacity, headDim]);
      into[`past_key_values.${i}.value`] = this.make(dtype, this.buffers[2 * i + 1], [1, kvHeads, this.capacity, headDim]);
    }
  }

  /** Copies the present_rows.{i}.key/value of a run that fed `fed` tokens in after the live ones. */
  update(outputs: Record<string, KvTensor>, fed: readonly number[]): void {
    const { layers, kvHeads, headDim } = this.shape;
    const n = fed.length;
    const at = this.held.length;
    for (let i = 0; i < 2 * layers; i++) {
      const name = `present_rows.${i >> 1}.${i & 1 ? 'value' : 'key'}`;
      const t = outputs[name];
      if (!t) throw new Error(`the model did not return ${name}`);
      if (t.dims[2] !== n) throw new Error(`${name} has ${t.dims[2]} rows, expected the ${n} fed`);
      const src = t.data as KvData;
      const dst = this.buffers[i];
      for (let h = 0; h < kvHeads; h++) dst.set(src.subarray(h * n * headDim, (h + 1) * n * headDim), (h * this.capacity + at) * headDim);
    }
    this.held = this.held.concat(fed);
  }

  clear(): void {
    this.held = [];
  }

  /** Grows every buffer to hold `rows` (rounded up to GROW), keeping the live rows of each head. */
  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const { layers, kvHeads, headDim, dtype } = this.shape;
    const cap = Math.ceil(rows / GROW) * GROW;
    const live = this.held.length * headDim;
    this.buffers = Array.from({ length: 2 * layers }, (_, i) => {
      const next = dtype === 'float16' ? new Uint16Array(kvHeads * cap * headDim) : new Float32Array(kvHeads * cap * headDim);
      const old = this.buffers[i];
      if (old)
        for (let h = 0; h < kvHeads; h++)
          next.set(old.subarray(h * this.capacity * headDim, h * this.capacity * headDim + live), h * cap * headDim);
      return next;
    });
    this.capacity = cap;
  }
}
