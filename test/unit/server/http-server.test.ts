// The OpenAI-compatible server over the real worker and a fixture model, over loopback: what it answers must
// be what the runtime generates, in each route's shape, and bad requests get a status and a message.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { ModelRuntime } from '../../../model-runtime/runtime';
import { DEFAULT_SAMPLER } from '../../../sampling/sampler';
import { type RunningServer, startServer } from '../../../server/http-server';
import { FIXTURES } from '../model-runtime/fixtures';

const runtime = new ModelRuntime({ workerPath: resolve('dist/worker.js') });
let server: RunningServer;
let keyed: RunningServer;
const greedy = { temperature: 0, max_tokens: 6 };
const SAMPLING_GREEDY = { ...DEFAULT_SAMPLER, maxTokens: 6, stop: [] as string[] };

before(async () => {
  await runtime.start({ modelDir: join(FIXTURES, 'llama-tiny'), providers: ['cpu'], onnxFile: 'model.onnx', threads: 1 });
  server = await startServer({ runtime, port: 0, maxConcurrent: 1, maxBodyBytes: 4096 });
  keyed = await startServer({ runtime, port: 0, apiKey: 'sekret' });
});

after(async () => {
  await server.close();
  await keyed.close();
  runtime.dispose();
});

const post = (path: string, body: unknown, base = server.url, headers: Record<string, string> = {}) =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** The `data:` payloads of an SSE body, [DONE] included as the string. */
async function events(res: Response): Promise<unknown[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((b) => b.startsWith('data: '))
    .map((b) => b.slice(6))
    .map((d) => (d === '[DONE]' ? d : JSON.parse(d)));
}

test('/v1/completions returns what the runtime generates, with raw top-N logprobs in OpenAI shape', async () => {
  const direct = await runtime.generate({ prompt: { text: 'def add(a, b):' }, sampling: { ...SAMPLING_GREEDY }, topN: 3 });
  const res = await post('/v1/completions', { prompt: 'def add(a, b):', logprobs: 3, ...greedy });
  assert.equal(res.status, 200);
  const body = await res.json();
  const choice = body.choices[0];
  assert.equal(choice.text, direct.text);
  assert.equal(body.usage.completion_tokens, direct.ids.length);
  const lp = choice.logprobs;
  assert.equal(lp.tokens.length, direct.ids.length);
  assert.equal(lp.tokens.join(''), direct.text);
  for (let i = 0; i < lp.tokens.length; i++) {
    const top = Object.entries(lp.top_logprobs[i] as Record<string, number>);
    assert.ok(top.length <= 3 && top.length >= 1);
    // Greedy: the chosen token is the most likely one, so its logprob is the top entry's.
    assert.ok(Math.abs(Math.max(...top.map(([, v]) => v)) - lp.token_logprobs[i]) < 1e-6);
    assert.ok(lp.token_logprobs[i] <= 0);
  }
});

test('a streamed completion adds up to the same text and ends with [DONE]', async () => {
  const whole = await (await post('/v1/completions', { prompt: 'function f(', ...greedy })).json();
  const res = await post('/v1/completions', { prompt: 'function f(', stream: true, logprobs: 2, ...greedy });
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const evs = await events(res);
  assert.equal(evs.at(-1), '[DONE]');
  const chunks = evs.slice(0, -1) as { choices: { text: string; finish_reason: string | null; logprobs: unknown }[] }[];
  assert.equal(chunks.map((c) => c.choices[0].text).join(''), whole.choices[0].text);
  assert.ok(['stop', 'length'].includes(chunks.at(-1)!.choices[0].finish_reason!));
  assert.ok(chunks.slice(0, -1).every((c) => c.choices[0].logprobs !== null));
});

test('/v1/chat/completions streams deltas with per-token logprobs and bytes', async () => {
  const msgs = [{ role: 'user', content: 'hello' }];
  const whole = await (await post('/v1/chat/completions', { messages: msgs, ...greedy })).json();
  assert.equal(whole.object, 'chat.completion');
  assert.equal(whole.choices[0].message.role, 'assistant');
  const evs = (await events(
    await post('/v1/chat/completions', { messages: msgs, stream: true, logprobs: true, top_logprobs: 2, ...greedy }),
  )) as {
    choices: { delta: { content?: string }; logprobs: { content: { token: string; bytes: number[]; top_logprobs: unknown[] }[] } | null }[];
  }[];
  const tokens = evs.flatMap((e) => (typeof e === 'object' ? (e.choices[0].logprobs?.content ?? []) : []));
  assert.ok(tokens.length > 0);
  for (const t of tokens) {
    // A token's bytes spell its text (a token holding part of a character has text '' and its bytes alone).
    if (t.token) assert.equal(new TextDecoder().decode(Uint8Array.from(t.bytes)), t.token);
    assert.ok(t.top_logprobs.length <= 2);
  }
  const streamed = evs.flatMap((e) => (typeof e === 'object' ? [e.choices[0].delta.content ?? ''] : [])).join('');
  assert.equal(streamed.trim(), whole.choices[0].message.content);
});

