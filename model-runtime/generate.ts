// The engine: a loaded model (folder + tokenizer + session + KV cache) and the decode loop.
// prefill (only what the cache lacks) -> step: sample, report, stream -> stop on EOS / stop sequence /
// max tokens / context end / cancellation (checked before every model run, so a cancel lands within one step).
import * as ort from 'onnxruntime-node';
import { RuntimeError } from './errors';
import { lookupDraft } from './draft';
import { KvCache, type KvData, type KvTensor } from './kv-cache';
import { checkSignature, readModelFolder, type ModelFolder, type SignatureInfo } from './model-folder';
import type {
  Alternative,
  GenerationStats,
  ModelInfo,
  Prompt,
  ProviderReport,
  SamplingSettings,
  ScoredPosition,
  TokenStep,
} from './protocol';
import { rankOfToken, sample, softmaxStats, topIndices, uniformDraw, type SampleReport } from '../sampling/sampler';
import { GPU_BUFFER_PROVIDERS, openSession, type SessionOptions } from './session';
import { TextStream, tokenText } from './text-stream';
import { loadTokenizer, type Tokenizer } from './tokenizer';

export interface LoadOptions extends SessionOptions {
  onnxFile?: string;
  /** Tokens per model run while prefilling a long prompt (bounds memory when every position's logits come back). */
  prefillChunk?: number;
  /** Draft tokens guessed by prompt lookup and checked in the same run as each decoded token (0: off). */
  draftTokens?: number;
}

export interface GenerateParams {
  prompt: Prompt;
  sampling: SamplingSettings;
  topN: number;
  branch?: { generationId: number; step: number; forcedToken: number };
}

export interface GenerateResult {
  generationId: number;
  text: string;
  ids: number[];
  stats: GenerationStats;
}

/** What is kept of a generation so a step can be resampled or branched without a model run. */
interface GenerationRecord {
  id: number;
  prompt: number[];
  ids: number[];
  /** The model's logits at each step (before any processor). */
  logits: Float32Array[];
  seed: number;
}

const lossy = new TextDecoder('utf-8');
const makeTensor = (type: string, data: KvData, dims: number[]): KvTensor => new ort.Tensor(type as 'float32', data as Float32Array, dims);

const SCORE_CHUNK = 128;

/** Runs two chained steps feeding GPU-held presents back as pasts; returns why it failed, if it did. */
async function tryGpuChain(session: ort.InferenceSession, folder: ModelFolder): Promise<string | undefined> {
  try {
    const sig = checkSignature(folder.onnxPath, folder.arch, session.inputNames, session.outputNames, session.inputMetadata);
    const a = folder.arch;
    let past: Record<string, ort.Tensor> = {};
    for (let i = 0; i < a.layers; i++)
      for (const kv of ['key', 'value'])
        past[`past_key_values.${i}.${kv}`] = new ort.Tensor(
          sig.kvType as 'float32',
          sig.kvType === 'float16' ? (new Uint16Array(0) as unknown as Float32Array) : new Float32Array(0),
          [1, a.kvHeads, 0, a.headDim],
        );
    for (let step = 0; step < 2; step++) {
      const feeds: Record<string, ort.Tensor> = {
        ...past,
        input_ids: new ort.Tensor('int64', BigInt64Array.of(0n), [1, 1]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(step + 1).fill(1n), [1, step + 1]),
      };
      if (sig.hasPositionIds) feeds.position_ids = new ort.Tensor('int64', BigInt64Array.of(BigInt(step)), [1, 1]);
      if (sig.logitsToKeep) feeds[sig.logitsToKeep] = new ort.Tensor('int64', BigInt64Array.of(1n), []);
      const out = await session.run(feeds);
      for (const t of Object.values(past)) if (t.location === 'gpu-buffer') t.dispose();
      past = {};
      for (let i = 0; i < a.layers; i++) for (const kv of ['key', 'value']) past[`past_key_values.${i}.${kv}`] = out[`present.${i}.${kv}`];
      if (!(out.logits.data as Float32Array).every((x) => Number.isFinite(x))) return 'non-finite logits';
    }
    for (const t of Object.values(past)) if (t.location === 'gpu-buffer') t.dispose();
    return undefined;
  } catch (e) {
    return String((e as Error).message).split('\n')[0];
  }
}

