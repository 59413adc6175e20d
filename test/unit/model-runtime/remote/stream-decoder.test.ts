import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteProtocolError } from '../../../../model-runtime/remote/errors';
import { framing, parseEvent } from '../../../../model-runtime/remote/flavours';
import { StreamDecoder } from '../../../../model-runtime/remote/stream-decoder';
import type { StreamFraming } from '../../../../model-runtime/remote/types';
import { TRANSCRIPTS } from './transcripts';

const enc = (s: string) => new TextEncoder().encode(s);

/** Every payload of `chunks` fed in order, then end(). */
function decode(mode: StreamFraming, chunks: (string | Uint8Array)[]): unknown[] {
  const d = new StreamDecoder(mode);
  const out: unknown[] = [];
  for (const c of chunks) out.push(...d.push(typeof c === 'string' ? enc(c) : c));
  out.push(...d.end());
  return out;
}

for (const t of TRANSCRIPTS) {
  test(`${t.name}: the same events however the body is cut`, () => {
    const bytes = enc(t.body);
    const mode = framing(t.flavour);
    const whole = decode(mode, [bytes]);
    assert.deepEqual(
      whole.map((p) => parseEvent(t.flavour, p)),
      t.events,
    );
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.deepEqual(decode(mode, [bytes.subarray(0, cut), bytes.subarray(cut)]), whole, `cut at byte ${cut}`);
    }
    const single = [...bytes].map((b) => Uint8Array.of(b));
    assert.deepEqual(decode(mode, single), whole, 'one byte at a time');
  });
}

test('a character split over tokens with bytes per token reassembles from the bytes', () => {
  for (const name of [
    'OpenAI /v1/completions with "bytes:" tokens',
    'OpenAI /v1/chat/completions with a character split over two tokens',
  ]) {
    const t = TRANSCRIPTS.find((x) => x.name === name)!;
    const events = decode('sse', [t.body]).map((p) => parseEvent(t.flavour, p));
    const split = events.flatMap((e) => e.tokens).filter((tok) => tok.bytes?.some((b) => b >= 0x80));
    assert.equal(split.length, 2, name);
    const joined = Uint8Array.from(split.flatMap((tok) => tok.bytes!));
    const char = new TextDecoder('utf-8', { fatal: true }).decode(joined);
    assert.equal(char, name.includes('chat') ? '🙂' : '’');
    assert.equal(
      events
        .map((e) => e.text)
        .join('')
        .endsWith(char),
      true,
      'the text deltas hold the character once, whole',
    );
  }
});

test('SSE: multi-line data is joined with a newline; comments, event, id and retry fields are ignored', () => {
  const body = ': ping\nevent: message\nid: 7\nretry: 1000\ndata: {"a":\ndata:  [1,\ndata: 2]}\n\n:another comment\n\n';
  assert.deepEqual(decode('sse', [body]), [{ a: [1, 2] }]);
  // No space after the colon, and a field with no colon at all (an empty data line).
  assert.deepEqual(decode('sse', ['data:{"b":1}\n\n', 'data\ndata: 2\n\n']), [{ b: 1 }, 2]);
});

test('SSE: CRLF, CR and LF line ends, also with the CR and LF in different chunks', () => {
  assert.deepEqual(decode('sse', ['data: 1\r\n\r\ndata: 2\r\rdata: 3\n\n']), [1, 2, 3]);
  // Were the CR ending a chunk taken as a line end, the LF after it would dispatch "[1," alone.
  assert.deepEqual(decode('sse', ['data: [1,\r', '\ndata: 2]\r', '\n\r', '\n']), [[1, 2]]);
  // A lone CR at the very end of the body still ends the line.
  assert.deepEqual(decode('sse', ['data: 4\r']), [4]);
});

test('SSE: [DONE] ends the stream; nothing after it is returned or parsed', () => {
  const d = new StreamDecoder('sse');
  assert.deepEqual(d.push(enc('data: {"n":1}\n\ndata: [DONE]\n\ndata: not json\n\n')), [{ n: 1 }]);
  assert.deepEqual(d.push(enc('data: {"n":2}\n\n')), []);
  assert.deepEqual(d.end(), []);
});

test('end() flushes an unterminated last event or line; push() holds it back', () => {
  const d = new StreamDecoder('sse');
  assert.deepEqual(d.push(enc('data: {"x":1}\n\ndata: {"x":2}')), [{ x: 1 }]);
  assert.deepEqual(d.end(), [{ x: 2 }]);
  assert.deepEqual(decode('sse', ['data: {"y":1}\n']), [{ y: 1 }]);
  const n = new StreamDecoder('ndjson');
  assert.deepEqual(n.push(enc('{"z":1}\n{"z":')), [{ z: 1 }]);
  assert.deepEqual(n.push(enc('2}')), []);
  assert.deepEqual(n.end(), [{ z: 2 }]);
});

test('NDJSON: blank lines and CRLF are accepted', () => {
  assert.deepEqual(decode('ndjson', ['\n{"a":1}\r\n\r\n  \n{"a":2}\n']), [{ a: 1 }, { a: 2 }]);
});

test('a multi-byte character cut between chunks comes out whole; a leading BOM is dropped', () => {
  const bytes = enc('\ufeffdata: {"t":"é😀"}\n\n');
  for (let cut = 0; cut <= bytes.length; cut++) {
    assert.deepEqual(decode('sse', [bytes.subarray(0, cut), bytes.subarray(cut)]), [{ t: 'é😀' }]);
  }
});

test('error payloads are returned as they are for the parser to raise', () => {
  const error = { error: { code: 500, message: 'context overflow', type: 'server_error' } };
  assert.deepEqual(decode('sse', [`data: ${JSON.stringify(error)}\n\n`]), [error]);
  assert.deepEqual(decode('ndjson', ['{"error":"model not found"}\n']), [{ error: 'model not found' }]);
  // Older llama-server: `error: {...}` in place of a data line.
  assert.deepEqual(decode('sse', ['error: {"code":500,"message":"boom"}\n\n']), [{ error: { code: 500, message: 'boom' } }]);
  // An `event: error` whose data has no error key is wrapped so that the parser sees it as one.
  assert.deepEqual(decode('sse', ['event: error\ndata: {"message":"overloaded"}\n\n']), [{ error: { message: 'overloaded' } }]);
  assert.deepEqual(decode('sse', ['event: error\ndata: plain text\n\n']), [{ error: 'plain text' }]);
});

test('a payload that is not JSON throws RemoteProtocolError quoting at most about 120 characters of it', () => {
  const bad = `{"content": "${'x'.repeat(300)}`;
  for (const [mode, body] of [
    ['sse', `data: ${bad}\n\n`],
    ['ndjson', `${bad}\n`],
  ] as const) {
    const d = new StreamDecoder(mode);
    assert.throws(
      () => d.push(enc(body)),
      (e: unknown) => {
        assert.ok(e instanceof RemoteProtocolError);
        assert.match(e.message, new RegExp(`^The ${mode} stream sent a payload that is not JSON: "\\{\\\\"content\\\\": \\\\"x+…"$`));
        assert.ok(e.message.length < 200, e.message);
        return true;
      },
    );
    // The decoder lost its place: it returns nothing more rather than guess.
    assert.deepEqual(d.push(enc('{"ok":1}\n\n')), []);
    assert.deepEqual(d.end(), []);
  }
  assert.throws(() => decode('sse', ['data: {"unterminated": tr']), /not JSON: "\{\\"unterminated\\": tr"/);
});
