// Response bodies as each server streams them, byte for byte in its documented shape (field order, framing), with
// the events parseEvent must make of them. Sources: llama.cpp tools/server (README "/completion" and "/infill",
// server-task.cpp to_json_non_oaicompat / probs_vector_to_json), vLLM entrypoints/openai (completion and chat
// serving, exclude_unset chunks), Ollama api/types.go (GenerateResponse, ChatResponse, Logprob).

import type { RemoteFlavour, StreamEvent } from '../../../../model-runtime/remote/types';

export interface Transcript {
  name: string;
  flavour: RemoteFlavour;
  body: string;
  events: StreamEvent[];
}

// llama-server /completion, n_probs 2, stop ["\n\n"]. Each partial carries one token. The chosen `token` is the text
// sent with it (server-context.cpp process_token), so a token held back as a possible stop string reads "" with no
// bytes, while its alternatives keep their own pieces. The final chunk repeats no content and has no probabilities.
const llamaCompletion: Transcript = {
  name: 'llama-server /completion with n_probs',
  flavour: 'llama-server',
  body: String.raw`data: {"index":0,"content":" Paris","tokens":[12095],"stop":false,"id_slot":-1,"tokens_predicted":1,"tokens_evaluated":6,"completion_probabilities":[{"id":12095,"token":" Paris","bytes":[32,80,97,114,105,115],"logprob":-0.0523,"top_logprobs":[{"id":12095,"token":" Paris","bytes":[32,80,97,114,105,115],"logprob":-0.0523},{"id":264,"token":" a","bytes":[32,97],"logprob":-3.1}]}]}

data: {"index":0,"content":".","tokens":[13],"stop":false,"id_slot":-1,"tokens_predicted":2,"tokens_evaluated":6,"completion_probabilities":[{"id":13,"token":".","bytes":[46],"logprob":-0.41,"top_logprobs":[{"id":13,"token":".","bytes":[46],"logprob":-0.41},{"id":11,"token":",","bytes":[44],"logprob":-1.2}]}]}

data: {"index":0,"content":"","tokens":[198],"stop":false,"id_slot":-1,"tokens_predicted":3,"tokens_evaluated":6,"completion_probabilities":[{"id":198,"token":"","bytes":[],"logprob":-0.2,"top_logprobs":[{"id":198,"token":"\n","bytes":[10],"logprob":-0.2},{"id":220,"token":" ","bytes":[32],"logprob":-2.0}]}]}

data: {"index":0,"content":"","tokens":[198],"stop":false,"id_slot":-1,"tokens_predicted":4,"tokens_evaluated":6,"completion_probabilities":[{"id":198,"token":"","bytes":[],"logprob":-0.7,"top_logprobs":[{"id":198,"token":"\n","bytes":[10],"logprob":-0.7},{"id":785,"token":"The","bytes":[84,104,101],"logprob":-1.1}]}]}

data: {"index":0,"content":"","tokens":[],"id_slot":0,"stop":true,"model":"qwen2.5-coder-1.5b","tokens_predicted":4,"tokens_evaluated":6,"generation_settings":{"n_predict":16,"seed":42,"temperature":0.0,"n_probs":2,"stop":["\n\n"]},"prompt":"The capital of France is","has_new_line":true,"truncated":false,"stop_type":"word","stopping_word":"\n\n","tokens_cached":9,"timings":{"prompt_n":6,"prompt_ms":12.5,"predicted_n":4,"predicted_ms":40.1}}

`,
  events: [
    {
      text: ' Paris',
      tokens: [
        {
          text: ' Paris',
          bytes: [32, 80, 97, 114, 105, 115],
          logprob: -0.0523,
          id: 12095,
          top: [
            { text: ' Paris', bytes: [32, 80, 97, 114, 105, 115], logprob: -0.0523, id: 12095 },
            { text: ' a', bytes: [32, 97], logprob: -3.1, id: 264 },
          ],
        },
      ],
    },
    {
      text: '.',
      tokens: [
        {
          text: '.',
          bytes: [46],
          logprob: -0.41,
          id: 13,
          top: [
            { text: '.', bytes: [46], logprob: -0.41, id: 13 },
            { text: ',', bytes: [44], logprob: -1.2, id: 11 },
          ],
        },
      ],
    },
    {
      text: '',
      tokens: [
        {
          text: '',
          bytes: [],
          logprob: -0.2,
          id: 198,
          top: [
            { text: '\n', bytes: [10], logprob: -0.2, id: 198 },
            { text: ' ', bytes: [32], logprob: -2.0, id: 220 },
          ],
        },
      ],
    },
    {
      text: '',
      tokens: [
        {
          text: '',
          bytes: [],
          logprob: -0.7,
          id: 198,
          top: [
            { text: '\n', bytes: [10], logprob: -0.7, id: 198 },
            { text: 'The', bytes: [84, 104, 101], logprob: -1.1, id: 785 },
          ],
        },
      ],
    },
    { text: '', tokens: [], finish: 'stop' },
  ],
};

