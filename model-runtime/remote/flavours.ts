// What each server flavour is asked (paths, field names, caps) and how its streamed payloads map onto the
// neutral StreamEvent. Shapes checked against: llama.cpp tools/server (README, server-task.cpp), vLLM's OpenAI
// server (completion/serving.py, chat protocol), Ollama api/types.go and server/routes.go (0.12.11+ logprobs).

import { tokenText } from '../text-stream';
import { quotePayload, RemoteProtocolError } from './errors';
import type {
  ChatAsk,
  CompletionAsk,
  FinishReason,
  ProbabilityKind,
  RemoteCandidate,
  RemoteFlavour,
  RemoteSpec,
  RemoteToken,
  StreamEvent,
  StreamFraming,
  WireRequest,
} from './types';

type Json = Record<string, unknown>;

/** Ollama's native /api routes stream one JSON object per line; the OpenAI-shaped and llama-server routes use SSE. */
export function framing(flavour: RemoteFlavour): StreamFraming {
  return flavour === 'ollama' ? 'ndjson' : 'sse';
}

/**
 * Whether the server takes a prefix/suffix pair itself: llama-server's /infill (input_prefix, input_suffix) and
 * Ollama's /api/generate `suffix` (applied by the model's template). vLLM refuses `suffix` and plain OpenAI servers
 * vary, so for them the engine builds the FIM text with the model family's tokens.
 */
export function nativeFim(flavour: RemoteFlavour): boolean {
  return flavour === 'llama-server' || flavour === 'ollama';
}

/**
 * What the requests built here ask for: always the raw distribution. llama-server gets n_probs without
 * post_sampling_probs; vLLM reports raw logprobs unless started with --logprobs-mode processed_*; Ollama asks its
 * llama-server runner the same way.
 */
export function probabilityKind(_flavour: RemoteFlavour): ProbabilityKind {
  return 'raw';
}

// --- Requests ---

/** Alternatives a server returns at most: OpenAI's legacy completions 5, its chat 20; vLLM --max-logprobs (20 by default); Ollama 20. */
function topCap(flavour: RemoteFlavour, route: 'completion' | 'chat'): number {
  if (flavour === 'llama-server') return Number.POSITIVE_INFINITY;
  return flavour === 'openai' && route === 'completion' ? 5 : 20;
}

/** llama-server sends no probabilities at all for n_probs 0, so at least 1 keeps the chosen token's own. */
const llamaProbs = (topN: number) => Math.max(1, topN);

/** A streamed completion of `ask.prompt`; a prefix/suffix prompt only where nativeFim(flavour). */
export function completionRequest(spec: RemoteSpec, ask: CompletionAsk): WireRequest {
  if ('prefix' in ask.prompt && !nativeFim(spec.flavour)) {
    throw new Error(`A ${spec.flavour} server takes no prefix/suffix prompt: build the FIM text with the model's tokens and send {text}.`);
  }
  if (spec.flavour === 'llama-server') return llamaCompletion(spec, ask);
  if (spec.flavour === 'ollama') return ollamaGenerate(spec, ask);
  return openAiCompletion(spec, ask);
}

/** A streamed chat turn with per-token logprobs of the reply. */
export function chatRequest(spec: RemoteSpec, ask: ChatAsk): WireRequest {
  if (spec.flavour === 'ollama') {
    // Ollama /api/chat: logprobs, top_logprobs (0-20), options (api/types.go ChatRequest).
    const body = { model: spec.model, messages: ask.messages, stream: true, ...ollamaProbs(ask), options: ollamaOptions(ask) };
    return { path: '/api/chat', body };
  }
  // /v1/chat/completions (OpenAI, vLLM, llama-server): logprobs: true plus top_logprobs.
  const top = spec.flavour === 'llama-server' ? llamaProbs(ask.topN) : Math.min(ask.topN, topCap(spec.flavour, 'chat'));
  const body = {
    model: spec.model,
    messages: ask.messages,
    max_tokens: ask.maxTokens,
    logprobs: true,
    top_logprobs: top,
    ...openAiSampling(spec.flavour, ask),
    stream: true,
  };
  return { path: '/v1/chat/completions', body };
}

