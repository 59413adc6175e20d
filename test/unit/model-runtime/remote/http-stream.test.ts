// The remote client's transport against a scripted loopback server: retries with backoff on refused, 429 and
// 5xx before any byte, none after; a silent server and a broken stream fail with a message; abort cancels.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { RuntimeError } from '../../../../model-runtime/errors';
import { streamPayloads } from '../../../../model-runtime/remote/http-stream';
import type { RemoteSpec } from '../../../../model-runtime/remote/types';

type Script = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

async function serve(script: Script): Promise<{ url: string; hits: () => number; close: () => Promise<void> }> {
  let hits = 0;
  const server = createServer((req, res) => script(req, res, hits++));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hits: () => hits,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const wire = { path: '/v1/completions', body: { prompt: 'x' } };
const spec = (baseUrl: string, extra: Partial<RemoteSpec> = {}): RemoteSpec => ({
  flavour: 'openai',
  baseUrl,
  model: 'm',
  retries: 2,
  ...extra,
});

async function collect(s: RemoteSpec, signal = new AbortController().signal): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const p of streamPayloads(s, wire, 'sse', signal)) out.push(p);
  return out;
}

const sse = (res: ServerResponse, events: unknown[]) => {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const e of events) res.write(`data: ${JSON.stringify(e)}\n\n`);
  res.end('data: [DONE]\n\n');
};

test('429 and 503 before any byte are retried (Retry-After honoured), then the stream comes through', async () => {
  const s = await serve((req, res, hit) => {
    assert.equal(req.headers.authorization, 'Bearer key');
    if (hit === 0) return void res.writeHead(429, { 'retry-after': '0' }).end('{"error":{"message":"slow down"}}');
    if (hit === 1) return void res.writeHead(503).end('busy');
    sse(res, [{ a: 1 }, { a: 2 }]);
  });
  try {
    assert.deepEqual(await collect(spec(s.url, { apiKey: 'key' })), [{ a: 1 }, { a: 2 }]);
    assert.equal(s.hits(), 3);
  } finally {
    await s.close();
  }
});

test('retries run out with the last reason and the count; 401 and 404 are not retried', async () => {
  const s = await serve((req, res) => {
    if (req.url === '/v1/completions') return void res.writeHead(500).end('{"error":{"message":"kaput"}}');
  });
  try {
    await assert.rejects(
      collect(spec(s.url, { retries: 1 })),
      (e: RuntimeError) => e.code === 'remote' && /answered 500: kaput \(after 2 tries\)/.test(e.message),
    );
    assert.equal(s.hits(), 2);
  } finally {
    await s.close();
  }
  for (const [status, why] of [
    [401, /refused the API key \(401\)/],
    [404, /not found \(404\).*model name "m"/],
  ] as const) {
    const t = await serve((_req, res) => void res.writeHead(status).end());
    try {
      await assert.rejects(collect(spec(t.url)), (e: RuntimeError) => e.code === 'remote' && why.test(e.message));
      assert.equal(t.hits(), 1);
    } finally {
      await t.close();
    }
  }
});

test('a server that goes silent mid-stream fails after the timeout; one that drops the connection says the stream broke', async () => {
  const silent = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"a":1}\n\n');
  });
  try {
    const got: unknown[] = [];
    await assert.rejects(
      (async () => {
        for await (const p of streamPayloads(spec(silent.url, { timeoutMs: 200 }), wire, 'sse', new AbortController().signal)) got.push(p);
      })(),
      (e: RuntimeError) => e.code === 'remote' && /no data from the server for 0.2 s/.test(e.message),
    );
    assert.deepEqual(got, [{ a: 1 }], 'what came before the silence was delivered');
  } finally {
    await silent.close();
  }
  const cut = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: {"a":1}\n\n');
    setImmediate(() => res.socket?.destroy());
  });
  try {
    await assert.rejects(collect(spec(cut.url)), (e: RuntimeError) => e.code === 'remote' && /stream broke/.test(e.message));
    assert.equal(cut.hits(), 1, 'no retry once bytes arrived');
  } finally {
    await cut.close();
  }
});

test('aborting cancels a request that waits for its first byte', async () => {
  const s = await serve(() => undefined);
  try {
    const abort = new AbortController();
    const p = collect(spec(s.url), abort.signal);
    setImmediate(() => abort.abort());
    await assert.rejects(p, (e: RuntimeError) => e.code === 'cancelled');
  } finally {
    await s.close();
  }
});
