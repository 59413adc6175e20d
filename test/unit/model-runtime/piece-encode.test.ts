// Tokenizing part of a text (a prompt's window, a long text piece by piece) gives the whole text's tokens,
// on every fixture's tokenizer and the default model's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { headTokens, tailTokens } from '../../../model-runtime/bounded-encode';
import { readModelFolder } from '../../../model-runtime/model-folder';
import { encodePieces, pieceEnd } from '../../../model-runtime/piece-encode';
import { loadTokenizer, type Tokenizer } from '../../../model-runtime/tokenizer';
import { FIXTURES, fixtureNames } from './fixtures';

const DEFAULT_MODEL = 'media/models/tokenscope-code';

function tokenizers(): [string, Tokenizer][] {
  const dirs = [...fixtureNames().map((n) => join(FIXTURES, n)), DEFAULT_MODEL];
  return dirs.map((d) => [d, loadTokenizer(readModelFolder(d))]);
}

/** Code, prose, digits, CRLF, tabs, runs of spaces, accents, CJK and emoji (surrogate pairs). */
const sample =
  readFileSync('model-runtime/worker.ts', 'utf8') +
  readFileSync('README.md', 'utf8').slice(0, 6000) +
  'x = 1234567890 + 42;\r\n\tif (a)  {   b();\r\n}\n' +
  'Überprüfung café naïve 東京 🙂🙂 emoji👍🏽 end\n'.repeat(20) +
  ' '.repeat(300) +
  'tail';

test('a long text tokenized piece by piece gives the whole text tokens', async () => {
  for (const [name, tok] of tokenizers()) {
    const whole = tok.encode(sample);
    for (const size of [700, 2048]) {
      assert.deepEqual(await encodePieces(tok, sample, () => false, size), whole, `${name}, pieces of ${size}`);
    }
  }
});

test('the window at a prompt end gives the whole text last (and first) tokens', () => {
  for (const [name, tok] of tokenizers()) {
    // Cuts at assorted places: inside words, whitespace runs, multi-byte characters.
    for (let cut = 0; cut < 10; cut++) {
      const text = sample.slice(0, sample.length - cut * 131);
      const whole = tok.encode(text);
      assert.deepEqual(tailTokens(tok, text, 300), whole.slice(-300), `${name}, tail of ${text.length}`);
      const start = sample.slice(cut * 131);
      assert.deepEqual(headTokens(tok, start, 300), tok.encode(start).slice(0, 300), `${name}, head from ${cut * 131}`);
    }
  }
});

test('pieces end after a word, before a line break (else a space); a text without either is cut at the piece size', () => {
  const text = `${'word '.repeat(30)}last\n${'y'.repeat(100)}`;
  assert.equal(text[pieceEnd(text, 0, 160)], '\n');
  const words = 'word '.repeat(60);
  assert.equal(words[pieceEnd(words, 0, 160)], ' ');
  assert.equal(pieceEnd('z'.repeat(1000), 0, 160), 160);
  assert.equal(pieceEnd('🙂'.repeat(100), 0, 161), 162, 'never half a character');
});

test('a cancel lands between pieces: the rest of the text is never tokenized', async () => {
  let chars = 0;
  let calls = 0;
  const enc = {
    encode: (t: string) => {
      chars += t.length;
      calls++;
      return [...t].map((c) => c.charCodeAt(0));
    },
  };
  const text = 'abc\n'.repeat(1_000_000);
  let asked = 0;
  await assert.rejects(
    encodePieces(enc, text, () => ++asked >= 3, 4096),
    (e: Error & { code?: string }) => e.code === 'cancelled',
  );
  // Three pieces: the first alone, the next two each after its anchor (tokenized alone, then with the piece).
  assert.equal(asked, 3);
  assert.equal(calls, 5);
  assert.ok(chars < 4 * 4096, `${chars} of ${text.length} characters tokenized`);
});
