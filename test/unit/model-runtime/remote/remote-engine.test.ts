// The remote engine end to end against Tokenscope's own server, both real, over loopback: a worker on a
// fixture model behind the server, and a second worker whose engine talks to it. What comes back over the wire
// must be what the first worker generates, with the facts that only a remote step has.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { chatFormatFor } from '../../../../model-runtime/chat-template';
import type { RuntimeError } from '../../../../model-runtime/errors';
import type { Prompt, TokenStep } from '../../../../model-runtime/protocol';
import type { RemoteFlavour } from '../../../../model-runtime/remote/types';
import { ModelRuntime } from '../../../../model-runtime/runtime';
import { DEFAULT_SAMPLER } from '../../../../sampling/sampler';
import { type RunningServer, startServer } from '../../../../server/http-server';
import { FIXTURES } from '../fixtures';

const workerPath = resolve('dist/worker.js');
const local = new ModelRuntime({ workerPath });
const remote = new ModelRuntime({ workerPath });
let server: RunningServer;
const greedy = { ...DEFAULT_SAMPLER, maxTokens: 8, stop: [] as string[] };

before(async () => {
  await local.start({ modelDir: join(FIXTURES, 'llama-tiny'), providers: ['cpu'], onnxFile: 'model.onnx', threads: 1 });
  server = await startServer({ runtime: local, port: 0, maxConcurrent: 2, apiKey: 'k' });
});

after(async () => {
  remote.dispose();
  await server.close();
  local.dispose();
});

const connect = (flavour: RemoteFlavour, extra: Record<string, unknown> = {}) =>
  remote.start({ modelDir: server.url, remote: { flavour, baseUrl: server.url, model: '', apiKey: 'k', ...extra } });

async function both(prompt: Prompt) {
  const direct = await local.generate({ prompt, sampling: greedy, topN: 3 });
  const steps: TokenStep[] = [];
  const over = await remote.generate({ prompt, sampling: greedy, topN: 3, onToken: (s) => steps.push(s) });
  return { direct, over, steps };
}

for (const flavour of ['openai', 'vllm', 'llama-server'] as const) {
  test(`${flavour}: the remote engine streams what the serving worker generates, each step marked remote`, async () => {
    const info = await connect(flavour);
    assert.equal(info.architecture, 'remote');
    assert.match(info.name, new RegExp(`\\(${flavour}\\)$`));
    const { direct, over, steps } = await both({ text: 'def add(a, b):' });
    assert.equal(over.text, direct.text);
    assert.equal(steps.length, direct.ids.length);
    for (const s of steps) {
      assert.ok(s.remote, 'a remote step says so');
      assert.equal(s.remote.probabilities, 'raw');
      assert.equal(s.rank, 1, 'greedy: the top alternative');
      assert.ok(s.alternatives.length >= 1 && s.alternatives.length <= 3);
      assert.ok(s.rawProb > 0 && s.rawProb <= 1);
    }
    if (flavour === 'llama-server') assert.deepEqual(over.ids, direct.ids, 'llama-server names token ids: they are the model’s');
  });
}

test('a chat goes to the server as messages (its template applies); a local model refuses messages', async () => {
  await connect('vllm');
  const turns = [{ role: 'user' as const, content: 'hi there' }];
  const fmt = chatFormatFor(local.model()!.dir);
  const direct = await local.generate({ prompt: { text: fmt.render(turns) }, sampling: { ...greedy, stop: fmt.stop }, topN: 3 });
  const steps: TokenStep[] = [];
  const over = await remote.generate({ prompt: { chat: turns }, sampling: greedy, topN: 3, onToken: (s) => steps.push(s) });
  assert.equal(over.text, direct.text);
  assert.match(steps[0].remote!.source, /\/v1\/chat\/completions$/);
  await assert.rejects(
    local.generate({ prompt: { chat: turns }, sampling: greedy, topN: 0 }),
    (e: RuntimeError) => e.code === 'bad-request' && /rendered with its template/.test(e.message),
  );
});

test('llama-server: fill-in-the-middle goes through /infill and matches the local FIM generation', async () => {
  await connect('llama-server');
  assert.equal(remote.model()!.supportsFim, true);
  const { direct, over, steps } = await both({ fim: { prefix: 'def f(x):\n    return ', suffix: '\n\nprint(f(2))\n' } });
  assert.equal(over.text, direct.text);
  assert.match(steps[0].remote!.source, /\/infill$/);
});

/** A loopback proxy in front of Tokenscope's server that keeps every JSON body it forwards. */
async function recordingProxy(target: string) {
  const seen: { path: string; body: Record<string, unknown> }[] = [];
  const proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (body.length) seen.push({ path: req.url ?? '', body: JSON.parse(body.toString()) });
    const headers = { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' };
    const r = await fetch(target + req.url, { method: req.method, headers, body: body.length ? body : undefined });
    res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
    // Buffered, not streamed: the engine reads a whole event stream as well as one that trickles.
    res.end(Buffer.from(await r.arrayBuffer()));
  });
  await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise((ok) => proxy.close(ok)) };
}