/** Kept logits are bounded: old generations are dropped first. */
const KEPT_LOGITS_BYTES = 64 * 1024 * 1024;

export class Engine {
  readonly cache: KvCache;
  private readonly generations = new Map<number, GenerationRecord>();
  private nextGenerationId = 1;
  private readonly eos: Set<number>;

  private constructor(
    readonly folder: ModelFolder,
    readonly tokenizer: Tokenizer,
    readonly session: ort.InferenceSession,
    readonly signature: SignatureInfo,
    readonly provider: ProviderReport,
    readonly info: ModelInfo,
    private readonly prefillChunk: number,
    private readonly draftTokens: number,
  ) {
    this.cache = this.newCache();
    this.eos = new Set(info.eosIds);
  }

  static async load(dir: string, opts: LoadOptions = {}): Promise<Engine> {
    const folder = readModelFolder(dir, { onnxFile: opts.onnxFile });
    const tokenizer = loadTokenizer(folder);
    const presents = Array.from({ length: folder.arch.layers }, (_, i) => [`present.${i}.key`, `present.${i}.value`]).flat();
    let opened: Awaited<ReturnType<typeof openSession>>;
    try {
      opened = await openSession(folder.onnxPath, { ...opts, gpuOutputs: presents });
    } catch (e) {
      throw new RuntimeError(
        'onnx-signature',
        `${folder.onnxPath}: cannot be loaded by onnxruntime (${(e as Error).message})`,
        folder.onnxPath,
      );
    }
    if (GPU_BUFFER_PROVIDERS.has(opened.provider.active) && !opened.provider.notes) {
      // Keys/values left on the GPU: prove two chained steps work, else keep them on the CPU.
      const why = await tryGpuChain(opened.session, folder);
      if (why) {
        await opened.session.release().catch(() => undefined);
        const again = await openSession(folder.onnxPath, { ...opts, providers: [opened.provider.active] });
        opened = { session: again.session, provider: { ...opened.provider, notes: [`keys/values kept on the CPU: ${why}`] } };
      } else opened.provider.notes = ['keys/values stay on the GPU between steps'];
    }
    const { session, provider } = opened;
    let signature: SignatureInfo;
    try {
      signature = checkSignature(folder.onnxPath, folder.arch, session.inputNames, session.outputNames, session.inputMetadata);
    } catch (e) {
      await session.release().catch(() => undefined);
      throw e;
    }
    const eos = [...folder.specials.eos];
    const eot = tokenizer.specialId('<|endoftext|>');
    if (eot !== undefined && !eos.includes(eot)) eos.push(eot);
    // A FIM sentinel is never part of an answer: a model that emits one has lost the thread, so it ends the
    // generation (it stays visible among the alternatives) instead of printing '<|fim_middle|>' into the code.
    if (tokenizer.fim)
      for (const id of [tokenizer.fim.prefix, tokenizer.fim.suffix, tokenizer.fim.middle]) if (!eos.includes(id)) eos.push(id);
    const a = folder.arch;
    const info: ModelInfo = {
      name: folder.name,
      dir: folder.dir,
      architecture: a.modelType,
      layers: a.layers,
      contextLength: a.maxPositions,
      vocabSize: a.vocabSize,
      supportsFim: !!tokenizer.fim,
      onnxFile: folder.onnxFile,
      heads: a.heads,
      kvHeads: a.kvHeads,
      headDim: a.headDim,
      eosIds: eos,
      bosId: folder.specials.bos,
      padId: folder.specials.pad,
      fim: tokenizer.fim,
      tokenizer: tokenizer.kind,
    };
    // 256 tokens per run: a cancel lands between runs, so this bounds how long a stale prefill can block
    // the queue; it costs little (attention over a chunk even computes less than the full square).
    const chunk = opts.prefillChunk ?? (signature.logitsToKeep ? 256 : 128);
    // 4 drafts: a run of 5 tokens costs about 1.5 runs of one on the CPU, so one accepted draft pays for it.
    // On a GPU the keys/values cannot be cut back, so a rejected draft would cost a re-prefill: off there.
    const drafts = GPU_BUFFER_PROVIDERS.has(provider.active) ? 0 : Math.max(0, Math.floor(opts.draftTokens ?? 4));
    return new Engine(folder, tokenizer, session, signature, provider, info, chunk, drafts);
  }

