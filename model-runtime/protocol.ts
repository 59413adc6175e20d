// Host <-> worker messages. The one place to read to know what the extension host can ask of the
// inference worker, and what the worker reports back. Plain data only: it crosses a process boundary.

import type { Cutter, SamplingSettings } from '../sampling/settings';
import type { Anatomy } from './anatomy';
import type { RemoteSpec } from './remote/types';

// The sampling settings and the cutter names live with the sampler (sampling/settings.ts); re-exported for this file's importers.
export type { Cutter, SamplingSettings } from '../sampling/settings';

export interface Alternative {
  id: number;
  text: string;
  /** Softmax of the model's logits. */
  rawProb: number;
  /** After penalties, temperature, top-k, top-p and min-p (0 when removed). */
  finalProb: number;
  /** Which processor removed it, if one did. */
  removedBy?: Cutter;
}

/** What happened at one generated position: enough for the inspector to draw it. */
export interface TokenStep {
  index: number;
  id: number;
  /** Decoded text of this token alone; may be '' when the token holds part of a character. */
  text: string;
  /** The token's raw bytes, so partial UTF-8 can be shown. */
  bytes: number[];
  /** True when `bytes` is not valid UTF-8 on its own. */
  partial: boolean;
  rawProb: number;
  finalProb: number;
  /** Entropy (nats) of the raw distribution. */
  entropy: number;
  /** The uniform draw in [0, 1) that picked this token (0 for greedy). */
  draw: number;
  /** Top-N by raw probability, the chosen token included. */
  alternatives: Alternative[];
  /** 1 = the model's top guess; exact even when the token is past the reported alternatives. */
  rank: number;
  /** True when the token was forced by a branch rather than sampled. */
  forced?: boolean;
  /** Set when a remote server reported this step: then only the token, its probability and the alternatives are known. */
  remote?: RemoteStepFacts;
  /** The token only, drawn by the engine's own greedy sampler: the figures come from a 'detail' request. */
  deferred?: true;
}

/**
 * What a remote server's numbers mean. The server sampled with its own sampler chain and reports only the chosen
 * token and its top alternatives, so the cutters, the draw and the final probabilities are unknown (finalProb and
 * draw hold placeholders the views must not show), and the rank is exact only within the alternatives.
 */
export interface RemoteStepFacts {
  /** e.g. 'llama-server /infill'. */
  source: string;
  /**
   * 'raw': the model's softmax; 'post-sampling': after the server's samplers (rawProb then holds that); 'none': the
   * server sent text without probabilities (rawProb 0, no alternatives).
   */
  probabilities: 'raw' | 'post-sampling' | 'none';
  /** True when the chosen token was not among the alternatives: `rank` is then a lower bound. */
  rankLowerBound: boolean;
  /** Set on a re-sampled step: computed over the returned alternatives only, renormalised. */
  approximate?: boolean;
}

export const CHAT_ROLES = ['system', 'user', 'assistant'] as const;

/** One turn of a conversation (a chat view message, a server's chat request, a remote engine's prompt). */
export interface ChatTurn {
  role: (typeof CHAT_ROLES)[number];
  content: string;
}

export const isChatRole = (v: unknown): v is ChatTurn['role'] => CHAT_ROLES.includes(v as ChatTurn['role']);

export type Priority = 'interactive' | 'normal' | 'background';

/**
 * Order of a fill-in-the-middle prompt. 'psm': <prefix> prefix <suffix> suffix <middle>, then the middle;
 * 'spm': <prefix> <suffix> suffix <middle> prefix, then the middle continues the prefix (Bavarian et al. 2022).
 */
export type FimLayout = 'psm' | 'spm';

/**
 * Other files of the repository, for a model trained with repository-context tokens (Qwen2.5-Coder's <|repo_name|>
 * and <|file_sep|>): each file headed by its path, then the current file's path, then the FIM part. A model
 * without those tokens gets nothing of it (the host then puts the files in the prefix as comments).
 */
export interface RepoContext {
  repo: string;
  /** The current file's path (relative to the workspace). */
  path: string;
  /** Oldest first; the worker drops the oldest when they do not fit. */
  files: { path: string; text: string }[];
}

export interface Prompt {
  /** Plain text prompt (left-to-right). */
  text?: string;
  /**
   * Fill-in-the-middle; the runtime falls back to the prefix alone if the model has no FIM tokens. `layout`
   * overrides the model's own (evaluations compare them).
   */
  fim?: { prefix: string; suffix: string; layout?: FimLayout; context?: RepoContext };
  /** Already tokenized prompt. */
  tokens?: number[];
  /**
   * A conversation, for an engine whose server applies its own chat template (remote). A local model folder
   * takes the rendered text instead (the host renders its template: model-runtime/chat-template.ts).
   */
  chat?: ChatTurn[];
}

