// An Engine made of a ModelRunner (the backend-specific part: model runs over a KV cache) and the parts
// every engine shares: prompt building, the decode loop with speculation and stopping rules, kept
// generations for resample and branch, and scoring windows. onnx/load.ts builds one on onnxruntime; a
// llama.cpp or remote engine supplies its own runner and tokenizer.
import { sample, uniformDraw } from '../sampling/sampler';
import { SAMPLING } from '../sampling/settings';
import type { Anatomy } from './anatomy';
import { decode } from './decode-loop';
import { RuntimeError } from './errors';
import type { Cancelled, Engine, MemoryFigures, OnStep, YieldTo } from './engine';
import { GenerationRecords } from './generation-records';
import type { ModelRunner, SequenceCache } from './model-runner';
import { type Prefilled, prefill } from './prefill';
import { generationPrompt, type PromptModel, promptTokens } from './prompt-tokens';
import type {
  GenerateRequest,
  GenerateResult,
  ModelInfo,
  Prompt,
  ProviderReport,
  SamplingSettings,
  ScoredPosition,
  TokenStep,
  XrayReport,
} from './protocol';
import { XRAY_MAX_TOKENS } from './protocol';
import { scoreText } from './scoring';
import { altText, sampledStep } from './token-steps';
import type { Tokenizer } from './tokenizer';

export interface EngineParts<C extends SequenceCache> {
  info: ModelInfo;
  provider: ProviderReport;
  tokenizer: Tokenizer;
  runner: ModelRunner<C>;
  /** Whether text and FIM prompts start with BOS (tokenizer_config.json's add_bos_token). */
  addBos: boolean;
  /** What the model's files hold, part by part (computed at load from the files, no model run). */
  anatomy?: Anatomy;
  /** The X-ray's own session, opened on first use (engines whose graph can expose its intermediates). */
  openXray?: () => Promise<XraySession>;
}

/** One X-ray run in token ids (RunnerEngine.xray adds the token texts for the views). */
export interface XrayRun {
  /** Row 0: the embedding alone; row i: after block i; the last row: the model's answer. */
  lens: { layer: number; top: { id: number; prob: number }[] }[];
  /** attention[layer][head][j]: how much the last position attends to position j. */
  attention?: number[][][];
  /** Why attention is missing (a fused kernel never materialises its weights), or how it was computed. */
  attentionNote?: string;
}

/** What an engine's X-ray session does: one run over a token sequence, and its release. */
export interface XraySession {
  run(tokens: readonly number[], topK: number): Promise<XrayRun>;
  release(): Promise<void>;
}

export class RunnerEngine<C extends SequenceCache = SequenceCache> implements Engine {
  readonly info: ModelInfo;
  readonly provider: ProviderReport;
  readonly tokenizer: Tokenizer;
  readonly runner: ModelRunner<C>;
  protected readonly records = new GenerationRecords();
  protected readonly eos: ReadonlySet<number>;
  protected readonly prompts: PromptModel;

  private readonly fileAnatomy?: Anatomy;
  private readonly openXray?: () => Promise<XraySession>;
  private xraySession?: Promise<XraySession>;

  constructor(parts: EngineParts<C>) {
    ({ info: this.info, provider: this.provider, tokenizer: this.tokenizer, runner: this.runner } = parts);
    this.fileAnatomy = parts.anatomy;
    this.openXray = parts.openXray;
    this.eos = new Set(this.info.eosIds);
    this.prompts = {
      contextLength: this.info.contextLength,
      tokenizer: this.tokenizer,
      bos: parts.addBos ? this.info.bosId : undefined,
      separator: this.info.bosId ?? this.info.eosIds[0],
      fimLayout: this.info.fimLayout,
    };
  }

  numberGenerationsFrom(first: number): void {
    this.records.numberFrom(first);
  }

  peekGenerationId(): number {
    return this.records.nextId;
  }

  /** How many generations are kept for resample and branch. */
  get keptGenerations(): number {
    return this.records.size;
  }

