// The keys/values the model already computed, and the tokens they belong to. A new request whose tokens
// share a prefix with the cached ones reuses that prefix and feeds only the rest; a divergence rewinds to
// the common prefix. This is what keeps inline completion fast while typing.
//
// Layout of every past/present tensor: [batch = 1, kvHeads, seq, headDim].
//
// A rewind usually costs no copy: the slots after the common prefix are only marked dead, and the next run
// masks them out (attention_mask 0) while position_ids count live tokens only, so the model computes
// exactly what it would on the compacted cache. Once dead slots pile up (more than MAX_DEAD, or a quarter
// of the slots), the live ones are copied together. On the GPU, where buffers cannot be read back,
// compacting means starting over.
import { type FeedPlan, reusablePrefix, type SequenceCache } from '../model-runner';

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

export type MakeTensor = (type: string, data: KvData, dims: number[]) => KvTensor;

export interface KvShape {
  layers: number;
  kvHeads: number;
  headDim: number;
  /** 'float32' or 'float16' (ONNX element type of the past inputs). */
  dtype: string;
}

/** What the onnxruntime runner asks of a cache: this one (past + new rows in, all of them out) or row-cache.ts. */
export interface OnnxCache extends SequenceCache {
  readonly deadCount: number;
  clear(): void;
  /** The attention_mask for a run feeding `n` new tokens. */
  attentionMask(n: number): BigInt64Array;
  /** The past_key_values.{i}.key/value feeds for a run of `n` tokens. */
  feeds(into: Record<string, KvTensor>, n: number): void;
  /** Takes the present.{i}.key/value outputs of a run that fed `fed`. */
  update(outputs: Record<string, KvTensor>, fed: readonly number[]): void;
}

const onGpu = (t: KvTensor) => t.location !== undefined && t.location !== 'cpu' && t.location !== 'cpu-pinned';

/** Dead slots tolerated before the live ones are copied together. */
export const MAX_DEAD = 64;

export class KvCache implements OnnxCache {
  /** Live tokens, in order. */
  private held: number[] = [];
  /** One entry per physical slot: 1 live, 0 dead (masked out). */
  private slots: number[] = [];
  private keys: KvTensor[] = [];
  private values: KvTensor[] = [];

  constructor(
    readonly shape: KvShape,
    private readonly make: MakeTensor,
    private readonly maxDead = MAX_DEAD,
  ) {
    this.clear();
  }

  /** Tokens whose keys/values are held (live). */
  get tokens(): readonly number[] {
    return this.held;
  }

  /** Live tokens: the position the next token takes. */
  get length(): number {
    return this.held.length;
  }

  /** Physical slots, dead ones included: the past length the model sees. */
  get slotCount(): number {
    return this.slots.length;
  }

  get deadCount(): number {
    return this.slots.length - this.held.length;
  }

  clear(): void {
    this.held = [];
    this.slots = [];
    const { layers, kvHeads, headDim, dtype } = this.shape;
    const empty = () => this.make(dtype, dtype === 'float16' ? new Uint16Array(0) : new Float32Array(0), [1, kvHeads, 0, headDim]);
    this.keys = Array.from({ length: layers }, empty);
    this.values = Array.from({ length: layers }, empty);
  }

  /**
   * Rewinds to the common prefix and says what to feed. At least one token is always fed, because the
   * next token's logits come from running the last one (an identical prompt re-runs its last token).
   */
  async prepare(tokens: readonly number[], limit = Infinity): Promise<FeedPlan> {
    let reuse = await this.rewind(reusablePrefix(this.held, tokens));
    if (!this.fit(tokens.length - reuse, limit)) {
      // Dead slots on the GPU leave no room: start over.
      this.release();
      this.clear();
      reuse = 0;
    }
    return { reuse, feed: tokens.slice(reuse) };
  }

  /** Keeps only the first n live tokens; returns how many are kept (0 when it had to start over). */
  async rewind(n: number): Promise<number> {
    if (n >= this.held.length) return this.held.length;
    if (n <= 0) {
      this.release();
      this.clear();
      return 0;
    }
    // Mark the slots of the dropped tokens dead: the last (held - n) live slots.
    let drop = this.held.length - n;
    for (let s = this.slots.length - 1; s >= 0 && drop > 0; s--) {
      if (this.slots[s]) {
        this.slots[s] = 0;
        drop--;
      }
    }
    this.held = this.held.slice(0, n);
    const dead = this.deadCount;
    if (dead > this.maxDead || dead * 4 > this.slots.length) {
      if ([...this.keys, ...this.values].some(onGpu)) {
        this.release();
        this.clear();
        return 0;
      }
      this.compact();
    }
    return n;
  }

  /**
   * Whether `n` more slots fit within `limit` (the model's context; some exports size their causal mask by
   * it). Dead slots are compacted away to make room on the CPU; on the GPU that would mean starting over,
   * which only prepare() may do, so this answers false and the caller prepares again.
   */
  fit(n: number, limit: number): boolean {
    if (this.slots.length + n <= limit) return true;
    if (this.deadCount > 0 && ![...this.keys, ...this.values].some(onGpu)) this.compact();
    return this.slots.length + n <= limit;
  }

  /** Copies the live slots together (CPU tensors only). */
  private compact(): void {
    const live: number[] = [];
    for (const [i, v] of this.slots.entries()) if (v) live.push(i);
    this.keys = this.keys.map((t) => this.gather(t, live));
    this.values = this.values.map((t) => this.gather(t, live));
    this.slots = live.map(() => 1);
  }

  /** The attention_mask for a run feeding `n` new tokens: the slots' liveness, then n ones. */
  attentionMask(n: number): BigInt64Array {
    const m = new BigInt64Array(this.slots.length + n).fill(1n);
    if (this.deadCount) for (let i = 0; i < this.slots.length; i++) if (!this.slots[i]) m[i] = 0n;
    return m;
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

  /** Takes the present.{i}.key/value outputs of a run that fed `fed` tokens after the held slots. */
  update(outputs: Record<string, KvTensor>, fed: readonly number[]): void {
    const keys: KvTensor[] = [];
    const values: KvTensor[] = [];
    const expected = this.slots.length + fed.length;
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
    for (let i = 0; i < fed.length; i++) this.slots.push(1);
  }

  /** Approximate bytes held (for memory reports). */
  get bytes(): number {
    const per = this.shape.dtype === 'float16' ? 2 : 4;
    return 2 * this.shape.layers * this.shape.kvHeads * this.slots.length * this.shape.headDim * per;
  }

  /** The given slots of one tensor, in order (runs of consecutive slots copied at once). */
  private gather(t: KvTensor, live: number[]): KvTensor {
    const [b, h, seq, d] = t.dims;
    const src = t.data as KvData;
    const Ctor = src.constructor as { new (n: number): KvData };
    const n = live.length;
    const out = new Ctor(b * h * n * d);
    for (let bh = 0; bh < b * h; bh++) {
      const from = bh * seq * d;
      const to = bh * n * d;
      for (let j = 0; j < n; ) {
        let k = j + 1;
        while (k < n && live[k] === live[k - 1] + 1) k++;
        out.set(src.subarray(from + live[j] * d, from + (live[k - 1] + 1) * d), to + j * d);
        j = k;
      }
    }
    return this.make(t.type, out, [b, h, n, d]);
  }
}
