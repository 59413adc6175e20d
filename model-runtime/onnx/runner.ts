// The onnxruntime model runner: one decoder session in the transformers.js layout (input_ids,
// attention_mask, position_ids, past_key_values.* in; logits, present.* out) over a KvCache. Positions
// count live tokens; the mask covers every slot (dead ones, left by a rewind, masked out).
import * as ort from 'onnxruntime-node';
import { RuntimeError } from '../errors';
import type { Logits, ModelRunner } from '../model-runner';
import { KvCache, type KvData, type KvShape, type KvTensor, type OnnxCache } from './kv-cache';
import { halfToFloat } from './half';
import { RowCache, rowFetches } from './row-cache';
import type { SignatureInfo } from './signature';

const makeTensor = (type: string, data: KvData, dims: number[]): KvTensor => new ort.Tensor(type as 'float32', data as Float32Array, dims);

export interface OnnxRunnerOptions {
  contextLength: number;
  prefillChunk: number;
  draftTokens: number;
  /** Layers, key/value heads, head size (the past dtype is the signature's). */
  kv: Omit<KvShape, 'dtype'>;
}

export class OnnxRunner implements ModelRunner<OnnxCache> {
  readonly cache: OnnxCache;
  readonly contextLength: number;
  readonly prefillChunk: number;
  readonly draftTokens: number;
  /** The outputs to fetch, when not all (the new rows of a fused export, not its full presents). */
  private readonly fetches?: string[];

  constructor(
    readonly session: ort.InferenceSession,
    readonly signature: SignatureInfo,
    private readonly opts: OnnxRunnerOptions,
  ) {
    ({ contextLength: this.contextLength, prefillChunk: this.prefillChunk, draftTokens: this.draftTokens } = opts);
    this.fetches = signature.kvLayout === 'rows' ? rowFetches(opts.kv.layers) : undefined;
    this.cache = this.newCache();
  }

  newCache(): OnnxCache {
    const shape = { ...this.opts.kv, dtype: this.signature.kvType };
    if (this.signature.kvLayout === 'rows') return new RowCache(shape, makeTensor);
    // Graphs that derive lengths from the mask's sum (GroupQueryAttention) cannot skip masked-out slots.
    return new KvCache(shape, makeTensor, this.signature.maskHoles ? undefined : 0);
  }

  async run(cache: OnnxCache, feed: readonly number[], keep: number | boolean = 1): Promise<Logits> {
    const n = feed.length;
    if (!cache.fit(n, Math.max(this.contextLength, cache.length + n)))
      throw new RuntimeError('internal', 'the KV cache outgrew the context');
    const feeds = this.inputs(cache, feed, keep);
    cache.feeds(feeds as Record<string, KvTensor>, n);
    const out = this.fetches ? await this.session.run(feeds, this.fetches) : await this.session.run(feeds);
    cache.update(out as unknown as Record<string, KvTensor>, feed);
    const logits = out.logits;
    const data = logits.type === 'float16' ? halfToFloat(logits.data as Uint16Array) : (logits.data as Float32Array);
    return { data, rows: logits.dims[1] };
  }

  async release(): Promise<void> {
    this.cache.release();
    await this.session.release();
  }

  /** Every input but the pasts: the tokens, the mask over all slots, positions, how many logits to keep. */
  private inputs(cache: OnnxCache, feed: readonly number[], keep: number | boolean): Record<string, ort.Tensor> {
    const n = feed.length;
    const past = cache.length;
    const ids = new BigInt64Array(n);
    for (let i = 0; i < n; i++) ids[i] = BigInt(feed[i]);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, [1, n]),
      attention_mask: new ort.Tensor('int64', cache.attentionMask(n), [1, cache.slotCount + n]),
    };
    if (this.signature.hasPositionIds) {
      const pos = new BigInt64Array(n);
      for (let i = 0; i < n; i++) pos[i] = BigInt(past + i);
      feeds.position_ids = new ort.Tensor('int64', pos, [1, n]);
    }
    const rows = keep === true ? 0 : keep === false ? 1 : keep;
    if (this.signature.useCacheBranch) feeds.use_cache_branch = new ort.Tensor('bool', Uint8Array.of(cache.slotCount > 0 ? 1 : 0), [1]);
    if (this.signature.logitsToKeep) feeds[this.signature.logitsToKeep] = new ort.Tensor('int64', BigInt64Array.of(BigInt(rows)), []);
    return feeds;
  }
}
