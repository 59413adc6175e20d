// What the views need from the model runtime, as one small interface. extension/extension.ts adapts
// the real worker client (model-runtime/client.ts) to it; tests can pass a fake.
import type { GenerateParams, GenerateResult as ClientGenerateResult } from '../model-runtime/client';
import type { ModelInfo, SamplingSettings, ScoredPosition, TokenStep } from '../model-runtime/protocol';

// The worker client's own request and result shapes (the ids of a result are not needed by the views).
export type GenerateOptions = GenerateParams;
export type GenerateResult = Omit<ClientGenerateResult, 'ids'>;

export interface RuntimePort {
  generate(opts: GenerateOptions): Promise<GenerateResult>;
  /** Re-applies settings to one kept step's logits (no model run). */
  resample(generationId: number, step: number, sampling: SamplingSettings, topN: number): Promise<TokenStep>;
  tokenize(text: string): Promise<{ id: number; text: string; bytes: number[] }[]>;
  score(text: string, topN: number, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<ScoredPosition[]>;
  /** The loaded model, if any (name, folder, context length). */
  model(): ModelInfo | undefined;
}

/** What each view's register function needs from the extension. */
export interface ViewDeps {
  runtime: RuntimePort;
  /** The current sampling settings (user configuration), maxTokens and stop included. */
  sampling(): SamplingSettings;
}
