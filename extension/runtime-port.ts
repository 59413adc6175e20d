// What the views and the completion engine use of the model runtime (model-runtime/runtime.ts): a slice of
// its type, so tests can pass a fake with just these members.
import type { SamplingSettings } from '../model-runtime/protocol';
import type { ModelRuntime } from '../model-runtime/runtime';

export type RuntimePort = Pick<ModelRuntime, 'generate' | 'resample' | 'detail' | 'tokenize' | 'score' | 'xray' | 'model'>;

/** What each view's register function needs from the extension. */
export interface ViewDeps {
  runtime: RuntimePort;
  /** The current sampling settings (user configuration), maxTokens and stop included. */
  sampling(): SamplingSettings;
}