// llama-server /infill, n_probs 2. "é" came as two byte tokens (C3, A9): the server sends nothing for the first
// (incomplete UTF-8) and one partial for the second, whose chosen token is the whole character with both bytes
// but the id and logprob of the second token alone. Alternatives are raw pieces: a lone continuation byte is
// written "\ufffd" (JSON dump with replacement) with its true byte.
const llamaInfill: Transcript = {
  name: 'llama-server /infill',
  flavour: 'llama-server',
  body: String.raw`data: {"index":0,"content":"return","tokens":[689],"stop":false,"id_slot":-1,"tokens_predicted":1,"tokens_evaluated":21,"completion_probabilities":[{"id":689,"token":"return","bytes":[114,101,116,117,114,110],"logprob":-0.012,"top_logprobs":[{"id":689,"token":"return","bytes":[114,101,116,117,114,110],"logprob":-0.012},{"id":1350,"token":"print","bytes":[112,114,105,110,116],"logprob":-4.6}]}]}

data: {"index":0,"content":" \"caf","tokens":[68796],"stop":false,"id_slot":-1,"tokens_predicted":2,"tokens_evaluated":21,"completion_probabilities":[{"id":68796,"token":" \"caf","bytes":[32,34,99,97,102],"logprob":-0.9,"top_logprobs":[{"id":68796,"token":" \"caf","bytes":[32,34,99,97,102],"logprob":-0.9},{"id":330,"token":" \"","bytes":[32,34],"logprob":-1.3}]}]}

data: {"index":0,"content":"é","tokens":[102],"stop":false,"id_slot":-1,"tokens_predicted":4,"tokens_evaluated":21,"completion_probabilities":[{"id":102,"token":"é","bytes":[195,169],"logprob":-0.01,"top_logprobs":[{"id":101,"token":"\ufffd","bytes":[168],"logprob":-4.9},{"id":102,"token":"\ufffd","bytes":[169],"logprob":-0.01}]}]}

data: {"index":0,"content":"\"","tokens":[1],"stop":false,"id_slot":-1,"tokens_predicted":5,"tokens_evaluated":21,"completion_probabilities":[{"id":1,"token":"\"","bytes":[34],"logprob":-0.003,"top_logprobs":[{"id":1,"token":"\"","bytes":[34],"logprob":-0.003},{"id":698,"token":"\",","bytes":[34,44],"logprob":-6.2}]}]}

data: {"index":0,"content":"","tokens":[],"id_slot":0,"stop":true,"model":"qwen2.5-coder-1.5b","tokens_predicted":6,"tokens_evaluated":21,"generation_settings":{"n_predict":64,"n_probs":2},"prompt":"<|fim_prefix|>def name():\n    <|fim_suffix|>\n<|fim_middle|>","has_new_line":false,"truncated":false,"stop_type":"eos","stopping_word":"","tokens_cached":26,"timings":{"prompt_n":21,"prompt_ms":30.2,"predicted_n":6,"predicted_ms":55.0}}

`,
  events: [
    {
      text: 'return',
      tokens: [
        {
          text: 'return',
          bytes: [114, 101, 116, 117, 114, 110],
          logprob: -0.012,
          id: 689,
          top: [
            { text: 'return', bytes: [114, 101, 116, 117, 114, 110], logprob: -0.012, id: 689 },
            { text: 'print', bytes: [112, 114, 105, 110, 116], logprob: -4.6, id: 1350 },
          ],
        },
      ],
    },
    {
      text: ' "caf',
      tokens: [
        {
          text: ' "caf',
          bytes: [32, 34, 99, 97, 102],
          logprob: -0.9,
          id: 68796,
          top: [
            { text: ' "caf', bytes: [32, 34, 99, 97, 102], logprob: -0.9, id: 68796 },
            { text: ' "', bytes: [32, 34], logprob: -1.3, id: 330 },
          ],
        },
      ],
    },
    {
      text: 'é',
      tokens: [
        {
          text: 'é',
          bytes: [195, 169],
          logprob: -0.01,
          id: 102,
          top: [
            { text: '\ufffd', bytes: [169], logprob: -0.01, id: 102 },
            { text: '\ufffd', bytes: [168], logprob: -4.9, id: 101 },
          ],
        },
      ],
    },
    {
      text: '"',
      tokens: [
        {
          text: '"',
          bytes: [34],
          logprob: -0.003,
          id: 1,
          top: [
            { text: '"', bytes: [34], logprob: -0.003, id: 1 },
            { text: '",', bytes: [34, 44], logprob: -6.2, id: 698 },
          ],
        },
      ],
    },
    { text: '', tokens: [], finish: 'eos' },
  ],
};

