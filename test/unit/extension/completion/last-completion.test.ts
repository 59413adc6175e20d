import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Candidate } from '../../../../extension/completion/engine';
import { LastCompletion } from '../../../../extension/completion/last-completion';
import type { BuiltPrompt } from '../../../../extension/completion/prompt';

const prompt = { prompt: { text: 'x' } } as unknown as BuiltPrompt;
const cand = (text: string) => ({ text, generationId: 1, steps: [] }) as unknown as Candidate;
const shown = (last: LastCompletion, offset: number, ...texts: string[]) =>
  last.remember({ doc: 'a.ts', offset, candidates: texts.map(cand), prompt });

test('Explain keeps the accepted completion when VS Code asks again at its end (the follow-up newline)', () => {
  const last = new LastCompletion();
  const a = shown(last, 10, '  return a * b;');
  last.accept(a, 0, '  return a * b;', 25);
  shown(last, 25, '\n');
  assert.equal(last.latest()?.id, a);
  assert.equal(last.candidate()?.text, '  return a * b;');
});

test('a follow-up recorded before the acceptance arrives does not win either', () => {
  const last = new LastCompletion();
  const a = shown(last, 10, 'abc');
  shown(last, 13, '\n');
  last.accept(a, 0, 'abc', 13);
  assert.equal(last.latest()?.id, a);
});

test('a completion shown elsewhere, or a second accepted one, is explained next', () => {
  const last = new LastCompletion();
  const a = shown(last, 10, 'abc');
  last.accept(a, 0, 'abc', 13);
  const b = shown(last, 13, '\n}');
  last.accept(b, 0, '\n}', 15);
  assert.equal(last.latest()?.id, b);
  const c = shown(last, 40, 'later');
  assert.equal(last.latest()?.id, c);
  assert.equal(last.get(a)?.accepted?.text, 'abc');
});

test('an insertion of the rest of a shown candidate counts as its acceptance (typed part excluded)', () => {
  const last = new LastCompletion();
  const a = shown(last, 10, 'first()', 'second()');
  // "se" typed before; the rest inserted at 12.
  assert.equal(last.noteInsertion('a.ts', 12, 'cond()'), a);
  assert.deepEqual(last.latest()?.accepted, { index: 1, text: 'cond()', end: 18 });
  assert.equal(last.candidate()?.text, 'second()');
  assert.equal(last.noteInsertion('a.ts', 30, 'x'), undefined);
  assert.equal(last.noteInsertion('b.ts', 12, 'cond()'), undefined);
});
