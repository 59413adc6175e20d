// The remote engine against scripted servers, for what Tokenscope's own server never does: text without
// logprobs, a reply that is one JSON object instead of a stream, and a stream that stays open after its end.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import type { RuntimeError } from '../../../../model-runtime/errors';
import type { TokenStep } from '../../../../model-runtime/protocol';
import { loadRemoteEngine } from '../../../../model-runtime/remote/load';
import { DEFAULT_SAMPLER } from '../../../../sampling/sampler';

type Route = (req: IncomingMessage, res: ServerResponse) => void;

async function scripted(completions: Route): Promise<{ url: string; closed: Promise<void>; close: () => Promise<void> }> {
  let closedResolve!: () => void;
  const closed = new Promise<void>((r) => (closedResolve = r));
  const server = createServer((req, res) => {
    if (req.url === '/v1/models') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"id":"m"}]}');
    req.on('close', () => closedResolve());
    completions(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    closed,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const chunk = (text: string, finish: string | null = null) =>
  `data: ${JSON.stringify({ choices: [{ index: 0, text, logprobs: null, finish_reason: finish }] })}\n\n`;
const request = { prompt: { text: 'x' }, sampling: { ...DEFAULT_SAMPLER, maxTokens: 16, stop: [] }, topN: 3 };

test('text a server sends without logprobs becomes steps that say so, and every piece reaches the caller', async () => {
  const s = await scripted((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(chunk('Hello') + chunk(', world') + chunk('', 'stop') + 'data: [DONE]\n\n');
  });
  try {
    const engine = await loadRemoteEngine({ flavour: 'openai', baseUrl: s.url, model: '' });
    const steps: TokenStep[] = [];
    const deltas: string[] = [];
    const r = await engine.generate(
      request,
      (st, d) => (steps.push(st), deltas.push(d)),
      () => false,
    );
    assert.equal(r.text, 'Hello, world');
    assert.deepEqual(deltas, ['Hello', ', world']);
    assert.ok(steps.every((st) => st.remote?.probabilities === 'none' && st.alternatives.length === 0));
    assert.equal(r.stats.stopReason, 'stop');
  } finally {
    await s.close();
  }
});

test('a stream that stays open after its finish is closed by the engine (the server stops generating)', async () => {
  const s = await scripted((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(chunk('a') + chunk('', 'length'));
  });
  try {
    const engine = await loadRemoteEngine({ flavour: 'openai', baseUrl: s.url, model: '' });
    const r = await engine.generate(
      request,
      () => undefined,
      () => false,
    );
    assert.equal(r.stats.stopReason, 'length');
    await s.closed;
  } finally {
    await s.close();
  }
});

test('one JSON object instead of a stream is a clear error, not an empty answer', async () => {
  const s = await scripted(
    (_req, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"choices":[{"text":"hi"}]}'),
  );
  try {
    const engine = await loadRemoteEngine({ flavour: 'openai', baseUrl: s.url, model: '' });
    await assert.rejects(
      engine.generate(
        request,
        () => undefined,
        () => false,
      ),
      (e: RuntimeError) => e.code === 'remote' && /one JSON object, not a stream/.test(e.message),
    );
  } finally {
    await s.close();
  }
});
