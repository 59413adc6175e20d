import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generationPrompt, type PromptModel, promptTokens } from '../../../model-runtime/prompt-tokens';

// A tokenizer with one id per character (a=1, b=2, ...) and FIM sentinels 100-102.
const tokenizer: PromptModel['tokenizer'] = {
  encode: (text: string) => [...text].map((c) => c.charCodeAt(0) - 96),
  fim: { prefix: 100, suffix: 101, middle: 102 },
};
const model = (fimLayout: 'psm' | 'spm', over: Partial<PromptModel> = {}): PromptModel => ({
  contextLength: 64,
  tokenizer,
  fimLayout,
  separator: 0,
  ...over,
});

test('PSM: prefix, suffix, then the middle sentinel', () => {
  assert.deepEqual(promptTokens({ fim: { prefix: 'ab', suffix: 'cd' } }, 8, model('psm')), [100, 1, 2, 101, 3, 4, 102]);
});

test('SPM: suffix first, the prefix right before the middle the model continues', () => {
  assert.deepEqual(promptTokens({ fim: { prefix: 'ab', suffix: 'cd' } }, 8, model('spm')), [100, 101, 3, 4, 102, 1, 2]);
});

test('a prompt may ask for the other layout than the model default (evaluations compare them)', () => {
  assert.deepEqual(promptTokens({ fim: { prefix: 'ab', suffix: 'cd', layout: 'spm' } }, 8, model('psm')), [100, 101, 3, 4, 102, 1, 2]);
});

test('both layouts keep the end of the prefix and the start of the suffix within the budget, BOS first', () => {
  const m = model('spm', { contextLength: 16, bos: 50 });
  const tokens = promptTokens({ fim: { prefix: 'abcdefghijklmnop', suffix: 'qrstuvwxyz' } }, 8, m);
  assert.equal(tokens.length, 16 - 8);
  assert.equal(tokens[0], 50);
  assert.deepEqual(tokens.slice(1, 3), [100, 101]);
  assert.equal(tokens.at(-1), 16, 'the last prefix character is kept, right before the middle');
  assert.equal(tokens[3], 17, 'the suffix starts at its start');
});

test('a model without FIM tokens gets the prefix alone; an empty prompt starts from the separator', () => {
  const plain = model('psm', { tokenizer: { encode: tokenizer.encode, fim: undefined } });
  assert.deepEqual(promptTokens({ fim: { prefix: 'ab', suffix: 'cd' } }, 8, plain), [1, 2]);
  assert.deepEqual(generationPrompt({ text: '' }, 8, plain), [0]);
});
