// Tokenscope's model behind an OpenAI-compatible HTTP API (and llama-server's /completion and /infill), so
// other tools can use the local model and its probabilities. Bound to 127.0.0.1 unless told otherwise; an
// optional API key; a cap on body size and on generations at once. Bad JSON or bad parameters are a 400 with a
// message, a busy server a 429; nothing a client sends crashes it. A client that disconnects cancels its request.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RuntimeError } from '../model-runtime/errors';
import type { ServerRuntime } from './generation';
import { HttpError } from './http-error';
import type { Body } from './params';
import { Reply } from './reply';
import { chat } from './routes/chat';
import { completions } from './routes/completions';
import { llamaCompletion } from './routes/llama';

export interface ServerOptions {
  runtime: ServerRuntime;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** When set, requests need `Authorization: Bearer <key>` (or `x-api-key`). */
  apiKey?: string;
  /** Request bodies above this are refused with 413 (default 1 MiB). */
  maxBodyBytes?: number;
  /** Generations running at once; more get 429 (default 4). */
  maxConcurrent?: number;
  log?: (message: string) => void;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

type Handler = (runtime: ServerRuntime, body: Body, reply: Reply, signal: AbortSignal) => Promise<void>;

const ROUTES: Record<string, Handler> = {
  '/v1/completions': completions,
  '/v1/chat/completions': chat,
  '/completion': (rt, b, r, s) => llamaCompletion(rt, b, r, s, 'completion'),
  '/infill': (rt, b, r, s) => llamaCompletion(rt, b, r, s, 'infill'),
};

/** Compares digests, so neither the key's content nor its length shows in the timing. */
function authorised(req: IncomingMessage, key: string | undefined): boolean {
  if (!key) return true;
  const given = req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? String(req.headers['x-api-key'] ?? '');
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(key));
}

const LOOPBACK_HOSTS = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

/**
 * A web page must not drive a local server: a JSON body needs a CORS preflight (which this server never
 * answers), and a server bound to loopback answers only requests addressed to loopback (DNS rebinding).
 */
function checkOrigin(req: IncomingMessage, host: string): void {
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  if (loopback && !LOOPBACK_HOSTS.test(req.headers.host ?? '')) throw new HttpError(403, `Host ${req.headers.host} is not this machine`);
  if (req.method === 'POST' && !/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
    throw new HttpError(415, 'Content-Type must be application/json');
}

async function readBody(req: IncomingMessage, limit: number): Promise<Body> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > limit) throw new HttpError(413, `request body is larger than ${limit} bytes`);
    chunks.push(c as Buffer);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (e) {
    throw new HttpError(400, `the body is not valid JSON: ${(e as Error).message}`);
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new HttpError(400, 'the body must be a JSON object');
  return body as Body;
}

/** Runtime errors as HTTP: a request the worker refused is the client's (400); no model yet is 503. */
function httpError(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (e instanceof RuntimeError) {
    if (e.code === 'bad-request') return new HttpError(400, e.message);
    if (e.code === 'not-loaded' || e.code === 'worker-crashed') return new HttpError(503, e.message);
  }
  if (e instanceof RangeError) return new HttpError(400, e.message);
  return new HttpError(500, e instanceof Error ? e.message : String(e));
}

function models(runtime: ServerRuntime, reply: Reply): void {
  const m = runtime.model();
  reply.json(200, {
    object: 'list',
    data: m ? [{ id: m.name, object: 'model', owned_by: 'tokenscope', context_length: m.contextLength }] : [],
  });
}

/** Answers one request; `slots` counts the generations running. */
async function handle(
  opts: ServerOptions,
  slots: { active: number },
  req: IncomingMessage,
  reply: Reply,
  signal: AbortSignal,
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  checkOrigin(req, opts.host ?? '127.0.0.1');
  if (!authorised(req, opts.apiKey)) throw new HttpError(401, 'missing or wrong API key');
  if (req.method === 'GET' && (path === '/health' || path === '/v1/health')) {
    const ready = !!opts.runtime.model();
    return reply.json(ready ? 200 : 503, { status: ready ? 'ok' : 'loading model' });
  }
  if (req.method === 'GET' && path === '/v1/models') return models(opts.runtime, reply);
  // llama-server's /props: its clients read the context size here.
  if (req.method === 'GET' && path === '/props')
    return reply.json(200, { default_generation_settings: { n_ctx: opts.runtime.model()?.contextLength ?? 0 } });
  const handler = ROUTES[path];
  if (!handler) throw new HttpError(404, `no route ${req.method} ${path}`);
  if (req.method !== 'POST') throw new HttpError(405, `${path} takes POST`);
  // The body first: a client that withholds it must not hold a generation slot meanwhile.
  const body = await readBody(req, opts.maxBodyBytes ?? 1 << 20);
  const max = opts.maxConcurrent ?? 4;
  if (slots.active >= max) throw new HttpError(429, `the server is running ${max} generations; try again shortly`);
  slots.active++;
  try {
    await handler(opts.runtime, body, reply, signal);
  } finally {
    slots.active--;
  }
}

export function startServer(opts: ServerOptions): Promise<RunningServer> {
  const slots = { active: 0 };
  const server: Server = createServer(async (req, res) => {
    const reply = new Reply(res);
    const abort = new AbortController();
    // The response closing before it ended means the client went away: stop generating for it.
    res.on('close', () => abort.abort());
    try {
      await handle(opts, slots, req, reply, abort.signal);
    } catch (e) {
      const err = httpError(e);
      if (err.status >= 500) opts.log?.(`${req.method} ${req.url}: ${err.message}`);
      if (!abort.signal.aborted) reply.error(err);
    } finally {
      reply.end();
    }
  });
  // A malformed request line or headers: answer 400 and drop the socket, without a crash.
  server.on('clientError', (_e, socket) => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const a = server.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        url: `http://${host}:${a.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