// vLLM /v1/completions, logprobs 2 (chunks dumped with exclude_unset, so no `object`). top_logprobs is a dict
// {token: logprob}: the sampled token first, added as an N+1th entry when outside the top N; tokens decoding to
// the same string share one key. vLLM decodes each token alone and repairs byte-fallback pieces from the previous
// tokens (v1/engine/logprobs.py _correct_decoded_token): an incomplete piece is "" and the token completing the
// character carries all of it. stop_reason null on a "stop" finish means the end-of-sequence token.
const vllmCompletion: Transcript = {
  name: 'vLLM /v1/completions with logprobs',
  flavour: 'vllm',
  body: String.raw`data: {"id":"cmpl-5d1c","created":1764583200,"model":"Qwen/Qwen2.5-Coder-1.5B","choices":[{"index":0,"text":" caf","logprobs":{"text_offset":[0],"token_logprobs":[-0.31],"tokens":[" caf"],"top_logprobs":[{" caf":-0.31," tea":-1.9}]},"finish_reason":null,"stop_reason":null}]}

data: {"id":"cmpl-5d1c","created":1764583200,"model":"Qwen/Qwen2.5-Coder-1.5B","choices":[{"index":0,"text":"","logprobs":{"text_offset":[4],"token_logprobs":[-0.02],"tokens":[""],"top_logprobs":[{"":-0.02}]},"finish_reason":null,"stop_reason":null}]}

data: {"id":"cmpl-5d1c","created":1764583200,"model":"Qwen/Qwen2.5-Coder-1.5B","choices":[{"index":0,"text":"é","logprobs":{"text_offset":[4],"token_logprobs":[-0.05],"tokens":["é"],"top_logprobs":[{"é":-0.05,"è":-3.4}]},"finish_reason":null,"stop_reason":null}]}

data: {"id":"cmpl-5d1c","created":1764583200,"model":"Qwen/Qwen2.5-Coder-1.5B","choices":[{"index":0,"text":"\n","logprobs":{"text_offset":[5],"token_logprobs":[-2.5],"tokens":["\n"],"top_logprobs":[{"\n":-2.5," ":-0.4,",":-1.9}]},"finish_reason":"stop","stop_reason":null}]}

data: {"id":"cmpl-5d1c","created":1764583200,"model":"Qwen/Qwen2.5-Coder-1.5B","choices":[],"usage":{"prompt_tokens":5,"total_tokens":9,"completion_tokens":4}}

data: [DONE]

`,
  events: [
    {
      text: ' caf',
      tokens: [
        {
          text: ' caf',
          logprob: -0.31,
          top: [
            { text: ' caf', logprob: -0.31 },
            { text: ' tea', logprob: -1.9 },
          ],
        },
      ],
    },
    { text: '', tokens: [{ text: '', logprob: -0.02, top: [{ text: '', logprob: -0.02 }] }] },
    {
      text: 'é',
      tokens: [
        {
          text: 'é',
          logprob: -0.05,
          top: [
            { text: 'é', logprob: -0.05 },
            { text: 'è', logprob: -3.4 },
          ],
        },
      ],
    },
    {
      text: '\n',
      finish: 'eos',
      tokens: [
        {
          text: '\n',
          logprob: -2.5,
          top: [
            { text: ' ', logprob: -0.4 },
            { text: ',', logprob: -1.9 },
            { text: '\n', logprob: -2.5 },
          ],
        },
      ],
    },
    { text: '', tokens: [] },
  ],
};