  /** Prompt tokens, cut from the left to leave room for `room` new tokens within the context. */
  buildPrompt(prompt: Prompt, room: number): number[] {
    return promptTokens(prompt, room, this.prompts);
  }

  /** Feeds what `cache` lacks of `tokens` (in chunks) and returns the logits after the last one. */
  prefill(cache: C, tokens: readonly number[], cancelled: Cancelled, yieldTo?: YieldTo): Promise<Prefilled> {
    return prefill(this.runner, cache, tokens, cancelled, yieldTo);
  }

  async generate(req: GenerateRequest, onStep: OnStep, cancelled: Cancelled, yieldTo?: YieldTo): Promise<GenerateResult> {
    const s = req.sampling;
    const maxTokens = Math.max(0, Math.floor(s.maxTokens ?? SAMPLING.maxTokens.default));
    const record = req.branch
      ? this.records.branch(req.branch, s.seed)
      : this.records.start(generationPrompt(req.prompt, maxTokens, this.prompts), [], [], s.seed ?? Math.floor(Math.random() * 4294967296));
    const forced = req.branch?.forcedToken;
    const model = { runner: this.runner, tokenizer: this.tokenizer, eos: this.eos };
    return decode(model, { record, sampling: s, maxTokens, topN: req.topN, forced }, { onStep, cancelled, yieldTo });
  }

  resample(generationId: number, step: number, s: SamplingSettings, topN: number): TokenStep {
    const logits = this.records.logitsAt(generationId, step);
    const rec = this.records.get(generationId);
    const report = sample(logits, s, rec.ids.slice(0, step), uniformDraw(s.seed ?? rec.seed, step), topN);
    return sampledStep(this.tokenizer, step, report);
  }

  score(
    text: string,
    topN: number,
    cancelled: Cancelled,
    onProgress?: (done: number, total: number) => void,
    yieldTo?: YieldTo,
  ): Promise<ScoredPosition[]> {
    return scoreText(this.runner, text, { tokenizer: this.tokenizer, topN, cancelled, onProgress, yieldTo });
  }

  anatomy(): Anatomy {
    if (!this.fileAnatomy) throw new RuntimeError('unsupported', `${this.info.name}: its files were not read for an anatomy`);
    return this.fileAnatomy;
  }

  async xray(tokens: number[], topK: number): Promise<XrayReport> {
    if (!this.openXray) throw new RuntimeError('unsupported', `${this.info.name}: this engine does not expose its layers`);
    this.xraySession ??= this.openXray();
    const session = await this.xraySession.catch((e) => {
      this.xraySession = undefined;
      throw new RuntimeError('unsupported', `${this.info.name}: no X-ray (${(e as Error).message})`);
    });
    const ctx = tokens.slice(-XRAY_MAX_TOKENS);
    const r = await session.run(ctx, topK);
    const text = (id: number) => altText(this.tokenizer, id);
    return {
      tokens: ctx.map((id) => ({ id, text: text(id) })),
      lens: r.lens.map((row) => ({ layer: row.layer, top: row.top.map((t) => ({ ...t, text: text(t.id) })) })),
      attention: r.attention,
      attentionNote: r.attentionNote,
    };
  }

  tokenize(text: string): number[] {
    return this.tokenizer.encode(text);
  }

  contextAt(generationId: number, step: number): number[] {
    const rec = this.records.get(generationId);
    if (step > rec.ids.length)
      throw new RuntimeError('bad-request', `generation ${generationId} has ${rec.ids.length} steps, not ${step + 1}`);
    return [...rec.prompt, ...rec.ids.slice(0, step)];
  }

  tokenBytes(id: number): Uint8Array {
    return this.tokenizer.tokenBytes(id);
  }

  memory(): MemoryFigures {
    return { kvCacheBytes: this.runner.cache.bytes, cachedTokens: this.runner.cache.length };
  }

  async release(): Promise<void> {
    const x = await this.xraySession?.catch(() => undefined);
    await x?.release().catch(() => undefined);
    return this.runner.release();
  }
}