/** Continue an earlier generation from its worker `step` with a forced token instead of the sampled one. */
export interface BranchFrom {
  generationId: number;
  step: number;
  forcedToken: number;
}

/** One generation request: what the host asks, the worker runs and every engine implements. */
export interface GenerateRequest {
  prompt: Prompt;
  sampling: SamplingSettings;
  /** How many alternatives to report per step (0 for none: faster). */
  topN: number;
  priority?: Priority;
  /**
   * Token events start at `branch.step` (the forced one has `forced: true`); the result's text and ids cover the
   * whole branched generation from step 0. The seed defaults to the original generation's.
   */
  branch?: BranchFrom;
  /**
   * 'deferred': nobody watches the figures now (an inline completion), so an engine that decodes faster without
   * them may send steps marked `deferred` (token only) and compute the figures on a later 'detail' request.
   * Default 'full'.
   */
  detail?: 'full' | 'deferred';
}

/** What a finished (or cancelled) generation returns. `ids`: the generated token ids (the prompt excluded). */
export interface GenerateResult {
  generationId: number;
  text: string;
  ids: number[];
  stats: GenerationStats;
}

export type HostToWorker =
  | {
      type: 'load';
      id: number;
      modelDir: string;
      /** Execution providers to try, in order (default: cuda, dml on Windows, coreml on macOS, webgpu, cpu). */
      providers?: string[];
      /** Which ONNX file under onnx/ (e.g. 'model_quantized.onnx'); default: the first of ONNX_PREFERENCE present. */
      onnxFile?: string;
      /** Intra-op threads for onnxruntime (default: onnxruntime's choice). */
      threads?: number;
      /** Prompt-lookup guesses fed per decode run (default 4; 0: one model run per token). */
      draftTokens?: number;
      /** A remote server to use instead of the folder (modelDir then holds its base URL, for messages). */
      remote?: RemoteSpec;
      /** The first generation id of this load (each load gets its own range from the host; default 1). */
      firstGenerationId?: number;
      /** Fill-in-the-middle tokens of this family instead of the detected ones. */
      fimFamily?: string;
    }
  | ({ type: 'generate'; id: number; priority: Priority } & Omit<GenerateRequest, 'priority'>)
  /** Re-apply other sampling settings to one kept step's logits: no model run. */
  | { type: 'resample'; id: number; generationId: number; step: number; sampling: SamplingSettings; topN: number }
  | { type: 'tokenize'; id: number; text: string }
  /** The loaded model's parts from its files (answered at once: no model run). */
  | { type: 'anatomy'; id: number }
  /** The X-ray of the position after `text` (one model run of an exposing session, queued like a generation). */
  /**
   * The X-ray of the next token after `text`, or (with `at`) after the tokens a kept generation had before its step
   * `step` (the inspector's selected token: the context exactly as the model saw it).
   */
  | { type: 'xray'; id: number; text: string; at?: { generationId: number; step: number }; topK: number; priority: Priority }
  /** The figures of a generation whose steps were deferred (recomputed from the model's logits), every step. */
  | { type: 'detail'; id: number; generationId: number; topN: number; priority: Priority }
  /** Per-position surprise of a text (heatmap). */
  | { type: 'score'; id: number; text: string; topN: number; priority: Priority }
  /** Cancels request `id`: a generation ends with 'done' (stopReason 'cancelled'); anything else with error 'cancelled'. */
  | { type: 'cancel'; id: number }
  /** Memory report (the bench reads the worker's peak RSS). */
  | { type: 'memory'; id: number }
  | { type: 'shutdown' };

export interface ModelInfo {
  name: string;
  dir: string;
  architecture: string;
  layers: number;
  contextLength: number;
  vocabSize: number;
  supportsFim: boolean;
  onnxFile: string;
  /** Attention heads, key/value heads (fewer than heads under GQA) and the per-head size. */
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Token ids that end a generation. */
  eosIds: number[];
  bosId?: number;
  padId?: number;
  /**
   * FIM token ids and whose tokens they are (model-runtime/fim-families.ts); the repository-context tokens
   * (<|repo_name|>, <|file_sep|>) where the family has them and the tokenizer holds them.
   */
  fim?: { prefix: number; suffix: number; middle: number; family: string; repoName?: number; fileSep?: number };
  /**
   * A server that formats repository-context files itself (llama-server's /infill input_extra, with the model's
   * own tokens where it has them): the FIM prompt's context goes to it as files, not as comments.
   */
  serverRepoFiles?: boolean;
  /** The FIM order the model was trained for (see FimLayout). */
  fimLayout: FimLayout;
  /** 'gpt-tokenizer:<encoding>' or 'tokenizer.json'. */
  tokenizer: string;
  /** A chat template carried by the model file itself (GGUF's tokenizer.chat_template), with its BOS/EOS text. */
  chatTemplate?: EmbeddedChatTemplate;
}