/** llama-server /completion (text) or /infill (input_prefix, input_suffix): n_probs from the raw logits. */
function llamaCompletion(spec: RemoteSpec, ask: CompletionAsk): WireRequest {
  const p = ask.prompt;
  const prompt =
    'text' in p ? { prompt: p.text } : { input_prefix: p.prefix, input_suffix: p.suffix, ...(p.extra && { input_extra: p.extra }) };
  const body = {
    // Ignored by a single-model server; a router-mode llama-server picks the model by it.
    ...(spec.model !== '' && { model: spec.model }),
    ...prompt,
    n_predict: ask.maxTokens,
    n_probs: llamaProbs(ask.topN),
    ...llamaSampling(ask),
    stream: true,
    cache_prompt: true,
  };
  return { path: 'text' in p ? '/completion' : '/infill', body };
}

/** OpenAI-style /v1/completions (vLLM, any OpenAI-compatible server): legacy `logprobs: N`. */
function openAiCompletion(spec: RemoteSpec, ask: CompletionAsk): WireRequest {
  const body = {
    model: spec.model,
    prompt: (ask.prompt as { text: string }).text,
    max_tokens: ask.maxTokens,
    logprobs: Math.min(ask.topN, topCap(spec.flavour, 'completion')),
    ...openAiSampling(spec.flavour, ask),
    stream: true,
  };
  return { path: '/v1/completions', body };
}

/** The OpenAI sampling fields, plus the extras vLLM and llama-server read from the same body. */
function openAiSampling(flavour: RemoteFlavour, ask: CompletionAsk | ChatAsk): Json {
  const base = {
    temperature: ask.temperature,
    top_p: ask.topP,
    presence_penalty: ask.presencePenalty,
    frequency_penalty: ask.frequencyPenalty,
  };
  // OpenAI accepts at most 4 stop sequences.
  const rest = seedAndStop(ask, flavour === 'openai' ? 4 : Number.POSITIVE_INFINITY);
  // vLLM's extra sampling params. Top-k off is left out: older vLLM wants -1 for it, current vLLM prefers 0.
  if (flavour === 'vllm') {
    const topK = ask.topK > 0 ? { top_k: ask.topK } : {};
    return { ...base, ...topK, min_p: ask.minP, repetition_penalty: ask.repetitionPenalty, ...rest };
  }
  // llama-server's /v1 routes read its native sampling fields too.
  if (flavour === 'llama-server') return { ...base, top_k: ask.topK, min_p: ask.minP, repeat_penalty: ask.repetitionPenalty, ...rest };
  return { ...base, ...rest };
}

/**
 * Ollama /api/generate. A plain prompt goes raw (no template). A prefix/suffix pair cannot: Ollama applies `suffix`
 * only through the model's template, which raw mode skips (server/routes.go), so FIM needs a model whose template
 * handles suffix. An empty prompt only loads the model (done_reason "load").
 */
function ollamaGenerate(spec: RemoteSpec, ask: CompletionAsk): WireRequest {
  const p = ask.prompt;
  const prompt = 'text' in p ? { prompt: p.text, raw: true } : { prompt: p.prefix, suffix: p.suffix };
  const body = { model: spec.model, ...prompt, stream: true, ...ollamaProbs(ask), options: ollamaOptions(ask) };
  return { path: '/api/generate', body };
}

const ollamaProbs = (ask: CompletionAsk | ChatAsk) => ({ logprobs: true, top_logprobs: Math.min(ask.topN, topCap('ollama', 'chat')) });

/** Ollama's runner options (api/types.go Options): llama.cpp's names, as llama-server's native routes take them. */
function ollamaOptions(ask: CompletionAsk | ChatAsk): Json {
  return { num_predict: ask.maxTokens, ...llamaSampling(ask) };
}

