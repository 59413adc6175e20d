// One streamed request to a remote server: POST the JSON body, retry with backoff while nothing has arrived
// (a refused connection, 429, 5xx), then yield each decoded payload. Cancelled by aborting; a server that goes
// silent for timeoutMs fails it. Every failure is a RuntimeError('remote') that says what happened and where.
import { RuntimeError } from '../errors';
import { StreamDecoder } from './stream-decoder';
import type { RemoteSpec, WireRequest } from './types';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 2;
const MAX_BACKOFF_MS = 4_000;

export function endpoint(spec: RemoteSpec, path: string): string {
  return spec.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '') + path;
}

function authHeaders(spec: RemoteSpec): Record<string, string> {
  return spec.apiKey ? { authorization: `Bearer ${spec.apiKey}` } : {};
}

function headers(spec: RemoteSpec): Record<string, string> {
  return { 'content-type': 'application/json', accept: 'text/event-stream, application/x-ndjson', ...authHeaders(spec) };
}

/** The server's own error text, when its body has one (OpenAI's {error: {message}}, llama-server's, Ollama's {error}). */
async function serverMessage(res: Response): Promise<string> {
  const text = (await res.text().catch(() => '')).slice(0, 500);
  try {
    const j = JSON.parse(text) as { error?: string | { message?: string }; message?: string; detail?: string };
    const e = j.error;
    return (typeof e === 'string' ? e : e?.message) ?? j.message ?? j.detail ?? text;
  } catch {
    return text;
  }
}

/** A status as a sentence a user can act on. */
function statusError(spec: RemoteSpec, path: string, status: number, message: string): RuntimeError {
  const where = endpoint(spec, path);
  const why =
    status === 401 || status === 403
      ? `the server refused the API key (${status}); set it with "Tokenscope: Set Remote API Key"`
      : status === 404
        ? `not found (404): check the base URL, the server flavour (${spec.flavour}) and the model name "${spec.model}"`
        : status === 429
          ? 'the server is rate limiting (429)'
          : `the server answered ${status}`;
  return new RuntimeError('remote', `${where}: ${why}${message ? `: ${message}` : ''}`);
}

const retryable = (status: number) => status === 429 || status >= 500;

function connectError(spec: RemoteSpec, path: string, e: unknown): RuntimeError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  const what =
    code === 'ECONNREFUSED'
      ? 'connection refused (is the server running?)'
      : code === 'ENOTFOUND'
        ? 'host not found'
        : (cause?.message ?? (e as Error).message);
  return new RuntimeError('remote', `cannot reach ${endpoint(spec, path)}: ${what}`);
}

/** One GET of a JSON document (the load's probes), failing with the same messages as a streamed request. */
export async function getJson(spec: RemoteSpec, path: string, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(endpoint(spec, path), { headers: authHeaders(spec), signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw connectError(spec, path, e);
  }
  if (!res.ok) throw statusError(spec, path, res.status, await serverMessage(res));
  return res.json().catch(() => ({}));
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** Posts the request, retrying what may pass (refused, 429, 5xx) with exponential backoff. */
async function open(spec: RemoteSpec, req: WireRequest, signal: AbortSignal): Promise<Response> {
  const retries = spec.retries ?? DEFAULT_RETRIES;
  for (let attempt = 0; ; attempt++) {
    let failure: RuntimeError;
    let wait = Math.min(MAX_BACKOFF_MS, 250 * 2 ** attempt);
    try {
      const res = await fetch(endpoint(spec, req.path), { method: 'POST', headers: headers(spec), body: JSON.stringify(req.body), signal });
      if (res.ok && res.body) return res;
      failure = statusError(spec, req.path, res.status, await serverMessage(res));
      if (!retryable(res.status)) throw failure;
      const after = Number(res.headers.get('retry-after'));
      if (after > 0) wait = Math.min(MAX_BACKOFF_MS, after * 1000);
    } catch (e) {
      if (signal.aborted) throw new RuntimeError('cancelled', 'cancelled');
      if (e instanceof RuntimeError) throw e;
      failure = connectError(spec, req.path, e);
    }
    if (attempt >= retries) throw new RuntimeError('remote', `${failure.message} (after ${attempt + 1} tries)`);
    await sleep(wait, signal);
    if (signal.aborted) throw new RuntimeError('cancelled', 'cancelled');
  }
}

/** Streams the decoded payloads of one request. `signal` aborts it (a cancel); silence past the timeout fails it. */
export async function* streamPayloads(
  spec: RemoteSpec,
  req: WireRequest,
  framing: 'sse' | 'ndjson',
  signal: AbortSignal,
): AsyncGenerator<unknown> {
  const silence = new AbortController();
  const both = AbortSignal.any([signal, silence.signal]);
  const timeoutMs = spec.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timer = setTimeout(() => silence.abort(), timeoutMs);
  const quiet = () => new RuntimeError('remote', `${endpoint(spec, req.path)}: no data from the server for ${timeoutMs / 1000} s`);
  try {
    const res = await open(spec, req, both).catch((e) => {
      throw silence.signal.aborted ? quiet() : e;
    });
    // A server that ignored `stream` answers one JSON object: say so rather than read it as an empty stream.
    if (/^application\/json\b/i.test(res.headers.get('content-type') ?? ''))
      throw new RuntimeError(
        'remote',
        `${endpoint(spec, req.path)}: the server answered with one JSON object, not a stream; is the flavour (${spec.flavour}) right?`,
      );
    const decoder = new StreamDecoder(framing);
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read().catch((e) => {
        if (signal.aborted) throw new RuntimeError('cancelled', 'cancelled');
        throw silence.signal.aborted
          ? quiet()
          : new RuntimeError('remote', `${endpoint(spec, req.path)}: the stream broke: ${(e as Error).message}`);
      });
      clearTimeout(timer);
      timer = setTimeout(() => silence.abort(), timeoutMs);
      if (done) break;
      yield* decoder.push(value);
    }
    yield* decoder.end();
  } finally {
    clearTimeout(timer);
  }
}
