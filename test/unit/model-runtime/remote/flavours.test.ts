import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteProtocolError } from '../../../../model-runtime/remote/errors';
import { chatRequest, completionRequest, framing, nativeFim, parseEvent, probabilityKind } from '../../../../model-runtime/remote/flavours';
import {
  type ChatAsk,
  type CompletionAsk,
  REMOTE_FLAVOURS,
  type RemoteFlavour,
  type RemoteSpec,
} from '../../../../model-runtime/remote/types';

const spec = (flavour: RemoteFlavour, model = 'm'): RemoteSpec => ({ flavour, baseUrl: 'http://127.0.0.1:8080', model });

const ASK: CompletionAsk = {
  prompt: { text: 'def f(' },
  maxTokens: 32,
  temperature: 0.2,
  topP: 0.9,
  topK: 40,
  minP: 0.05,
  repetitionPenalty: 1.1,
  presencePenalty: 0.3,
  frequencyPenalty: 0.4,
  seed: 7,
  stop: ['\n\n'],
  topN: 10,
};
const FIM: CompletionAsk = { ...ASK, prompt: { prefix: 'def f(', suffix: '):\n' } };
const { prompt: _text, ...SAMPLING } = ASK;
const CHAT: ChatAsk = { ...SAMPLING, messages: [{ role: 'user', content: 'hi' }] };

test('framing, native FIM and probability kind per flavour', () => {
  assert.deepEqual(
    REMOTE_FLAVOURS.map((f) => [f, framing(f), nativeFim(f), probabilityKind(f)]),
    [
      ['openai', 'sse', false, 'raw'],
      ['llama-server', 'sse', true, 'raw'],
      ['vllm', 'sse', false, 'raw'],
      ['ollama', 'ndjson', true, 'raw'],
    ],
  );
});

test('llama-server: /completion and /infill with n_probs (raw: no post_sampling_probs)', () => {
  const sampling = {
    n_predict: 32,
    n_probs: 10,
    temperature: 0.2,
    top_k: 40,
    top_p: 0.9,
    min_p: 0.05,
    repeat_penalty: 1.1,
    presence_penalty: 0.3,
    frequency_penalty: 0.4,
    seed: 7,
    stop: ['\n\n'],
    stream: true,
    cache_prompt: true,
  };
  assert.deepEqual(completionRequest(spec('llama-server', ''), ASK), { path: '/completion', body: { prompt: 'def f(', ...sampling } });
  assert.deepEqual(completionRequest(spec('llama-server', ''), FIM), {
    path: '/infill',
    body: { input_prefix: 'def f(', input_suffix: '):\n', ...sampling },
  });
  // Repository files travel as input_extra; the server lays them out with the model's tokens.
  const extra = [{ filename: 'src/b.py', text: 'b = 2\n' }];
  assert.deepEqual(completionRequest(spec('llama-server', ''), { ...FIM, prompt: { ...FIM.prompt, extra } }).body.input_extra, extra);
  assert.equal('input_extra' in completionRequest(spec('llama-server', ''), FIM).body, false);
  // A model name travels for a router-mode server; n_probs is never 0 (that would drop every probability); no uncapped N is cut.
  const { body } = completionRequest(spec('llama-server', 'qwen'), { ...ASK, topN: 0, seed: undefined, stop: [] });
  assert.equal(body.model, 'qwen');
  assert.equal(body.n_probs, 1);
  assert.equal('seed' in body, false);
  assert.equal('stop' in body, false);
  assert.equal('post_sampling_probs' in body, false);
  assert.equal(completionRequest(spec('llama-server'), { ...ASK, topN: 100 }).body.n_probs, 100);
});

