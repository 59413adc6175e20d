import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextStream, tokenText } from '../../../model-runtime/text-stream';

const enc = (s: string) => new TextEncoder().encode(s);

test('a character split across tokens is emitted only when whole', () => {
  const bytes = enc('a€b'); // € is 3 bytes
  const ts = new TextStream();
  const deltas: string[] = [];
  for (const b of bytes) deltas.push(ts.push(Uint8Array.of(b)).delta);
  assert.deepEqual(deltas, ['a', '', '', '€', 'b']);
  assert.equal(ts.text, 'a€b');
  // A lone continuation byte is reported as partial with no text.
  assert.deepEqual(tokenText(Uint8Array.of(0xe2, 0x82)), { text: '', partial: true });
  assert.deepEqual(tokenText(enc('€')), { text: '€', partial: false });
});

test('an emoji (4 bytes, a surrogate pair) never streams half', () => {
  const ts = new TextStream();
  const b = enc('x😀');
  const out = [ts.push(b.subarray(0, 3)).delta, ts.push(b.subarray(3)).delta];
  assert.deepEqual(out, ['x', '😀']);
});

test('stop sequences: held back while possible, cut when complete', () => {
  const ts = new TextStream(['\n\n', 'END']);
  assert.equal(ts.push(enc('foo')).delta, 'foo');
  assert.equal(ts.push(enc('\n')).delta, '');
  const r = ts.push(enc('\nbar'));
  assert.equal(r.delta, '');
  assert.equal(r.stopped, '\n\n');
  assert.equal(ts.text, 'foo');
  // A held-back prefix that does not complete is released.
  const t2 = new TextStream(['END']);
  assert.equal(t2.push(enc('xEN')).delta, 'x');
  assert.equal(t2.push(enc('D!')).stopped, 'END');
  assert.equal(t2.text, 'x');
  const t3 = new TextStream(['END']);
  t3.push(enc('xEN'));
  assert.equal(t3.push(enc('z')).delta, 'ENz');
  assert.equal(t3.push(enc('EN')).delta, '');
  assert.equal(t3.end(), 'EN');
  assert.equal(t3.text, 'xENzEN');
});