/** The X-ray of the position after a text: what each layer would predict, and where attention goes. */
export interface XrayReport {
  /** The context run (its last tokens, at most XRAY_MAX_TOKENS), as text pieces. */
  tokens: { id: number; text: string }[];
  /** Row 0: the embedding alone; row i: after block i; the last row is the model's own prediction. */
  lens: { layer: number; top: { id: number; text: string; prob: number }[] }[];
  /** attention[layer][head][j]: the weight the last position gives to context position j. */
  attention?: number[][][];
  /** Why attention is missing, or how it was computed where the kernel keeps it inside. */
  attentionNote?: string;
}

export const XRAY_MAX_TOKENS = 256;

export interface EmbeddedChatTemplate {
  template: string;
  bos: string;
  eos: string;
}

export interface ProviderReport {
  active: string;
  /** Each provider tried before the active one, with why it was not used. */
  fallbacks: { provider: string; reason: string }[];
  /** Facts about how the active provider is used (e.g. whether keys/values stay on the GPU). */
  notes?: string[];
}

export interface GenerationStats {
  promptTokens: number;
  /** Prompt tokens whose keys/values were reused from the cache. */
  reusedTokens: number;
  generatedTokens: number;
  prefillMs: number;
  decodeMs: number;
  stopReason: 'stop' | 'eos' | 'length' | 'cancelled';
  /** The seed the draws used (the request's, or a fresh one): pass it back to reproduce the output. */
  seed: number;
}

/** The worker's own state, pushed whenever it changes (a status bar can show it). */
export type WorkerState = 'idle' | 'loading' | 'ready' | 'busy' | 'error';

export type WorkerToHost =
  /** Sent once when the worker process has started and listens. */
  | { type: 'hello'; pid: number }
  | { type: 'state'; state: WorkerState; detail?: string }
  | { type: 'loaded'; id: number; model: ModelInfo; provider: ProviderReport }
  /** A generate request left the queue: its generation's id, before the prompt is read (a long prefill may follow). */
  | { type: 'started'; id: number; generationId: number }
  | { type: 'token'; id: number; generationId: number; step: TokenStep; textDelta: string }
  /** `ids`: the generated token ids (the prompt excluded). */
  | ({ type: 'done'; id: number } & GenerateResult)
  | { type: 'resampled'; id: number; step: TokenStep }
  | { type: 'tokens'; id: number; tokens: { id: number; text: string; bytes: number[] }[] }
  /**
   * One entry per token of the text. `prob`: the model's probability of this token given the ones before
   * (raw softmax); `rank`: 1 = the model's top guess; the first token is not predicted (prob 1, rank 0).
   * `offset`: UTF-16 offset in the scored text where the token's text starts.
   */
  | { type: 'scored'; id: number; positions: ScoredPosition[] }
  | { type: 'detailed'; id: number; steps: TokenStep[] }
  | { type: 'anatomy'; id: number; anatomy: Anatomy }
  | { type: 'xrayed'; id: number; report: XrayReport }
  | { type: 'progress'; id: number; done: number; total: number }
  | { type: 'memory'; id: number; rss: number; peakRss: number; kvCacheBytes: number; cachedTokens: number }
  | { type: 'error'; id: number; code: ErrorCode; message: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

export interface ScoredPosition {
  id: number;
  text: string;
  offset: number;
  prob: number;
  rank: number;
  entropy: number;
  alternatives: Alternative[];
}

export type ErrorCode =
  | 'model-folder'
  | 'unknown-architecture'
  | 'onnx-signature'
  | 'not-loaded'
  | 'cancelled'
  | 'worker-crashed'
  | 'bad-request'
  /** A remote server could not be reached, refused the request, or sent what cannot be read. */
  | 'remote'
  /** The engine cannot do this (e.g. a remote server cannot score a prompt's tokens). */
  | 'unsupported'
  | 'internal';