test('vLLM and OpenAI: /v1/completions with legacy logprobs capped at 20 and 5', () => {
  const common = {
    model: 'm',
    prompt: 'def f(',
    max_tokens: 32,
    temperature: 0.2,
    top_p: 0.9,
    presence_penalty: 0.3,
    frequency_penalty: 0.4,
    seed: 7,
    stop: ['\n\n'],
    stream: true,
  };
  assert.deepEqual(completionRequest(spec('vllm'), ASK), {
    path: '/v1/completions',
    body: { ...common, logprobs: 10, top_k: 40, min_p: 0.05, repetition_penalty: 1.1 },
  });
  assert.deepEqual(completionRequest(spec('openai'), ASK), { path: '/v1/completions', body: { ...common, logprobs: 5 } });
  assert.equal(completionRequest(spec('vllm'), { ...ASK, topN: 50 }).body.logprobs, 20);
  assert.equal(completionRequest(spec('openai'), { ...ASK, topN: 3 }).body.logprobs, 3);
  // Top-k off is left out for vLLM (old versions want -1, newer prefer 0); OpenAI takes 4 stop strings at most.
  assert.equal('top_k' in completionRequest(spec('vllm'), { ...ASK, topK: 0 }).body, false);
  assert.deepEqual(completionRequest(spec('openai'), { ...ASK, stop: ['a', 'b', 'c', 'd', 'e'] }).body.stop, ['a', 'b', 'c', 'd']);
  assert.equal('seed' in completionRequest(spec('vllm'), { ...ASK, seed: undefined }).body, false);
});

test('a prefix/suffix prompt for a server without native FIM throws', () => {
  for (const f of ['vllm', 'openai'] as const) {
    assert.throws(() => completionRequest(spec(f), FIM), /A (vllm|openai) server takes no prefix\/suffix prompt/);
  }
});

test('Ollama: /api/generate raw for text, templated with suffix for FIM, options and top_logprobs capped at 20', () => {
  const options = {
    num_predict: 32,
    temperature: 0.2,
    top_k: 40,
    top_p: 0.9,
    min_p: 0.05,
    repeat_penalty: 1.1,
    presence_penalty: 0.3,
    frequency_penalty: 0.4,
    seed: 7,
    stop: ['\n\n'],
  };
  assert.deepEqual(completionRequest(spec('ollama'), ASK), {
    path: '/api/generate',
    body: { model: 'm', prompt: 'def f(', raw: true, stream: true, logprobs: true, top_logprobs: 10, options },
  });
  // Ollama applies `suffix` through the model's template only, which raw mode skips.
  assert.deepEqual(completionRequest(spec('ollama'), FIM), {
    path: '/api/generate',
    body: { model: 'm', prompt: 'def f(', suffix: '):\n', stream: true, logprobs: true, top_logprobs: 10, options },
  });
  const { body } = completionRequest(spec('ollama'), { ...ASK, topN: 64, seed: undefined, stop: [] });
  assert.equal(body.top_logprobs, 20);
  assert.deepEqual(
    Object.keys(body.options as object).sort(),
    Object.keys(options)
      .filter((k) => k !== 'seed' && k !== 'stop')
      .sort(),
  );
});

test('chat: /v1/chat/completions with logprobs and top_logprobs per flavour, Ollama /api/chat', () => {
  const common = {
    model: 'm',
    messages: [{ role: 'user', content: 'hi' }],
    max_tokens: 32,
    logprobs: true,
    temperature: 0.2,
    top_p: 0.9,
    presence_penalty: 0.3,
    frequency_penalty: 0.4,
    seed: 7,
    stop: ['\n\n'],
    stream: true,
  };
  const path = '/v1/chat/completions';
  assert.deepEqual(chatRequest(spec('openai'), CHAT), { path, body: { ...common, top_logprobs: 10 } });
  assert.deepEqual(chatRequest(spec('vllm'), CHAT), {
    path,
    body: { ...common, top_logprobs: 10, top_k: 40, min_p: 0.05, repetition_penalty: 1.1 },
  });
  assert.deepEqual(chatRequest(spec('llama-server'), CHAT), {
    path,
    body: { ...common, top_logprobs: 10, top_k: 40, min_p: 0.05, repeat_penalty: 1.1 },
  });
  assert.equal(chatRequest(spec('openai'), { ...CHAT, topN: 30 }).body.top_logprobs, 20);
  assert.equal(chatRequest(spec('vllm'), { ...CHAT, topN: 30 }).body.top_logprobs, 20);
  assert.equal(chatRequest(spec('llama-server'), { ...CHAT, topN: 0 }).body.top_logprobs, 1);
  const ollama = chatRequest(spec('ollama'), { ...CHAT, topN: 30 });
  assert.equal(ollama.path, '/api/chat');
  assert.deepEqual(Object.keys(ollama.body), ['model', 'messages', 'stream', 'logprobs', 'top_logprobs', 'options']);
  assert.equal(ollama.body.top_logprobs, 20);
  assert.equal((ollama.body.options as { num_predict: number }).num_predict, 32);
});