/** The sampling fields under llama.cpp's names (llama-server's /completion and /infill, Ollama's options). */
function llamaSampling(ask: CompletionAsk | ChatAsk): Json {
  return {
    temperature: ask.temperature,
    top_k: ask.topK,
    top_p: ask.topP,
    min_p: ask.minP,
    repeat_penalty: ask.repetitionPenalty,
    presence_penalty: ask.presencePenalty,
    frequency_penalty: ask.frequencyPenalty,
    ...seedAndStop(ask),
  };
}

/** seed only when set; stop only when non-empty, so a server's (or an Ollama model's) default stops stay. */
function seedAndStop(ask: CompletionAsk | ChatAsk, maxStops = Number.POSITIVE_INFINITY): Json {
  const out: Json = {};
  if (ask.seed !== undefined) out.seed = ask.seed;
  if (ask.stop.length > 0) out.stop = ask.stop.slice(0, maxStops);
  return out;
}

// --- Stream payloads ---

/** One decoded payload of a completion or chat stream from `flavour`, as tokens, text and maybe the finish. */
export function parseEvent(flavour: RemoteFlavour, payload: unknown): StreamEvent {
  if (!isObject(payload)) throw shapeError(flavour, 'a JSON object', payload);
  throwIfError(flavour, payload);
  if (flavour === 'ollama') return ollamaEvent(payload);
  if (flavour === 'llama-server' && !('choices' in payload)) return llamaEvent(payload);
  return openAiEvent(flavour, payload);
}

/** OpenAI, vLLM and llama-server send {"error": {message, type, code}}; Ollama {"error": "text"}; older vLLM {"object": "error", message}. */
function throwIfError(flavour: RemoteFlavour, p: Json): void {
  const error = p.error ?? (p.object === 'error' ? p : undefined);
  if (error === undefined || error === null) return;
  let text = quotePayload(error);
  if (typeof error === 'string') text = error;
  else if (isObject(error) && typeof error.message === 'string') {
    const code = error.code ?? error.type;
    text = code === undefined || code === null ? error.message : `${error.message} (${String(code)})`;
  }
  throw new RemoteProtocolError(`The ${flavour} server reported an error: ${text.slice(0, 500)}`);
}

/** llama-server /completion and /infill: {content, stop, stop_type, completion_probabilities: [{id, token, bytes, logprob, top_logprobs}]}. */
function llamaEvent(p: Json): StreamEvent {
  if (typeof p.content !== 'string') throw shapeError('llama-server', '`content` (a /completion stream) or `choices` (a /v1 stream)', p);
  // The README's example names the array `probs`; builds before 2024-12 used `probs` entries too.
  // Builds before 2024-12 repeat every token's probabilities in the final stop chunk: they were already counted.
  const entries = p.stop === true ? [] : list('llama-server', p.completion_probabilities ?? p.probs, 'completion_probabilities');
  const tokens = entries.map((e) => entryToken('llama-server', e));
  return withFinish({ tokens, text: p.content }, p.stop === true ? llamaFinish(p) : undefined);
}

/** stop_type: eos (end-of-generation token), word (a stop string), limit (n_predict or context); before 2024-12, stopped_* flags. */
function llamaFinish(p: Json): FinishReason {
  if (p.stop_type === 'eos' || p.stopped_eos === true) return 'eos';
  if (p.stop_type === 'word' || p.stopped_word === true) return 'stop';
  return p.stop_type === 'limit' || p.stopped_limit === true ? 'length' : 'other';
}

/** OpenAI-shaped chunks: chat (choices[0].delta) or legacy completions (choices[0].text); usage-only chunks have no choices. */
function openAiEvent(flavour: RemoteFlavour, p: Json): StreamEvent {
  if (!Array.isArray(p.choices)) throw shapeError(flavour, 'an object with `choices`', p);
  if (p.choices.length === 0) return { tokens: [], text: '' };
  const choice: unknown = p.choices[0];
  if (!isObject(choice)) throw shapeError(flavour, '`choices[0]` as an object', p);
  const finish = openAiFinish(flavour, choice);
  if (isObject(choice.delta)) return withFinish(chatChoice(flavour, choice, choice.delta), finish);
  if (typeof choice.text === 'string') return withFinish(completionChoice(flavour, choice, choice.text), finish);
  throw shapeError(flavour, '`choices[0].delta` (chat) or `choices[0].text` (completion)', p);
}