// OpenAI's legacy /v1/completions names a token that is not whole UTF-8 "bytes:\xe2\x80" (here ’ = E2 80 99 in two
// tokens); the same strings reach us from any server that copies that convention.
const openAiLegacyBytes: Transcript = {
  name: 'OpenAI /v1/completions with "bytes:" tokens',
  flavour: 'openai',
  body: String.raw`data: {"id":"cmpl-9Xb2","object":"text_completion","created":1764583200,"choices":[{"text":"It","index":0,"logprobs":{"tokens":["It"],"token_logprobs":[-0.4],"top_logprobs":[{"It":-0.4,"That":-1.5}],"text_offset":[9]},"finish_reason":null}],"model":"gpt-3.5-turbo-instruct"}

data: {"id":"cmpl-9Xb2","object":"text_completion","created":1764583200,"choices":[{"text":"","index":0,"logprobs":{"tokens":["bytes:\\xe2\\x80"],"token_logprobs":[-0.6],"top_logprobs":[{"bytes:\\xe2\\x80":-0.6,"'s":-0.9}],"text_offset":[11]},"finish_reason":null}],"model":"gpt-3.5-turbo-instruct"}

data: {"id":"cmpl-9Xb2","object":"text_completion","created":1764583200,"choices":[{"text":"’","index":0,"logprobs":{"tokens":["bytes:\\x99"],"token_logprobs":[-0.001],"top_logprobs":[{"bytes:\\x99":-0.001,"bytes:\\x9c":-7.2}],"text_offset":[11]},"finish_reason":"length"}],"model":"gpt-3.5-turbo-instruct"}

data: [DONE]

`,
  events: [
    {
      text: 'It',
      tokens: [
        {
          text: 'It',
          logprob: -0.4,
          top: [
            { text: 'It', logprob: -0.4 },
            { text: 'That', logprob: -1.5 },
          ],
        },
      ],
    },
    {
      text: '',
      tokens: [
        {
          text: '',
          bytes: [0xe2, 0x80],
          logprob: -0.6,
          top: [
            { text: '', bytes: [0xe2, 0x80], logprob: -0.6 },
            { text: "'s", logprob: -0.9 },
          ],
        },
      ],
    },
    {
      text: '’',
      finish: 'length',
      tokens: [
        {
          text: '',
          bytes: [0x99],
          logprob: -0.001,
          top: [
            { text: '', bytes: [0x99], logprob: -0.001 },
            { text: '', bytes: [0x9c], logprob: -7.2 },
          ],
        },
      ],
    },
  ],
};