/** Asserts parseEvent throws a RemoteProtocolError whose message matches. */
function rejects(flavour: RemoteFlavour, payload: unknown, message: RegExp): void {
  assert.throws(
    () => parseEvent(flavour, payload),
    (e: unknown) => e instanceof RemoteProtocolError && message.test(e.message),
  );
}

test('error payloads of every flavour throw with the server message', () => {
  const oai = { error: { message: 'max_logprobs is 20', type: 'BadRequestError', param: null, code: 400 } };
  rejects('vllm', oai, /^The vllm server reported an error: max_logprobs is 20 \(400\)$/);
  rejects('openai', oai, /reported an error: max_logprobs is 20/);
  rejects(
    'llama-server',
    { error: { code: 500, message: 'context size exceeded', type: 'server_error' } },
    /context size exceeded \(500\)/,
  );
  rejects('ollama', { error: 'model "x" not found' }, /^The ollama server reported an error: model "x" not found$/);
  // vLLM before 0.8 sent the ErrorResponse itself.
  rejects('vllm', { object: 'error', message: 'boom', type: 'InternalServerError', code: 500 }, /error: boom \(500\)/);
  rejects('llama-server', { error: { detail: 1 } }, /reported an error: \{"detail":1\}/);
});

test('a shape that matches none expected throws, naming what was expected and what came', () => {
  rejects('llama-server', [1, 2], /^Unexpected llama-server stream payload: expected a JSON object, got \[1,2\]$/);
  rejects(
    'llama-server',
    { tokens: [] },
    /expected `content` \(a \/completion stream\) or `choices` \(a \/v1 stream\), got \{"tokens":\[\]\}/,
  );
  rejects('vllm', { content: 'x' }, /^Unexpected vllm stream payload: expected an object with `choices`, got \{"content":"x"\}$/);
  rejects('openai', { choices: [{ index: 0 }] }, /expected `choices\[0\]\.delta` \(chat\) or `choices\[0\]\.text` \(completion\)/);
  rejects('ollama', { choices: [] }, /expected `response` \(generate\) or `message\.content` \(chat\) with `done`/);
  rejects(
    'ollama',
    { response: 'x', done: false, logprobs: [{ token: 'x' }] },
    /expected a token entry \{token, logprob\}, got \{"token":"x"\}/,
  );
  rejects('vllm', { choices: [{ delta: { content: 3 } }] }, /expected `delta.content` as a string/);
  rejects(
    'vllm',
    { choices: [{ text: 'a', logprobs: { tokens: ['a'], token_logprobs: [] } }] },
    /expected `logprobs.tokens` and `logprobs.token_logprobs` of equal length/,
  );
  rejects(
    'llama-server',
    { content: 'a', completion_probabilities: [{ token: 'a', logprob: -1, bytes: [300] }] },
    /expected `bytes` as integers 0-255/,
  );
  // A long payload is quoted, not dumped.
  assert.throws(
    () => parseEvent('vllm', { content: 'y'.repeat(1000) }),
    (e: unknown) => e instanceof Error && e.message.length < 250,
  );
});

test('usage-only chunks and content without logprobs', () => {
  assert.deepEqual(parseEvent('openai', { choices: [], usage: { prompt_tokens: 3 } }), { tokens: [], text: '' });
  assert.deepEqual(parseEvent('openai', { choices: [{ index: 0, text: 'abc', logprobs: null, finish_reason: null }] }), {
    tokens: [],
    text: 'abc',
  });
  assert.deepEqual(parseEvent('vllm', { choices: [{ index: 0, delta: { content: 'abc' }, finish_reason: null }] }), {
    tokens: [],
    text: 'abc',
  });
  assert.deepEqual(parseEvent('llama-server', { content: 'abc', stop: false }), { tokens: [], text: 'abc' });
  assert.deepEqual(parseEvent('ollama', { response: 'abc', done: false }), { tokens: [], text: 'abc' });
  // llama-server's first chat chunk: role only, content null.
  assert.deepEqual(
    parseEvent('llama-server', { choices: [{ index: 0, delta: { role: 'assistant', content: null }, finish_reason: null }] }),
    {
      tokens: [],
      text: '',
    },
  );
});

