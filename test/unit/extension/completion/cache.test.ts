import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompletionCache } from '../../../../extension/completion/cache';

test('a completion is found at the same position', () => {
  const c = new CompletionCache<number>();
  c.put('a.ts', 'const x = ', ';\n', ['compute(1)'], 7);
  const hit = c.get('a.ts', 'const x = ', ';\n');
  assert.deepEqual(hit?.texts, ['compute(1)']);
  assert.equal(hit?.entry.data, 7);
  assert.equal(c.get('b.ts', 'const x = ', ';\n'), undefined);
  assert.equal(c.get('a.ts', 'const x = ', '\n'), undefined);
});

test('typing through a completion keeps the rest of it', () => {
  const c = new CompletionCache();
  c.put('a.ts', 'const x = ', ';', ['compute(1)', 'cost']);
  const hit = c.get('a.ts', 'const x = com', ';');
  assert.deepEqual(hit?.texts, ['pute(1)']);
  assert.equal(hit?.typed, 3);
  // Typed something else: no hit.
  assert.equal(c.get('a.ts', 'const x = cx', ';'), undefined);
  // Typed all of it: nothing left to suggest.
  assert.equal(c.get('a.ts', 'const x = compute(1)', ';'), undefined);
});

test('typing through works with a long document (only the tail is compared)', () => {
  const c = new CompletionCache(8, 50, 50);
  const before = 'x'.repeat(1000) + '\nfoo(';
  c.put('a.ts', before, ')', ['bar, baz']);
  assert.deepEqual(c.get('a.ts', before + 'bar, ', ')')?.texts, ['baz']);
});

test('least recently used entries fall out', () => {
  const c = new CompletionCache(2);
  c.put('a', '1', '', ['one']);
  c.put('a', '2', '', ['two']);
  assert.ok(c.get('a', '1', '')); // touch 1: 2 is now the oldest
  c.put('a', '3', '', ['three']);
  assert.equal(c.size, 2);
  assert.equal(c.get('a', '2', ''), undefined);
  assert.ok(c.get('a', '1', ''));
  assert.ok(c.get('a', '3', ''));
});