  /** The id the next generation will get (token events are sent before it returns). */
  peekGenerationId(): number {
    return this.nextGenerationId;
  }

  async release(): Promise<void> {
    this.cache.release();
    await this.session.release();
  }

  newCache(): KvCache {
    const a = this.folder.arch;
    return new KvCache({ layers: a.layers, kvHeads: a.kvHeads, headDim: a.headDim, dtype: this.signature.kvType }, makeTensor);
  }

  /**
   * Runs `feed` after the cache's tokens; returns the logits of the last `keep` positions (0 or true: all;
   * a model without num_logits_to_keep returns all of them).
   */
  async run(cache: KvCache, feed: readonly number[], keep: number | boolean = 1): Promise<{ data: Float32Array; rows: number }> {
    // Positions count live tokens; the mask covers every slot (dead ones, left by a rewind, masked out).
    const n = feed.length;
    if (!cache.fit(n, Math.max(this.info.contextLength, cache.length + n)))
      throw new RuntimeError('internal', 'the KV cache outgrew the context');
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
    if (this.signature.logitsToKeep)
      feeds[this.signature.logitsToKeep] = new ort.Tensor(
        'int64',
        BigInt64Array.of(BigInt(keep === true ? 0 : keep === false ? 1 : keep)),
        [],
      );
    cache.feeds(feeds as Record<string, KvTensor>);
    const out = await this.session.run(feeds);
    cache.update(out as unknown as Record<string, KvTensor>, feed);
    const logits = out.logits;
    return { data: logits.data as Float32Array, rows: logits.dims[1] };
  }

  /** Feeds tokens (in chunks) and returns the logits after the last one. */
  /**
   * Feeds tokens (in chunks) and returns the logits after the last one. Between chunks `yieldTo` may run
   * more urgent requests; they move the shared cache, so the rest is planned again from what it holds.
   */
  async prefill(
    cache: KvCache,
    tokens: readonly number[],
    cancelled: () => boolean,
    yieldTo?: () => Promise<boolean>,
  ): Promise<{ logits: Float32Array; reused: number }> {
    let plan = await cache.prepare(tokens, this.info.contextLength);
    const reused = plan.reuse;
    for (;;) {
      if (cancelled()) throw new RuntimeError('cancelled', 'cancelled');
      const chunk = plan.feed.slice(0, this.prefillChunk);
      const last = await this.run(cache, chunk);
      if (chunk.length === plan.feed.length) {
        const V = last.data.length / last.rows;
        return { logits: last.rows === 1 ? last.data : last.data.slice((last.rows - 1) * V), reused };
      }
      if (yieldTo && (await yieldTo())) plan = await cache.prepare(tokens, this.info.contextLength);
      else plan = { reuse: cache.length, feed: plan.feed.slice(chunk.length) };
    }
  }

  tokenize(text: string): number[] {
    return this.tokenizer.encode(text);
  }

  /** Prompt tokens, cut from the left to leave room for `room` new tokens within the context. */
  buildPrompt(prompt: Prompt, room: number): number[] {
    const ctx = this.info.contextLength;
    const budget = Math.max(1, ctx - Math.min(room, Math.floor(ctx / 2)));
    const bos = this.folder.tokenizerConfig.add_bos_token === true && this.info.bosId !== undefined ? [this.info.bosId] : [];
    if (prompt.tokens) return prompt.tokens.slice(-budget);
    if (prompt.fim) {
      const pre = this.tokenizer.encode(prompt.fim.prefix);
      const fim = this.tokenizer.fim;
      if (!fim) return [...bos, ...pre].slice(-budget);
      let suf = this.tokenizer.encode(prompt.fim.suffix);
      // Keep the end of the prefix and the start of the suffix, prefix first (it matters more).
      const avail = budget - 3 - bos.length;
      const keepPre = Math.min(pre.length, Math.max(avail - Math.min(suf.length, Math.floor(avail / 4)), 0));
      suf = suf.slice(0, Math.max(0, avail - keepPre));
      return [...bos, fim.prefix, ...pre.slice(pre.length - keepPre), fim.suffix, ...suf, fim.middle];
    }
    if (prompt.text !== undefined) return [...bos, ...this.tokenizer.encode(prompt.text)].slice(-budget);
    throw new RuntimeError('bad-request', 'a prompt needs text, fim or tokens');
  }