test('finish reasons: llama-server stop_type, OpenAI finish_reason, vLLM stop_reason, Ollama done_reason', () => {
  const llama = (stop_type: string) => parseEvent('llama-server', { content: '', stop: true, stop_type }).finish;
  assert.deepEqual(['eos', 'word', 'limit', 'none'].map(llama), ['eos', 'stop', 'length', 'other']);
  const old = (flag: string) => parseEvent('llama-server', { content: '', stop: true, [flag]: true }).finish;
  assert.deepEqual(['stopped_eos', 'stopped_word', 'stopped_limit'].map(old), ['eos', 'stop', 'length']);
  const oai = (flavour: RemoteFlavour, choice: object) => parseEvent(flavour, { choices: [{ index: 0, text: '', ...choice }] }).finish;
  assert.equal(oai('openai', { finish_reason: 'stop' }), 'stop');
  assert.equal(oai('openai', { finish_reason: 'length' }), 'length');
  assert.equal(oai('openai', { finish_reason: 'content_filter' }), 'other');
  assert.equal(oai('openai', { finish_reason: null }), undefined);
  assert.equal(oai('vllm', { finish_reason: 'stop', stop_reason: null }), 'eos');
  assert.equal(oai('vllm', { finish_reason: 'stop', stop_reason: 151643 }), 'eos');
  assert.equal(oai('vllm', { finish_reason: 'stop', stop_reason: '\n\n' }), 'stop');
  assert.equal(oai('openai', { finish_reason: 'stop', stop_reason: null }), 'stop', 'only vLLM documents stop_reason');
  const ollama = (done_reason?: string) => parseEvent('ollama', { response: '', done: true, done_reason }).finish;
  assert.deepEqual(['stop', 'length', 'load', undefined].map(ollama), ['stop', 'length', 'other', 'other']);
});

test("llama-server's older and post-sampling shapes", () => {
  // Before 2024-12: {content, probs: [{tok_str, prob}]}; the chosen token's probability is its entry among them.
  const old = parseEvent('llama-server', {
    content: ' to',
    stop: false,
    completion_probabilities: [
      {
        content: ' to',
        probs: [
          { tok_str: ' different', prob: 0.25 },
          { tok_str: ' to', prob: 0.5 },
        ],
      },
    ],
  });
  assert.deepEqual(old.tokens, [
    {
      text: ' to',
      logprob: Math.log(0.5),
      top: [
        { text: ' to', logprob: Math.log(0.5) },
        { text: ' different', logprob: Math.log(0.25) },
      ],
    },
  ]);
  // post_sampling_probs: prob and top_probs (probabilities after the sampler chain).
  const post = parseEvent('llama-server', {
    content: 'a',
    stop: false,
    completion_probabilities: [{ id: 64, token: 'a', bytes: [97], prob: 1, top_probs: [{ id: 64, token: 'a', bytes: [97], prob: 1 }] }],
  });
  assert.deepEqual(post.tokens, [{ text: 'a', bytes: [97], id: 64, logprob: 0, top: [{ text: 'a', bytes: [97], id: 64, logprob: 0 }] }]);
  // llama-server's /v1/completions puts chat-style entries (with ids) under logprobs.content.
  const v1 = parseEvent('llama-server', {
    choices: [
      {
        text: 'b',
        index: 0,
        logprobs: { content: [{ id: 65, token: 'b', bytes: [98], logprob: -0.5, top_logprobs: [] }] },
        finish_reason: null,
      },
    ],
  });
  assert.deepEqual(v1, { text: 'b', tokens: [{ text: 'b', bytes: [98], id: 65, logprob: -0.5, top: [] }] });
});

test('legacy logprobs: a null token logprob is NaN, numeric-looking keys still come out most likely first', () => {
  const e = parseEvent('vllm', {
    choices: [{ index: 0, text: '1', logprobs: { tokens: ['1'], token_logprobs: [null], top_logprobs: [{ '2': -3, '1': -0.1, x: -1 }] } }],
  });
  const [token] = e.tokens;
  assert.ok(Number.isNaN(token.logprob));
  assert.deepEqual(
    token.top.map((t) => t.text),
    ['1', 'x', '2'],
  );
});