/** finish_reason stop/length; vLLM's stop_reason tells the end token (null, or a stop token id) from a stop string. */
function openAiFinish(flavour: RemoteFlavour, choice: Json): FinishReason | undefined {
  const reason = choice.finish_reason;
  if (reason === null || reason === undefined) return undefined;
  if (reason === 'length') return 'length';
  if (reason !== 'stop') return 'other';
  if (flavour === 'vllm' && 'stop_reason' in choice && typeof choice.stop_reason !== 'string') return 'eos';
  return 'stop';
}

/** Chat chunk: delta.content (null in a role-only first chunk) and logprobs.content [{token, logprob, bytes, top_logprobs}]. */
function chatChoice(flavour: RemoteFlavour, choice: Json, delta: Json): StreamEvent {
  const content = delta.content ?? '';
  if (typeof content !== 'string') throw shapeError(flavour, '`delta.content` as a string', delta);
  const logprobs = choice.logprobs ?? {};
  if (!isObject(logprobs)) throw shapeError(flavour, '`logprobs` as an object', logprobs);
  const tokens = list(flavour, logprobs.content, 'logprobs.content').map((e) => entryToken(flavour, e));
  return { tokens, text: content };
}

/** Legacy completion chunk: logprobs {tokens, token_logprobs, top_logprobs: [{token: logprob}], text_offset}. */
function completionChoice(flavour: RemoteFlavour, choice: Json, text: string): StreamEvent {
  const logprobs = choice.logprobs;
  if (logprobs === null || logprobs === undefined) return { tokens: [], text };
  if (!isObject(logprobs)) throw shapeError(flavour, '`logprobs` as an object', logprobs);
  // llama-server's /v1/completions writes chat-style entries under logprobs.content.
  if (Array.isArray(logprobs.content)) return { tokens: logprobs.content.map((e) => entryToken(flavour, e)), text };
  return { tokens: legacyTokens(flavour, logprobs), text };
}

function legacyTokens(flavour: RemoteFlavour, logprobs: Json): RemoteToken[] {
  const { tokens, token_logprobs: chosen, top_logprobs: tops } = logprobs;
  if (!Array.isArray(tokens) || !Array.isArray(chosen) || tokens.length !== chosen.length) {
    throw shapeError(flavour, '`logprobs.tokens` and `logprobs.token_logprobs` of equal length', logprobs);
  }
  return tokens.map((token, i) => {
    const logprob = chosen[i] ?? Number.NaN; // null: the server did not compute it
    if (typeof token !== 'string' || typeof logprob !== 'number')
      throw shapeError(flavour, 'a string token and a numeric logprob', logprobs);
    const top = Object.entries(dict(flavour, Array.isArray(tops) ? tops[i] : undefined)).map(([text, lp]) => {
      if (typeof lp !== 'number') throw shapeError(flavour, '`top_logprobs` entries {token: logprob}', tops);
      return candidate(text, lp);
    });
    return { ...candidate(token, logprob), top: byLikelihood(top) };
  });
}

/** Ollama /api/generate {response, done, done_reason, logprobs} and /api/chat {message: {content}, ...} (api/types.go). */
function ollamaEvent(p: Json): StreamEvent {
  const text = typeof p.response === 'string' ? p.response : isObject(p.message) ? p.message.content : undefined;
  if (typeof text !== 'string' || typeof p.done !== 'boolean') {
    throw shapeError('ollama', '`response` (generate) or `message.content` (chat) with `done`', p);
  }
  const tokens = list('ollama', p.logprobs, 'logprobs').map((e) => entryToken('ollama', e));
  return withFinish({ tokens, text }, p.done ? ollamaFinish(p.done_reason) : undefined);
}

/** Ollama done_reason: stop (end token or a stop string: it does not say which), length; load/unload carry no generation. */
function ollamaFinish(reason: unknown): FinishReason {
  if (reason === 'stop') return 'stop';
  return reason === 'length' ? 'length' : 'other';
}

