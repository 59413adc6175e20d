// Host <-> webview messages for every Tokenscope view. One union type per direction per view.
// Plain data only: it crosses postMessage. Token text inside is untrusted and is rendered with
// textContent only.
import type { Anatomy } from '../model-runtime/anatomy';
import type { Alternative, SamplingSettings, TokenStep, XrayReport } from '../model-runtime/protocol';

export type { Alternative, SamplingSettings, TokenStep };

/**
 * A token as the inspector shows it. The worker numbers the steps of each generation (`TokenStep.index`);
 * the inspector shows a branch's tokens after its parent's tokens up to the branch point, so each token
 * here carries its `position` on that path instead.
 */
export type PathStep = Omit<TokenStep, 'index'> & { position: number };

/** One generation as the inspector knows it: a root or a branch of another generation. */
export interface GenerationMeta {
  generationId: number;
  prompt: string;
  sampling: SamplingSettings;
  /** The generation this one branched from, and the path position of the branch point. */
  parent?: { generationId: number; position: number };
  /** Why this generation exists, for the branch tree label. */
  origin: 'prompt' | 'branch' | 'resample' | 'completion' | 'chat';
  /** The forced token of a branch, for the label. */
  forcedText?: string;
}

// ---------------------------------------------------------------- inspector

export type InspectorHostToView =
  | { type: 'init'; sampling: SamplingSettings; defaults: SamplingSettings; modelName: string; topN: number }
  /** Show (or add) a generation that already exists, e.g. from an inline completion or a chat reply. */
  | { type: 'generation'; meta: GenerationMeta; steps: PathStep[]; done: boolean; select?: boolean }
  | { type: 'generation-start'; meta: GenerationMeta }
  | { type: 'token'; generationId: number; step: PathStep }
  | { type: 'generation-done'; generationId: number; stopReason: string }
  /** Exact re-render of one token from the worker's kept logits (no model run). */
  | { type: 'resampled'; requestId: number; generationId: number; step: PathStep }
  /** The worker could not re-render it (e.g. it no longer keeps that generation): the view's estimate stays. */
  | { type: 'resample-failed'; requestId: number; generationId: number; reason: string }
  /**
   * How many model runs (`generate`: prompts, branches, resamples) and kept-logit redraws (`resample`: control
   * changes, no model run) the host has sent: lets users and tests see that a control change ran no model.
   */
  | { type: 'counters'; generate: number; resample: number }
  /** The host let these generations go (the oldest, past the inspector's limit). */
  | { type: 'forget'; generationIds: number[] }
  | { type: 'prompt'; text: string }
  | { type: 'error'; message: string };

/** `position`: where the token stands on the path of `generationId` (see PathStep). */
export type InspectorViewToHost =
  | { type: 'ready' }
  | { type: 'generate'; prompt: string; sampling: SamplingSettings }
  | { type: 'resample-step'; requestId: number; generationId: number; position: number; sampling: SamplingSettings }
  /** "Resample": keep the tokens before `position`, draw again there with new settings, and continue. */
  | { type: 'regenerate-from'; generationId: number; position: number; sampling: SamplingSettings }
  /** Force `forcedToken` at `position` and continue from there. */
  | { type: 'branch'; generationId: number; position: number; forcedToken: number; forcedText: string; sampling: SamplingSettings }
  | { type: 'stop' }
  | { type: 'save-settings'; sampling: SamplingSettings }
  /** Open the X-ray of this step's token (the context before it, as the model saw it). */
  | { type: 'xray-step'; generationId: number; position: number };

// ---------------------------------------------------------------- chat

export interface ChatMessage {
  role: 'user' | 'assistant' | 'system';
  content: string;
  /** The generation behind an assistant reply, so it can open in the inspector. */
  generationId?: number;
}

export type ChatHostToView =
  | { type: 'history'; messages: ChatMessage[]; busy: boolean; templateName: string }
  | { type: 'reply-start' }
  | { type: 'reply-delta'; text: string }
  | { type: 'reply-done'; message: ChatMessage; stopReason: string }
  | { type: 'error'; message: string };

export type ChatViewToHost =
  | { type: 'ready' }
  | { type: 'send'; text: string }
  | { type: 'stop' }
  | { type: 'regenerate' }
  | { type: 'clear' }
  | { type: 'copy'; text: string }
  | { type: 'insert'; text: string }
  | { type: 'inspect'; index: number };

// ---------------------------------------------------------------- anatomy

export type AnatomyHostToView = { type: 'anatomy'; anatomy: Anatomy } | { type: 'error'; message: string };
export type AnatomyViewToHost = { type: 'ready' } | { type: 'refresh' };

// ---------------------------------------------------------------- X-ray

export type XrayHostToView =
  | { type: 'xray'; report: XrayReport; source: string }
  | { type: 'busy'; source: string }
  | { type: 'error'; message: string };
export type XrayViewToHost = { type: 'ready' };

// ---------------------------------------------------------------- tokenizer

export interface TokenPiece {
  id: number;
  text: string;
  bytes: number[];
}

export type TokenizerHostToView =
  | { type: 'tokens'; source: string; text: string; tokens: TokenPiece[] }
  | { type: 'empty'; reason: string }
  | { type: 'error'; message: string };

export type TokenizerViewToHost = { type: 'ready' } | { type: 'tokenize'; text: string };