// vLLM /v1/chat/completions, logprobs true, top_logprobs 2: a role-only first chunk, bytes computed from each
// token's (repaired) text, so the incomplete piece has none and the completing one all of "é".
const vllmChat: Transcript = {
  name: 'vLLM /v1/chat/completions with logprobs',
  flavour: 'vllm',
  body: `data: {"id":"chatcmpl-77e1","object":"chat.completion.chunk","created":1764583200,"model":"Qwen/Qwen2.5-1.5B-Instruct","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}

data: {"id":"chatcmpl-77e1","object":"chat.completion.chunk","created":1764583200,"model":"Qwen/Qwen2.5-1.5B-Instruct","choices":[{"index":0,"delta":{"content":"Caf"},"logprobs":{"content":[{"token":"Caf","logprob":-0.3,"bytes":[67,97,102],"top_logprobs":[{"token":"Caf","logprob":-0.3,"bytes":[67,97,102]},{"token":"Co","logprob":-1.6,"bytes":[67,111]}]}]},"finish_reason":null}]}

data: {"id":"chatcmpl-77e1","object":"chat.completion.chunk","created":1764583200,"model":"Qwen/Qwen2.5-1.5B-Instruct","choices":[{"index":0,"delta":{"content":""},"logprobs":{"content":[{"token":"","logprob":-0.01,"bytes":[],"top_logprobs":[{"token":"","logprob":-0.01,"bytes":[]},{"token":"","logprob":-5.2,"bytes":[]}]}]},"finish_reason":null}]}

data: {"id":"chatcmpl-77e1","object":"chat.completion.chunk","created":1764583200,"model":"Qwen/Qwen2.5-1.5B-Instruct","choices":[{"index":0,"delta":{"content":"é"},"logprobs":{"content":[{"token":"é","logprob":-0.02,"bytes":[195,169],"top_logprobs":[{"token":"é","logprob":-0.02,"bytes":[195,169]},{"token":"è","logprob":-4.0,"bytes":[195,168]}]}]},"finish_reason":null}]}

data: {"id":"chatcmpl-77e1","object":"chat.completion.chunk","created":1764583200,"model":"Qwen/Qwen2.5-1.5B-Instruct","choices":[{"index":0,"delta":{"content":""},"logprobs":null,"finish_reason":"length","stop_reason":null}]}

data: [DONE]

`,
  events: [
    { text: '', tokens: [] },
    {
      text: 'Caf',
      tokens: [
        {
          text: 'Caf',
          bytes: [67, 97, 102],
          logprob: -0.3,
          top: [
            { text: 'Caf', bytes: [67, 97, 102], logprob: -0.3 },
            { text: 'Co', bytes: [67, 111], logprob: -1.6 },
          ],
        },
      ],
    },
    {
      text: '',
      tokens: [
        {
          text: '',
          bytes: [],
          logprob: -0.01,
          top: [
            { text: '', bytes: [], logprob: -0.01 },
            { text: '', bytes: [], logprob: -5.2 },
          ],
        },
      ],
    },
    {
      text: 'é',
      tokens: [
        {
          text: 'é',
          bytes: [195, 169],
          logprob: -0.02,
          top: [
            { text: 'é', bytes: [195, 169], logprob: -0.02 },
            { text: 'è', bytes: [195, 168], logprob: -4.0 },
          ],
        },
      ],
    },
    { text: '', tokens: [], finish: 'length' },
  ],
};