test('/infill and /completion answer in llama-server shape, the last chunk with stop and stop_type', async () => {
  const evs = (await events(
    await post('/infill', {
      input_prefix: 'def f(x):\n    return ',
      input_suffix: '\n',
      n_predict: 4,
      n_probs: 2,
      temperature: 0,
      stream: true,
    }),
  )) as Record<string, unknown>[];
  assert.notEqual(evs.at(-1), '[DONE]');
  const last = evs.at(-1)!;
  assert.equal(last.stop, true);
  assert.ok(['eos', 'word', 'limit'].includes(last.stop_type as string));
  const probs = evs.slice(0, -1).flatMap((e) => e.completion_probabilities as { id: number; logprob: number; top_logprobs: unknown[] }[]);
  assert.equal(probs.length, last.tokens_predicted);
  assert.ok(probs.every((p) => Number.isInteger(p.id) && p.logprob <= 0 && p.top_logprobs.length <= 2));
  const plain = await (await post('/completion', { prompt: 'x = ', n_predict: 3, temperature: 0 })).json();
  assert.equal(plain.stop, true);
  assert.equal(typeof plain.content, 'string');
});

test('bad requests get a status and a message that names the problem', async () => {
  const json = { 'content-type': 'application/json' };
  const bad = await fetch(`${server.url}/v1/completions`, { method: 'POST', headers: json, body: '{"prompt": ' });
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error.message, /not valid JSON/);
  const temp = await post('/v1/completions', { prompt: 'x', temperature: -1 });
  assert.equal(temp.status, 400);
  assert.match((await temp.json()).error.message, /temperature/);
  const top = await post('/v1/completions', { prompt: 'x', logprobs: 99 });
  assert.match((await top.json()).error.message, /logprobs 99 is above the maximum of 20/);
  const noPrompt = await post('/v1/completions', { prompt: null });
  assert.match((await noPrompt.json()).error.message, /prompt must be/);
  const roles = await post('/v1/chat/completions', { messages: [{ role: 'tool', content: 'x' }] });
  assert.match((await roles.json()).error.message, /messages\[0\]\.role/);
  assert.equal((await post('/nope', {})).status, 404);
  assert.equal((await fetch(`${server.url}/v1/completions`)).status, 405);
  assert.equal((await post('/v1/completions', { prompt: 'x'.repeat(5000) })).status, 413);
  const token = await post('/v1/completions', { prompt: [1e9] });
  assert.equal(token.status, 400);
});

test('a web page cannot drive it: a body that is not JSON gets 415, a Host that is not this machine 403', async () => {
  const form = await fetch(`${server.url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: '{"prompt":"x"}',
  });
  assert.equal(form.status, 415);
  // fetch sets Host itself; a DNS-rebound page's requests name the attacker's host.
  const status = await new Promise<number | undefined>((res, rej) => {
    const u = new URL(`${server.url}/v1/completions`);
    const r = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { host: 'evil.example', 'content-type': 'application/json' },
      },
      (m) => {
        m.resume();
        res(m.statusCode);
      },
    );
    r.on('error', rej);
    r.end('{"prompt":"x"}');
  });
  assert.equal(status, 403);
});

test('what clients leave unset may be null; max_tokens above what the runtime generates is clamped, not refused', async () => {
  const res = await post('/v1/completions', {
    prompt: 'x',
    max_tokens: 4096,
    n: null,
    stream: null,
    logprobs: null,
    temperature: 0,
    seed: 1,
  });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.ok(body.usage.completion_tokens <= 512);
  assert.equal(body.choices[0].logprobs, null);
  const props = await (await fetch(`${server.url}/props`)).json();
  assert.equal(props.default_generation_settings.n_ctx, runtime.model()!.contextLength);
});

test('an API key is required when set', async () => {
  assert.equal((await post('/v1/completions', { prompt: 'x', max_tokens: 1 }, keyed.url)).status, 401);
  assert.equal((await post('/v1/completions', { prompt: 'x', max_tokens: 1 }, keyed.url, { authorization: 'Bearer wrong' })).status, 401);
  const ok = await post('/v1/completions', { prompt: 'x', max_tokens: 1 }, keyed.url, { authorization: 'Bearer sekret' });
  assert.equal(ok.status, 200);
});

test('a full server says 429; a client that disconnects frees its slot', async () => {
  const abort = new AbortController();
  const long = await fetch(`${server.url}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'a', max_tokens: 512, stream: true, temperature: 1, seed: 1 }),
    signal: abort.signal,
  });
  const reader = long.body!.getReader();
  await reader.read(); // the first event: the generation runs
  const busy = await post('/v1/completions', { prompt: 'x', max_tokens: 1 });
  assert.equal(busy.status, 429);
  assert.equal(busy.headers.get('retry-after'), '1');
  abort.abort();
  // The slot frees once the server sees the disconnect and the worker's cancel lands.
  let status = 429;
  for (let i = 0; i < 200 && status === 429; i++) {
    const r = await post('/v1/completions', { prompt: 'x', max_tokens: 1 });
    status = r.status;
    await r.arrayBuffer();
    if (status === 429) await new Promise((res) => setImmediate(res));
  }
  assert.equal(status, 200);
});

test('/v1/models and /health describe the loaded model', async () => {
  const models = await (await fetch(`${server.url}/v1/models`)).json();
  assert.equal(models.data[0].id, runtime.model()!.name);
  assert.deepEqual(await (await fetch(`${server.url}/health`)).json(), { status: 'ok' });
});