// --- Token entries ---

/**
 * One chosen token in the object form every flavour but legacy completions uses: {id?, token, bytes?, logprob,
 * top_logprobs}; llama-server's post-sampling form {prob, top_probs}; its pre-2024-12 form {content, probs: [{tok_str, prob}]}.
 */
function entryToken(flavour: RemoteFlavour, entry: unknown): RemoteToken {
  if (!isObject(entry)) throw shapeError(flavour, 'a token entry {token, logprob}', entry);
  const alternatives = list(flavour, entry.top_logprobs ?? entry.top_probs ?? entry.probs, 'top_logprobs');
  const top = byLikelihood(alternatives.map((a) => entryCandidate(flavour, a, false)));
  // Only the old form may leave the chosen token's probability out (it sits among the `probs`).
  const chosen = entryCandidate(flavour, entry, Array.isArray(entry.probs));
  if (Number.isNaN(chosen.logprob)) chosen.logprob = top.find((t) => t.text === chosen.text)?.logprob ?? Number.NaN;
  return { ...chosen, top };
}

function entryCandidate(flavour: RemoteFlavour, entry: unknown, logprobOptional: boolean): RemoteCandidate {
  if (!isObject(entry)) throw shapeError(flavour, 'a token entry {token, logprob}', entry);
  const text = entry.token ?? entry.tok_str ?? entry.content;
  const logprob = typeof entry.logprob === 'number' ? entry.logprob : typeof entry.prob === 'number' ? Math.log(entry.prob) : undefined;
  if (typeof text !== 'string' || (logprob === undefined && !logprobOptional))
    throw shapeError(flavour, 'a token entry {token, logprob}', entry);
  const found = candidate(text, logprob ?? Number.NaN, bytesOf(flavour, entry));
  if (typeof entry.id === 'number') found.id = entry.id;
  return found;
}

function bytesOf(flavour: RemoteFlavour, entry: Json): number[] | undefined {
  const bytes = entry.bytes;
  if (bytes === undefined || bytes === null) return undefined;
  if (!Array.isArray(bytes) || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
    throw shapeError(flavour, '`bytes` as integers 0-255', entry);
  }
  return bytes as number[];
}

/** OpenAI's legacy completions name a token that is not whole UTF-8 as `bytes:\xe2\x80`. */
const BYTES_TOKEN = /^bytes:((?:\\x[0-9a-fA-F]{2})+)$/;

/** A candidate from the server's token text; a `bytes:` token becomes its bytes and the whole characters among them. */
function candidate(text: string, logprob: number, bytes?: number[]): RemoteCandidate {
  const escaped = BYTES_TOKEN.exec(text);
  if (escaped) {
    const raw = escaped[1]
      .split('\\x')
      .slice(1)
      .map((hex) => Number.parseInt(hex, 16));
    return { text: tokenText(Uint8Array.from(raw)).text, bytes: bytes ?? raw, logprob };
  }
  return bytes ? { text, bytes, logprob } : { text, logprob };
}

/** Most likely first (servers differ: vLLM's legacy dict puts the chosen token first, JSON objects reorder numeric keys). */
function byLikelihood(candidates: RemoteCandidate[]): RemoteCandidate[] {
  return candidates.sort((a, b) => b.logprob - a.logprob);
}

// --- Helpers ---

function withFinish(event: StreamEvent, finish: FinishReason | undefined): StreamEvent {
  return finish === undefined ? event : { ...event, finish };
}

/** An optional array field: absent or null is empty. */
function list(flavour: RemoteFlavour, value: unknown, name: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw shapeError(flavour, `\`${name}\` as an array`, value);
  return value;
}

/** An optional object field: absent or null is empty. */
function dict(flavour: RemoteFlavour, value: unknown): Json {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw shapeError(flavour, '`top_logprobs` entries as {token: logprob} objects', value);
  return value;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shapeError(flavour: RemoteFlavour, expected: string, got: unknown): RemoteProtocolError {
  return new RemoteProtocolError(`Unexpected ${flavour} stream payload: expected ${expected}, got ${quotePayload(got)}`);
}