// OpenAI /v1/chat/completions: a character split over two tokens, each with its own bytes (🙂 = F0 9F 99 82), the
// token text an escaped form of them.
const openAiChatSplit: Transcript = {
  name: 'OpenAI /v1/chat/completions with a character split over two tokens',
  flavour: 'openai',
  body: String.raw`data: {"id":"chatcmpl-AB12","object":"chat.completion.chunk","created":1764583200,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":{"content":[],"refusal":null},"finish_reason":null}]}

data: {"id":"chatcmpl-AB12","object":"chat.completion.chunk","created":1764583200,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":""},"logprobs":{"content":[{"token":"\\xf0\\x9f\\x99","logprob":-0.2,"bytes":[240,159,153],"top_logprobs":[{"token":"\\xf0\\x9f\\x99","logprob":-0.2,"bytes":[240,159,153]},{"token":"\\xf0\\x9f\\x98","logprob":-1.8,"bytes":[240,159,152]}]}],"refusal":null},"finish_reason":null}]}

data: {"id":"chatcmpl-AB12","object":"chat.completion.chunk","created":1764583200,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"🙂"},"logprobs":{"content":[{"token":"\\x82","logprob":-0.0001,"bytes":[130],"top_logprobs":[{"token":"\\x82","logprob":-0.0001,"bytes":[130]},{"token":"\\x83","logprob":-9.5,"bytes":[131]}]}],"refusal":null},"finish_reason":null}]}

data: {"id":"chatcmpl-AB12","object":"chat.completion.chunk","created":1764583200,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}

data: [DONE]

`,
  events: [
    { text: '', tokens: [] },
    {
      text: '',
      tokens: [
        {
          text: '\\xf0\\x9f\\x99',
          bytes: [240, 159, 153],
          logprob: -0.2,
          top: [
            { text: '\\xf0\\x9f\\x99', bytes: [240, 159, 153], logprob: -0.2 },
            { text: '\\xf0\\x9f\\x98', bytes: [240, 159, 152], logprob: -1.8 },
          ],
        },
      ],
    },
    {
      text: '🙂',
      tokens: [
        {
          text: '\\x82',
          bytes: [130],
          logprob: -0.0001,
          top: [
            { text: '\\x82', bytes: [130], logprob: -0.0001 },
            { text: '\\x83', bytes: [131], logprob: -9.5 },
          ],
        },
      ],
    },
    { text: '', tokens: [], finish: 'stop' },
  ],
};

// Ollama /api/generate (raw), logprobs true, top_logprobs 2: one JSON object per line, the last with done_reason
// and timings. Ollama's `bytes` are the bytes of its token string.
const ollamaGenerate: Transcript = {
  name: 'Ollama /api/generate NDJSON with logprobs',
  flavour: 'ollama',
  body: `{"model":"qwen2.5-coder:1.5b-base","created_at":"2025-12-01T10:00:00.1015Z","response":"def","done":false,"logprobs":[{"token":"def","logprob":-0.05,"bytes":[100,101,102],"top_logprobs":[{"token":"def","logprob":-0.05,"bytes":[100,101,102]},{"token":"import","logprob":-3.1,"bytes":[105,109,112,111,114,116]}]}]}
{"model":"qwen2.5-coder:1.5b-base","created_at":"2025-12-01T10:00:00.1203Z","response":" add","done":false,"logprobs":[{"token":" add","logprob":-1.2,"bytes":[32,97,100,100],"top_logprobs":[{"token":" main","logprob":-0.8,"bytes":[32,109,97,105,110]},{"token":" add","logprob":-1.2,"bytes":[32,97,100,100]}]}]}
{"model":"qwen2.5-coder:1.5b-base","created_at":"2025-12-01T10:00:00.1391Z","response":"(","done":false,"logprobs":[{"token":"(","logprob":-0.001,"bytes":[40],"top_logprobs":[{"token":"(","logprob":-0.001,"bytes":[40]},{"token":"_","logprob":-7.4,"bytes":[95]}]}]}
{"model":"qwen2.5-coder:1.5b-base","created_at":"2025-12-01T10:00:00.1402Z","response":"","done":true,"done_reason":"length","total_duration":141220417,"load_duration":20113958,"prompt_eval_count":4,"prompt_eval_duration":61200000,"eval_count":3,"eval_duration":38700000}
`,
  events: [
    {
      text: 'def',
      tokens: [
        {
          text: 'def',
          bytes: [100, 101, 102],
          logprob: -0.05,
          top: [
            { text: 'def', bytes: [100, 101, 102], logprob: -0.05 },
            { text: 'import', bytes: [105, 109, 112, 111, 114, 116], logprob: -3.1 },
          ],
        },
      ],
    },
    {
      text: ' add',
      tokens: [
        {
          text: ' add',
          bytes: [32, 97, 100, 100],
          logprob: -1.2,
          top: [
            { text: ' main', bytes: [32, 109, 97, 105, 110], logprob: -0.8 },
            { text: ' add', bytes: [32, 97, 100, 100], logprob: -1.2 },
          ],
        },
      ],
    },
    {
      text: '(',
      tokens: [
        {
          text: '(',
          bytes: [40],
          logprob: -0.001,
          top: [
            { text: '(', bytes: [40], logprob: -0.001 },
            { text: '_', bytes: [95], logprob: -7.4 },
          ],
        },
      ],
    },
    { text: '', tokens: [], finish: 'length' },
  ],
};

