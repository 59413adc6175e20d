import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkRing, chunkAround, similarity } from '../../../../extension/completion/extra-context';

test('similarity is 1 for the same lines and 0 for disjoint ones', () => {
  assert.equal(similarity('a\nb', ' b\na '), 1);
  assert.equal(similarity('a\nb', 'c\nd'), 0);
  assert.equal(similarity('a\nb\nc', 'a\nb\nd'), 0.5);
});

test('chunkAround takes lines centred on the line, clamped to the text', () => {
  const text = Array.from({ length: 10 }, (_, i) => `line number ${i}`).join('\n');
  assert.equal(chunkAround(text, 5, 4), 'line number 3\nline number 4\nline number 5\nline number 6');
  assert.equal(chunkAround(text, 0, 2), 'line number 0\nline number 1');
  assert.equal(chunkAround(text, 9, 2), 'line number 8\nline number 9');
  assert.equal(chunkAround('\n\n}\n', 1, 4), undefined);
});

test('the ring keeps the newest chunks, drops near-duplicates, and leaves out the current file', () => {
  const r = new ChunkRing(2);
  r.add({ doc: 'a', path: 'a.ts', text: 'alpha\nbeta' });
  r.add({ doc: 'b', path: 'b.ts', text: 'gamma\ndelta' });
  r.add({ doc: 'a', path: 'a.ts', text: 'alpha\nbeta' }); // duplicate: replaces the old copy
  assert.equal(r.size, 2);
  assert.deepEqual(
    r.forPrompt('c').map((c) => c.text),
    ['gamma\ndelta', 'alpha\nbeta'],
  );
  assert.deepEqual(
    r.forPrompt('a').map((c) => c.path),
    ['b.ts'],
  );
  r.add({ doc: 'c', path: 'c.ts', text: 'epsilon' });
  assert.deepEqual(
    r.forPrompt('x').map((c) => c.path),
    ['a.ts', 'c.ts'],
  );
});
