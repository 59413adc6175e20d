// Reads a request body's generation fields (OpenAI's names, with llama-server's and vLLM's spellings where
// they differ) into the runtime's sampling settings. Every value is checked against the sampling table
// (sampling/settings.ts); a bad one is a 400 naming the field, never a crash or a silent clamp.
import { SAMPLING, SAMPLING_DEFAULTS, type SamplingSettings, type SettingKey, settingProblem } from '../sampling/settings';
import { HttpError } from './http-error';

export type Body = Record<string, unknown>;

/** Alternatives per token we return at most (vLLM's and OpenAI's cap is 20). */
export const MAX_TOP_N = 20;
const MAX_STOPS = 8;

export interface GenerationParams {
  sampling: SamplingSettings;
  /** Alternatives per token (0: no logprobs asked). */
  topN: number;
  /** Whether per-token logprobs are returned at all. */
  logprobs: boolean;
  stream: boolean;
}

/** The first of `names` present in the body (servers spell some fields differently). */
function field(body: Body, ...names: string[]): unknown {
  for (const n of names) if (body[n] !== undefined && body[n] !== null) return body[n];
  return undefined;
}

/** A number field checked against the sampling table's range for `key`; `name` is how the body spells it. */
function checked(v: unknown, key: SettingKey, name: string): number {
  if (typeof v !== 'number') throw new HttpError(400, `${name} must be a number, got ${JSON.stringify(v)}`);
  const problem = settingProblem(key, v);
  if (problem) throw new HttpError(400, `${name}: ${problem.replace(/^\S+ /, '')}`);
  return v;
}

function num(body: Body, key: SettingKey, names: string[], fallback: number): number {
  const v = field(body, ...names);
  return v === undefined ? fallback : checked(v, key, names.find((n) => body[n] !== undefined) ?? names[0]);
}

function stops(body: Body): string[] {
  const v = field(body, 'stop');
  if (v === undefined) return [];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string'))
    throw new HttpError(400, 'stop must be a string or an array of strings');
  if (list.length > MAX_STOPS) throw new HttpError(400, `stop takes at most ${MAX_STOPS} strings`);
  return (list as string[]).filter((s) => s.length > 0);
}

/** max_tokens / n_predict; llama-server's -1 ("until done") becomes the table's maximum. */
function maxTokens(body: Body): number {
  const v = field(body, 'max_tokens', 'max_completion_tokens', 'n_predict');
  if (v === undefined) return SAMPLING_DEFAULTS.maxTokens;
  if (typeof v !== 'number' || !Number.isInteger(v) || (v < 1 && v !== -1))
    throw new HttpError(400, `max_tokens must be a whole number >= 1, got ${JSON.stringify(v)}`);
  // An upper bound, as in OpenAI's API: more than the runtime generates at once is clamped (finish_reason says 'length').
  return v === -1 ? SAMPLING.maxTokens.max : Math.min(v, SAMPLING.maxTokens.max);
}

function seed(body: Body): number | undefined {
  const v = field(body, 'seed');
  if (v === undefined || v === -1) return undefined;
  return checked(v, 'seed', 'seed');
}

/** The sampling settings a body asks for; a field it leaves out takes OpenAI's default (temperature 1, no cutters). */
export function samplingOf(body: Body): SamplingSettings {
  return {
    temperature: num(body, 'temperature', ['temperature'], 1),
    topK: num(body, 'topK', ['top_k'], 0),
    topP: num(body, 'topP', ['top_p'], 1),
    minP: num(body, 'minP', ['min_p'], 0),
    repetitionPenalty: num(body, 'repetitionPenalty', ['repetition_penalty', 'repeat_penalty'], 1),
    presencePenalty: num(body, 'presencePenalty', ['presence_penalty'], 0),
    frequencyPenalty: num(body, 'frequencyPenalty', ['frequency_penalty'], 0),
    seed: seed(body),
    maxTokens: maxTokens(body),
    stop: stops(body),
  };
}

function topNOf(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new HttpError(400, `${name} must be a whole number >= 0`);
  if (v > MAX_TOP_N) throw new HttpError(400, `${name} ${v} is above the maximum of ${MAX_TOP_N}`);
  return v;
}

/**
 * Logprobs as each route spells them: /v1/completions `logprobs: N`; /v1/chat/completions `logprobs: true` with
 * `top_logprobs: N`; llama-server's `n_probs: N`.
 */
export function logprobsOf(body: Body, route: 'completions' | 'chat' | 'llama'): { logprobs: boolean; topN: number } {
  if (route === 'llama') {
    const n = body.n_probs === undefined || body.n_probs === null ? 0 : topNOf(body.n_probs, 'n_probs');
    return { logprobs: n > 0, topN: n };
  }
  if (route === 'completions') {
    if (body.logprobs === undefined || body.logprobs === null) return { logprobs: false, topN: 0 };
    return { logprobs: true, topN: topNOf(body.logprobs, 'logprobs') };
  }
  if (body.logprobs !== undefined && body.logprobs !== null && typeof body.logprobs !== 'boolean')
    throw new HttpError(400, 'logprobs must be true or false');
  const topN = body.top_logprobs === undefined || body.top_logprobs === null ? 0 : topNOf(body.top_logprobs, 'top_logprobs');
  return { logprobs: body.logprobs === true, topN: body.logprobs === true ? topN : 0 };
}

export function generationParams(body: Body, route: 'completions' | 'chat' | 'llama'): GenerationParams {
  // Clients (LangChain, LiteLLM) send null for what they leave unset.
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw new HttpError(400, 'n: only one choice per request is supported');
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean')
    throw new HttpError(400, 'stream must be true or false');
  return { sampling: samplingOf(body), ...logprobsOf(body, route), stream: body.stream === true };
}

/** A required string field. */
export function text(body: Body, name: string, fallback?: string): string {
  const v = body[name] ?? fallback;
  if (typeof v !== 'string') throw new HttpError(400, `${name} must be a string`);
  return v;
}