// Ollama /api/chat, logprobs true, top_logprobs 2. Its runner is llama-server, so a character split over byte
// tokens arrives as one entry; alternatives that are lone bytes read "\ufffd" and carry that character's bytes
// (EF BF BD), not the token's (ollama#13497).
const ollamaChat: Transcript = {
  name: 'Ollama /api/chat NDJSON with logprobs',
  flavour: 'ollama',
  body: String.raw`{"model":"llama3.2","created_at":"2025-12-01T10:00:01.5Z","message":{"role":"assistant","content":"Caf"},"done":false,"logprobs":[{"token":"Caf","logprob":-0.3,"bytes":[67,97,102],"top_logprobs":[{"token":"Caf","logprob":-0.3,"bytes":[67,97,102]},{"token":"Co","logprob":-1.6,"bytes":[67,111]}]}]}
{"model":"llama3.2","created_at":"2025-12-01T10:00:01.6Z","message":{"role":"assistant","content":"é"},"done":false,"logprobs":[{"token":"é","logprob":-0.02,"bytes":[195,169],"top_logprobs":[{"token":"\ufffd","logprob":-0.02,"bytes":[239,191,189]},{"token":"\ufffd","logprob":-4.0,"bytes":[239,191,189]}]}]}
{"model":"llama3.2","created_at":"2025-12-01T10:00:01.7Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":210000000,"load_duration":1000000,"prompt_eval_count":31,"prompt_eval_duration":90000000,"eval_count":3,"eval_duration":30000000}
`,
  events: [
    {
      text: 'Caf',
      tokens: [
        {
          text: 'Caf',
          bytes: [67, 97, 102],
          logprob: -0.3,
          top: [
            { text: 'Caf', bytes: [67, 97, 102], logprob: -0.3 },
            { text: 'Co', bytes: [67, 111], logprob: -1.6 },
          ],
        },
      ],
    },
    {
      text: 'é',
      tokens: [
        {
          text: 'é',
          bytes: [195, 169],
          logprob: -0.02,
          top: [
            { text: '\ufffd', bytes: [239, 191, 189], logprob: -0.02 },
            { text: '\ufffd', bytes: [239, 191, 189], logprob: -4.0 },
          ],
        },
      ],
    },
    { text: '', tokens: [], finish: 'stop' },
  ],
};

export const TRANSCRIPTS: readonly Transcript[] = [
  llamaCompletion,
  llamaInfill,
  vllmCompletion,
  openAiLegacyBytes,
  vllmChat,
  openAiChatSplit,
  ollamaGenerate,
  ollamaChat,
];