  /**
   * `yieldTo`, when given, is called between steps; it may run more urgent requests (which move the shared
   * cache) and returns true when it did, so the loop re-prepares the cache for its own tokens.
   */
  async generate(
    p: GenerateParams,
    onStep: (step: TokenStep, delta: string) => void,
    cancelled: () => boolean,
    yieldTo?: () => Promise<boolean>,
  ): Promise<GenerateResult> {
    const s = p.sampling;
    const maxTokens = Math.max(0, Math.floor(s.maxTokens ?? 64));
    let prompt: number[];
    let prior: number[] = [];
    let priorLogits: Float32Array[] = [];
    let forced: number | undefined;
    let seed = s.seed ?? Math.floor(Math.random() * 4294967296);
    if (p.branch) {
      const rec = this.generations.get(p.branch.generationId);
      if (!rec) throw new RuntimeError('bad-request', `generation ${p.branch.generationId} is no longer kept`);
      if (p.branch.step < 0 || p.branch.step > rec.logits.length - 1)
        throw new RuntimeError('bad-request', `generation ${rec.id} has no step ${p.branch.step}`);
      prompt = rec.prompt;
      prior = rec.ids.slice(0, p.branch.step);
      priorLogits = rec.logits.slice(0, p.branch.step + 1);
      forced = p.branch.forcedToken;
      if (s.seed === undefined) seed = rec.seed;
    } else {
      prompt = this.buildPrompt(p.prompt, maxTokens);
      // An empty prompt starts from the document separator, as the model saw at every document start.
      if (prompt.length === 0) {
        const start = this.info.bosId ?? this.info.eosIds[0];
        if (start === undefined)
          throw new RuntimeError('bad-request', 'the prompt is empty and the model has no BOS/EOS token to start from');
        prompt = [start];
      }
    }
    const rec: GenerationRecord = { id: this.nextGenerationId++, prompt, ids: [...prior], logits: [...priorLogits], seed };
    this.keep(rec);
    const stream = new TextStream(s.stop ?? []);
    for (const id of prior) stream.push(this.tokenizer.tokenBytes(id));

    const t0 = performance.now();
    let logits: Float32Array;
    let reused = 0;
    const ctx = this.info.contextLength;
    let stopReason: GenerationStats['stopReason'] = 'length';
    let prefillMs = 0;
    try {
      if (forced !== undefined) {
        // The branch point's logits were kept; the cache only needs the tokens before it.
        logits = priorLogits[p.branch!.step];
        const pre = await this.prefill(this.cache, [...prompt, ...prior], cancelled, yieldTo);
        reused = pre.reused;
      } else {
        const pre = await this.prefill(this.cache, prompt, cancelled, yieldTo);
        logits = pre.logits;
        reused = pre.reused;
      }
      prefillMs = performance.now() - t0;
      // Draft tokens already run after the last sampled token (in the cache, not yet confirmed), and the
      // logits after each: aheadLogits[j] is what the step after ahead[j] samples from, if ahead[j] is kept.
      let ahead: number[] = [];
      let aheadLogits: Float32Array[] = [];
      const confirmed = () => this.cache.length - ahead.length;
      for (let step = prior.length; ; step++) {
        if (cancelled()) {
          stopReason = 'cancelled';
          break;
        }
        if (rec.ids.length - prior.length >= maxTokens + (forced !== undefined ? 1 : 0) || confirmed() >= ctx) {
          stopReason = 'length';
          break;
        }
        if (rec.logits.length === step) rec.logits.push(logits);
        let id: number;
        let tokenStep: TokenStep;
        if (forced !== undefined && step === prior.length) {
          id = forced;
          tokenStep = this.forcedStep(step, id, logits, p.topN);
        } else {
          const report = sample(logits, s, rec.ids, uniformDraw(seed, step), p.topN);
          id = report.id;
          tokenStep = this.toStep(step, report);
        }
        rec.ids.push(id);
        if (this.eos.has(id)) {
          onStep(tokenStep, '');
          stopReason = 'eos';
          break;
        }
        const r = stream.push(this.tokenizer.tokenBytes(id));
        onStep(tokenStep, r.delta);
        if (r.stopped !== undefined) {
          stopReason = 'stop';
          break;
        }
        if (rec.ids.length - prior.length >= maxTokens + (forced !== undefined ? 1 : 0) || confirmed() + 1 > ctx) {
          stopReason = 'length';
          break;
        }
        if (cancelled()) {
          stopReason = 'cancelled';
          break;
        }
        // After more urgent requests moved the cache, or when dead slots on the GPU leave no room for the
        // next one, the cache is prepared again for this generation's tokens (which drops any drafts).
        const moved = yieldTo && (await yieldTo());
        if (!moved && ahead.length && ahead[0] === id) {
          // The sampler picked the draft: its logits are already computed, no model run.
          ahead.shift();
          logits = aheadLogits.shift()!;
          continue;
        }
        if (!moved && ahead.length) await this.cache.rewind(confirmed());
        ahead = [];
        aheadLogits = [];
        if (moved || !this.cache.fit(1, ctx)) {
          logits = (await this.prefill(this.cache, [...prompt, ...rec.ids], cancelled, yieldTo)).logits;
          continue;
        }
        const room = Math.min(this.draftTokens, ctx - this.cache.slotCount - 1);
        const drafts = room > 0 ? lookupDraft([...prompt, ...rec.ids], room) : [];
        const out = await this.run(this.cache, [id, ...drafts], 1 + drafts.length);
        const V = this.vocab(out);
        const first = out.rows - 1 - drafts.length;
        const row = (j: number) => (out.rows === 1 ? out.data : out.data.slice((first + j) * V, (first + j + 1) * V));
        logits = row(0);
        ahead = drafts;
        aheadLogits = drafts.map((_, j) => row(j + 1));
      }
    } catch (e) {
      if (e instanceof RuntimeError && e.code === 'cancelled') stopReason = 'cancelled';
      else throw e;
    }
    if (stopReason !== 'stop') stream.end();
    const t1 = performance.now();
    return {
      generationId: rec.id,
      text: stream.text,
      ids: rec.ids.slice(),
      stats: {
        promptTokens: prompt.length,
        reusedTokens: reused,
        generatedTokens: rec.ids.length - prior.length,
        prefillMs,
        decodeMs: t1 - t0 - prefillMs,
        stopReason,
        seed,
      },
    };
  }