test("llama-server: repository files go as /infill's input_extra (the server lays them out), and it says it takes them", async () => {
  const proxy = await recordingProxy(server.url);
  try {
    const info = await remote.start({
      modelDir: proxy.url,
      remote: { flavour: 'llama-server', baseUrl: proxy.url, model: '', apiKey: 'k' },
    });
    assert.equal(info.serverRepoFiles, true);
    const files = [{ path: 'src/util.py', text: 'def twice(x):\n    return 2 * x\n' }];
    const fim = { prefix: 'def f(x):\n    return ', suffix: '\n\nprint(f(2))\n' };
    const over = await remote.generate({
      prompt: { fim: { ...fim, context: { repo: 'r', path: 'a.py', files } } },
      sampling: greedy,
      topN: 3,
    });
    const sent = proxy.seen.filter((x) => x.path === '/infill').pop()!.body;
    assert.deepEqual(sent.input_extra, [{ filename: 'src/util.py', text: files[0].text }]);
    assert.equal(sent.input_prefix, fim.prefix);
    // Tokenscope's server lays input_extra out before the prefix, a comment naming each file (the fixture has no
    // repository tokens): the same generation as that prompt run locally.
    const prefix = `// src/util.py\n${files[0].text}\n${fim.prefix}`;
    assert.deepEqual(over.ids, (await local.generate({ prompt: { fim: { ...fim, prefix } }, sampling: greedy, topN: 3 })).ids);
  } finally {
    await proxy.close();
  }
});

test('a branch re-asks the server with the forced token; re-sampling works over the alternatives, marked approximate', async () => {
  await connect('llama-server');
  const steps: TokenStep[] = [];
  const first = await remote.generate({ prompt: { text: 'x = ' }, sampling: greedy, topN: 3, onToken: (s) => steps.push(s) });
  const alt = steps[1].alternatives.find((a) => a.id !== steps[1].id)!;
  const branched: TokenStep[] = [];
  const b = await remote.generate({
    prompt: { text: 'x = ' },
    sampling: greedy,
    topN: 3,
    branch: { generationId: first.generationId, step: 1, forcedToken: alt.id },
    onToken: (s) => branched.push(s),
  });
  assert.equal(branched[0].forced, true);
  assert.equal(branched[0].id, alt.id);
  assert.ok(b.text.startsWith(steps[0].text + alt.text));
  assert.deepEqual(b.ids.slice(0, 2), [steps[0].id, alt.id]);
  const re = await remote.resample(first.generationId, 1, { ...greedy, temperature: 1, topK: 1 }, 3);
  assert.equal(re.remote?.approximate, true);
  assert.equal(re.id, steps[1].alternatives[0].id, 'top-k 1 keeps the most likely alternative');
  assert.ok(re.alternatives.slice(1).every((a) => a.removedBy === 'top-k'));
});

test('a cancel ends the remote stream; the heatmap and tokenizer say they need a local model', async () => {
  await connect('openai');
  const abort = new AbortController();
  const r = await remote.generate({
    prompt: { text: 'a' },
    sampling: { ...greedy, temperature: 1, maxTokens: 512, seed: 3 },
    topN: 1,
    signal: abort.signal,
    onToken: () => abort.abort(),
  });
  assert.equal(r.stats.stopReason, 'cancelled');
  assert.ok(r.ids.length < 512);
  await assert.rejects(remote.score('x = 1', 3), (e: RuntimeError) => e.code === 'unsupported' && /local model/.test(e.message));
  await assert.rejects(remote.tokenize('x'), (e: RuntimeError) => e.code === 'unsupported');
});

test('connecting fails clearly: refused connection, wrong key, unknown model, bad URL', async () => {
  const fresh = new ModelRuntime({ workerPath });
  // A port that was free a moment ago: nothing listens there.
  const closed = createServer();
  await new Promise<void>((res) => closed.listen(0, '127.0.0.1', res));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((res) => closed.close(res));
  try {
    const spec = (extra: Record<string, unknown>) => ({
      modelDir: 'remote',
      remote: { flavour: 'openai' as const, baseUrl: server.url, model: '', apiKey: 'k', ...extra },
    });
    await assert.rejects(
      fresh.start(spec({ baseUrl: `http://127.0.0.1:${port}` })),
      (e: RuntimeError) => e.code === 'remote' && /connection refused/.test(e.message),
    );
    await assert.rejects(fresh.start(spec({ apiKey: 'wrong' })), (e: RuntimeError) => e.code === 'remote' && /API key/.test(e.message));
    await assert.rejects(fresh.start(spec({ model: 'nope' })), (e: RuntimeError) =>
      /does not serve "nope"; it serves llama-tiny/.test(e.message),
    );
    await assert.rejects(
      fresh.start(spec({ baseUrl: 'file:///etc' })),
      (e: RuntimeError) => e.code === 'bad-request' && /http/.test(e.message),
    );
  } finally {
    fresh.dispose();
  }
});
