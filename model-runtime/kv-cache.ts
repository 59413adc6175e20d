// The keys/values the model already computed, and the tokens they belong to. A new request whose tokens
// share a prefix with the cached ones reuses that prefix and feeds only the rest; a divergence rewinds
// (slices) the cache to the common prefix. This is what keeps inline completion fast while typing.
//
// Layout of every past/present tensor: [batch = 1, kvHeads, seq, headDim].

export type KvData = Float32Array | Uint16Array;

/** The part of an onnxruntime Tensor the cache needs; tests pass plain objects. */
export interface KvTensor {
  readonly type: string;
  readonly dims: readonly number[];
  /** CPU data (never read on a GPU tensor). */
  readonly data: unknown;
  /** 'cpu', or 'gpu-buffer' when the keys/values stay on the GPU between steps. */
  readonly location?: string;
  dispose?(): void;
}

const onGpu = (t: KvTensor) => t.location !== undefined && t.location !== 'cpu' && t.location !== 'cpu-pinned';

export type MakeTensor = (type: string, data: KvData, dims: number[]) => KvTensor;

export interface KvShape {
  layers: number;
  kvHeads: number;
  headDim: number;
  /** 'float32' or 'float16' (ONNX element type of the past inputs). */
  dtype: string;
}

export interface FeedPlan {
  /** Cached tokens kept. */
  reuse: number;
  /** Tokens to run through the model. */
  feed: number[];
}

export class KvCache {
  private held: number[] = [];
  private keys: KvTensor[] = [];
  private values: KvTensor[] = [];

  constructor(
    readonly shape: KvShape,
    private readonly make: MakeTensor,
  ) {
    this.clear();
  }

  /** Tokens whose keys/values are held. */
  get tokens(): readonly number[] {
    return this.held;
  }

  get length(): number {
    return this.held.length;
  }

  clear(): void {
    this.held = [];
    const { layers, kvHeads, headDim, dtype } = this.shape;
    const empty = () => this.make(dtype, dtype === 'float16' ? new Uint16Array(0) : new Float32Array(0), [1, kvHeads, 0, headDim]);
    this.keys = Array.from({ length: layers }, empty);
    this.values = Array.from({ length: layers }, empty);
  }

  commonPrefix(tokens: readonly number[]): number {
    const n = Math.min(tokens.length, this.held.length);
    let i = 0;
    while (i < n && tokens[i] === this.held[i]) i++;
    return i;
  }

  /**
   * Rewinds to the common prefix and says what to feed. At least one token is always fed, because the
   * next token's logits come from running the last one (an identical prompt re-runs its last token).
   */
  async prepare(tokens: readonly number[]): Promise<FeedPlan> {
    const reuse = await this.rewind(Math.min(this.commonPrefix(tokens), Math.max(0, tokens.length - 1)));
    return { reuse, feed: tokens.slice(reuse) };
  }

  /**
   * Keeps only the first n positions; returns how many are kept. Keys/values held on the GPU cannot be
   * cut there, and reading a GPU buffer back aborts onnxruntime-node 1.30's process, so a rewind on the GPU
   * drops them all (the GPU prefills the prefix again quickly); appending never needs a rewind.
   */
  async rewind(n: number): Promise<number> {
    if (n >= this.held.length) return this.held.length;
    if (n <= 0 || [...this.keys, ...this.values].some(onGpu)) {
      this.release();
      this.clear();
      return 0;
    }
    this.keys = this.keys.map((t) => this.slice(t, n, t.data as KvData));
    this.values = this.values.map((t) => this.slice(t, n, t.data as KvData));
    this.held = this.held.slice(0, n);
    return n;
  }

  /** Frees GPU buffers held (no-op on the CPU). */
  release(): void {
    for (const t of [...this.keys, ...this.values]) if (onGpu(t)) t.dispose?.();
  }

  /** The past_key_values.{i}.key/value feeds for the next run. */
  feeds(into: Record<string, KvTensor>): void {
    for (let i = 0; i < this.shape.layers; i++) {
      into[`past_key_values.${i}.key`] = this.keys[i];
      into[`past_key_values.${i}.value`] = this.values[i];
    }
  }

  /** Takes the present.{i}.key/value outputs of a run that fed `fed` tokens after the held ones. */
  update(outputs: Record<string, KvTensor>, fed: readonly number[]): void {
    const keys: KvTensor[] = [];
    const values: KvTensor[] = [];
    const expected = this.held.length + fed.length;
    for (let i = 0; i < this.shape.layers; i++) {
      const k = outputs[`present.${i}.key`];
      const v = outputs[`present.${i}.value`];
      if (!k || !v) throw new Error(`the model did not return present.${i}.key/value`);
      if (k.dims[2] !== expected) throw new Error(`present.${i}.key has ${k.dims[2]} positions, expected ${expected}`);
      keys.push(k);
      values.push(v);
    }
    // The pasts just fed are done with; on the GPU their buffers must be freed by hand.
    for (const t of [...this.keys, ...this.values]) if (onGpu(t) && !keys.includes(t) && !values.includes(t)) t.dispose?.();
    this.keys = keys;
    this.values = values;
    this.held = this.held.concat(fed);
  }

  /** Approximate bytes held (for memory reports). */
  get bytes(): number {
    const per = this.shape.dtype === 'float16' ? 2 : 4;
    return 2 * this.shape.layers * this.shape.kvHeads * this.held.length * this.shape.headDim * per;
  }

  private slice(t: KvTensor, n: number, src: KvData): KvTensor {
    const [b, h, seq, d] = t.dims;
    const Ctor = src.constructor as { new (n: number): KvData };
    const out = new Ctor(b * h * n * d);
    for (let bh = 0; bh < b * h; bh++) {
      out.set(src.subarray(bh * seq * d, bh * seq * d + n * d), bh * n * d);
    }
    return this.make(t.type, out, [b, h, n, d]);
  }
}