  /** Re-applies other settings to one kept step: no model run. */
  resample(generationId: number, step: number, s: SamplingSettings, topN: number): TokenStep {
    const rec = this.generations.get(generationId);
    if (!rec) throw new RuntimeError('bad-request', `generation ${generationId} is no longer kept`);
    const logits = rec.logits[step];
    if (!logits) throw new RuntimeError('bad-request', `generation ${generationId} has no step ${step}`);
    const report = sample(logits, s, rec.ids.slice(0, step), uniformDraw(s.seed ?? rec.seed, step), topN);
    return this.toStep(step, report);
  }

  /** Per-token probability of a text under the model (for the heatmap). Uses its own cache. */
  /**
   * Per-token probability of a text under the model (for the heatmap). Uses its own caches. A text longer
   * than the context is scored in windows that overlap by half, so every token after the first window is
   * predicted from at least half a context of the text before it.
   */
  async score(
    text: string,
    topN: number,
    cancelled: () => boolean,
    onProgress?: (done: number, total: number) => void,
    yieldTo?: () => Promise<boolean>,
  ): Promise<ScoredPosition[]> {
    const tokens = this.tokenizer.encode(text);
    const n = tokens.length;
    const ctx = this.info.contextLength;
    const half = Math.max(1, Math.floor(ctx / 2));
    const out: ScoredPosition[] = [];
    const decoder = new TextDecoder('utf-8');
    let offset = 0;
    const next = (id: number, prob: number, rank: number, entropy: number, alternatives: Alternative[]) => {
      const bytes = this.tokenizer.tokenBytes(id);
      out.push({ id, text: tokenText(bytes).text, offset, prob, rank, entropy, alternatives });
      offset += decoder.decode(bytes, { stream: true }).length;
    };
    if (n) next(tokens[0], 1, 0, 0, []);
    // Every position's logits come back: small chunks bound that memory (128 x 50k floats = 25 MB).
    const step = Math.min(this.prefillChunk, SCORE_CHUNK);
    // `pos`: the next token to score; each window feeds tokens [start, end - 1) and predicts (start, end).
    for (let pos = 1; pos < n; ) {
      const start = pos === 1 ? 0 : Math.max(0, pos - half);
      const end = Math.min(n, start + ctx);
      const cache = this.newCache();
      try {
        for (let i = start; i < end - 1; i += step) {
          if (cancelled()) throw new RuntimeError('cancelled', 'cancelled');
          // Its own cache: more urgent requests can run in between without disturbing it.
          if (yieldTo) await yieldTo();
          const chunk = tokens.slice(i, Math.min(i + step, end - 1));
          const r = await this.run(cache, chunk, 0);
          if (cancelled()) throw new RuntimeError('cancelled', 'cancelled');
          const V = r.data.length / r.rows;
          for (let j = 0; j < r.rows; j++) {
            const at = i + j + 1;
            if (at < pos) continue; // already scored with more context by the previous window
            const row = r.data.subarray(j * V, (j + 1) * V);
            const target = tokens[at];
            const st = softmaxStats(row);
            let rank = 1;
            const t = row[target];
            for (let v = 0; v < V; v++) if (row[v] > t) rank++;
            const alts = topIndices(row, topN).map((id) => ({
              id,
              text: this.altText(id),
              rawProb: Math.exp(row[id] - st.max) / st.sum,
              finalProb: Math.exp(row[id] - st.max) / st.sum,
            }));
            next(target, Math.exp(t - st.max) / st.sum, rank, st.entropy, alts);
          }
          onProgress?.(out.length, n);
        }
      } finally {
        cache.release();
      }
      pos = end;
    }
    return out;
  }

