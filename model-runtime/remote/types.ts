// The remote engine's vocabulary: which server it talks to, what it asks, and what one streamed event holds,
// whatever the server's own field names (flavours.ts maps each server's shape onto these).

/** Servers whose request and response fields differ; 'openai' is any OpenAI-compatible /v1 server. */
export type RemoteFlavour = 'openai' | 'llama-server' | 'vllm' | 'ollama';

export const REMOTE_FLAVOURS: readonly RemoteFlavour[] = ['openai', 'llama-server', 'vllm', 'ollama'];

export interface RemoteSpec {
  flavour: RemoteFlavour;
  /** e.g. http://127.0.0.1:8080 (a trailing /v1 is accepted and dropped). */
  baseUrl: string;
  /** The server's model name (vLLM, Ollama, LM Studio need it; llama-server ignores it). */
  model: string;
  /** Sent as `Authorization: Bearer`; kept in VS Code's SecretStorage, never in settings. */
  apiKey?: string;
  /** No byte from the server for this long fails the request (default 30 s). */
  timeoutMs?: number;
  /** Retries of a refused connection, 429 or 5xx before any token arrived (default 2), with backoff. */
  retries?: number;
  /** The FIM family whose tokens build prompts (fim-families.ts), when the model name does not tell. */
  fimFamily?: string;
}

/** One token the server reports: the chosen one, or an alternative. */
export interface RemoteCandidate {
  text: string;
  /** The token's bytes, when the server gives them (a token may hold part of a UTF-8 character). */
  bytes?: number[];
  /** The server's token id, when it gives one (llama-server does; OpenAI-shaped logprobs do not). */
  id?: number;
  /** Natural log of the probability. */
  logprob: number;
}

export interface RemoteToken extends RemoteCandidate {
  /** The top alternatives the server returned, most likely first (the chosen token may or may not be among them). */
  top: RemoteCandidate[];
}

/**
 * What the probabilities mean: 'raw' is the softmax of the model's logits; 'post-sampling' is after the server's
 * own sampler chain (llama-server's post_sampling_probs).
 */
export type ProbabilityKind = 'raw' | 'post-sampling';

/** What a completion request asks, in the server-neutral form the engine builds. */
export interface CompletionAsk {
  /** Left-to-right text, or a fill-in-the-middle pair the server (or a family's FIM tokens) handles. */
  prompt: { text: string } | { prefix: string; suffix: string; extra?: { filename: string; text: string }[] };
  maxTokens: number;
  temperature: number;
  topP: number;
  topK: number;
  minP: number;
  repetitionPenalty: number;
  presencePenalty: number;
  frequencyPenalty: number;
  seed?: number;
  stop: string[];
  /** Alternatives wanted per token (servers cap it: vLLM and Ollama at 20). */
  topN: number;
}

export interface ChatAsk extends Omit<CompletionAsk, 'prompt'> {
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
}

/** An HTTP request to make: path under the base URL and the JSON body (always streamed). */
export interface WireRequest {
  path: string;
  body: Record<string, unknown>;
}

export type FinishReason = 'stop' | 'length' | 'eos' | 'other';

/** One parsed event of a stream: tokens with their probabilities, the text they add, and the end when it came. */
export interface StreamEvent {
  tokens: RemoteToken[];
  /** The text this event adds (the tokens' text joined, or the server's content when it sends no logprobs). */
  text: string;
  finish?: FinishReason;
}

/** How a response body carries its payloads: server-sent events, or one JSON object per line (Ollama's /api). */
export type StreamFraming = 'sse' | 'ndjson';
