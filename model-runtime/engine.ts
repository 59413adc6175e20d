// What the worker needs from an engine, whatever runs the model (onnxruntime today; llama.cpp, a remote
// server or an X-ray engine next). runner-engine.ts implements it over a ModelRunner; load-engine.ts picks
// the engine for a model folder.
import type { Anatomy } from './anatomy';
import type { RemoteSpec } from './remote/types';
import type {
  GenerateRequest,
  GenerateResult,
  ModelInfo,
  ProviderReport,
  SamplingSettings,
  ScoredPosition,
  TokenStep,
  XrayReport,
} from './protocol';

export interface EngineOptions {
  /** Execution providers to try, in order (onnxruntime names: cuda, dml, coreml, webgpu, cpu). */
  providers?: string[];
  /** Intra-op threads; undefined lets the backend choose. */
  threads?: number;
  /** Which model file of the folder (e.g. 'model_quantized.onnx'). */
  onnxFile?: string;
  /** Tokens per model run while prefilling a long prompt (bounds memory when every position's logits come back). */
  prefillChunk?: number;
  /** Draft tokens guessed by prompt lookup and checked in the same run as each decoded token (0: off). */
  draftTokens?: number;
  /**
   * Called once the folder's files checked out, before memory is committed to the model: the worker frees the
   * model it replaces here, so a folder that fails its checks leaves the old model serving.
   */
  beforeOpen?: () => Promise<void>;
  /** A remote server instead of a model folder. */
  remote?: RemoteSpec;
  /** Fill-in-the-middle tokens of this family instead of the ones detected (fim-families.ts). */
  fimFamily?: string;
}

/** Called with each step as it is decided, and the text it adds (held back while it may start a stop string). */
export type OnStep = (step: TokenStep, textDelta: string) => void;
/** Polled before every model run: true ends the request within one step. */
export type Cancelled = () => boolean;
/**
 * Called between steps of a long request: runs more urgent requests, and returns true when it did (they may
 * have moved the shared cache, so the caller plans its tokens again).
 */
export type YieldTo = () => Promise<boolean>;

export interface MemoryFigures {
  kvCacheBytes: number;
  cachedTokens: number;
}

export interface Engine {
  readonly info: ModelInfo;
  readonly provider: ProviderReport;
  /** The id the next generation will get (token events are sent before generate() returns). */
  peekGenerationId(): number;
  /**
   * Numbers this engine's generations from `first`: the host gives each load its own range, so an id kept from an
   * earlier model, an earlier worker or the other job's worker never names one of this engine's generations.
   */
  numberGenerationsFrom(first: number): void;
  /** Prefill (reusing the shared cache's common prefix), then decode until a stopping rule says why. */
  generate(req: GenerateRequest, onStep: OnStep, cancelled: Cancelled, yieldTo?: YieldTo): Promise<GenerateResult>;
  /** Per-token probability, rank and alternatives of a text (the heatmap). */
  score(
    text: string,
    topN: number,
    cancelled: Cancelled,
    onProgress?: (done: number, total: number) => void,
    yieldTo?: YieldTo,
  ): Promise<ScoredPosition[]>;
  /** The figures of every step of a kept generation whose steps were sent `deferred` (engines that defer them). */
  detail?(generationId: number, topN: number, cancelled: Cancelled): Promise<TokenStep[]>;
  /** Re-applies other settings to one kept step of a generation: no model run. */
  resample(generationId: number, step: number, sampling: SamplingSettings, topN: number): TokenStep;
  /** The model's parts, parameters, bytes and number formats, from its files (the anatomy view). */
  anatomy?(): Anatomy;
  /** What each layer predicts at the position after `tokens`, and where its attention goes (on demand). */
  xray?(tokens: number[], topK: number): Promise<XrayReport>;
  /** The tokens a kept generation had before its step `step` (prompt and generated): the X-ray of that step. */
  contextAt?(generationId: number, step: number): number[];
  tokenize(text: string): number[];
  tokenBytes(id: number): Uint8Array;
  memory(): MemoryFigures;
  release(): Promise<void>;
}