  private vocab(out: { data: Float32Array; rows: number }): number {
    return out.data.length / out.rows;
  }

  private altText(id: number): string {
    return lossy.decode(this.tokenizer.tokenBytes(id));
  }

  private toStep(index: number, r: SampleReport): TokenStep {
    const bytes = this.tokenizer.tokenBytes(r.id);
    const t = tokenText(bytes);
    return {
      index,
      id: r.id,
      text: t.text,
      bytes: Array.from(bytes),
      partial: t.partial,
      rawProb: r.rawProb,
      finalProb: r.finalProb,
      entropy: r.entropy,
      draw: r.draw,
      alternatives: r.alternatives.map((a) => ({ ...a, text: this.altText(a.id) })),
      rank: r.rank,
    };
  }

  private forcedStep(index: number, id: number, logits: Float32Array, topN: number): TokenStep {
    const st = softmaxStats(logits);
    const raw = (x: number) => Math.exp(logits[x] - st.max) / st.sum;
    const ids = topIndices(logits, topN);
    if (!ids.includes(id)) ids.push(id);
    const bytes = this.tokenizer.tokenBytes(id);
    const t = tokenText(bytes);
    return {
      index,
      id,
      text: t.text,
      bytes: Array.from(bytes),
      partial: t.partial,
      rawProb: raw(id),
      finalProb: 1,
      entropy: st.entropy,
      draw: 0,
      alternatives: ids.map((x) => ({ id: x, text: this.altText(x), rawProb: raw(x), finalProb: x === id ? 1 : 0 })),
      rank: rankOfToken(logits, id, st.argmax),
      forced: true,
    };
  }

  private keep(rec: GenerationRecord): void {
    this.generations.set(rec.id, rec);
    let bytes = 0;
    for (const g of this.generations.values()) bytes += g.logits.reduce((a, l) => a + l.byteLength, 0);
    // Rough bound, checked when a generation starts: drop the oldest until the rest fit.
    for (const [id, g] of this.generations) {
      if (bytes <= KEPT_LOGITS_BYTES || id === rec.id) break;
      bytes -= g.logits.reduce((a, l) => a + l.byteLength, 0);
      this.generations.delete(id);
    }
  }
}
