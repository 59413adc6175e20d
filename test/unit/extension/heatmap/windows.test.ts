import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptWindow, windowAt, type Positioned } from '../../../../extension/heatmap/windows';

/** A fake scorer: one "token" per `tok` characters, at most `ctx` tokens (as the worker truncates). */
function score(text: string, tok: number, ctx: number): Positioned[] {
  const out: Positioned[] = [];
  for (let i = 0; i < text.length && out.length < ctx; i += tok) out.push({ offset: i, text: text.slice(i, i + tok) });
  return out;
}

function slide(text: string, size: number, overlap: number, tok: number, ctx: number): { kept: Positioned[]; windows: number } {
  const kept: Positioned[] = [];
  let keepFrom = 0;
  let windows = 0;
  while (keepFrom < text.length) {
    const w = windowAt(text.length, keepFrom, size, overlap);
    const r = acceptWindow(w, score(text.slice(w.start, w.end), tok, ctx), text.length);
    assert.ok(r.next > keepFrom, 'always makes progress');
    kept.push(...r.kept);
    keepFrom = r.next;
    windows++;
  }
  return { kept, windows };
}

test('a short text is one window', () => {
  assert.deepEqual(windowAt(100, 0, 1000, 200), { start: 0, end: 100, keepFrom: 0 });
  const r = slide('x'.repeat(100), 1000, 200, 4, 1000);
  assert.equal(r.windows, 1);
  assert.equal(r.kept.length, 25);
});

test('a long text slides with overlap and every character is covered exactly once', () => {
  const text = Array.from({ length: 500 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
  const r = slide(text, 120, 30, 3, 1000);
  assert.ok(r.windows > 4);
  assert.equal(r.kept.map((p) => p.text).join(''), text);
  const offsets = r.kept.map((p) => p.offset);
  assert.deepEqual(
    offsets,
    [...offsets].sort((a, b) => a - b),
  );
  assert.equal(new Set(offsets).size, offsets.length);
});

test('windows cut short by the context continue where the scoring stopped', () => {
  const text = 'abcdefghij'.repeat(40);
  // The window asks for 200 characters but the "context" holds 20 tokens of 4 characters.
  const r = slide(text, 200, 40, 4, 20);
  assert.equal(r.kept.map((p) => p.text).join(''), text);
  for (const p of r.kept) assert.equal(p.text, text.slice(p.offset, p.offset + p.text.length));
});

test('later windows start before the part they keep', () => {
  const w = windowAt(1000, 400, 200, 50);
  assert.deepEqual(w, { start: 350, end: 550, keepFrom: 400 });
});
