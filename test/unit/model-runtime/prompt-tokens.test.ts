import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHARS_PER_TOKEN, MARGIN } from '../../../model-runtime/bounded-encode';
import { generationPrompt, type PromptModel, promptTokens } from '../../../model-runtime/prompt-tokens';

// A tokenizer with one id per character (a=1, b=2, ...) and FIM sentinels 100-102.
const tokenizer: PromptModel['tokenizer'] = {
  encode: (text: string) => [...text].map((c) => c.charCodeAt(0) - 96),
  fim: { prefix: 100, suffix: 101, middle: 102, family: 'qwen2.5-coder' },
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

test('repository context: <|repo_name|>, each file after <|file_sep|> and its path, the current path, then the FIM part', () => {
  const repoTok = { ...tokenizer, fim: { ...tokenizer.fim!, repoName: 110, fileSep: 111 } };
  const nl = -86; // '\n' in the one-id-per-character tokenizer
  const context = { repo: 'r', path: 'c', files: [{ path: 'a', text: 'x' }] };
  const m = model('psm', { tokenizer: repoTok });
  assert.deepEqual(promptTokens({ fim: { prefix: 'ab', suffix: 'cd', context } }, 8, m), [
    ...[110, 18, nl], // <|repo_name|>r
    ...[111, 1, nl, 24, nl], // <|file_sep|>a + its text
    ...[111, 3, nl], // <|file_sep|>c: the current file
    ...[100, 1, 2, 101, 3, 4, 102],
  ]);
  // Within half the budget: the newest files are kept, the oldest dropped first.
  const many = { ...context, files: Array.from({ length: 20 }, (_, i) => ({ path: String.fromCharCode(97 + i), text: 'yyyy' })) };
  const t = promptTokens({ fim: { prefix: 'ab', suffix: 'cd', context: many } }, 8, m);
  assert.ok(t.length <= 64 - 8);
  // Half of the 53 left after the sentinels: the repo and current headers (6) and one 8-token file.
  assert.equal(t.filter((x) => x === 111).length, 2, 'one file kept, the current one named');
  assert.equal(t[4], 20, 'the kept file is the newest (t)');
  // A model without those tokens gets none of it.
  assert.deepEqual(promptTokens({ fim: { prefix: 'ab', suffix: 'cd', context } }, 8, model('psm')), [100, 1, 2, 101, 3, 4, 102]);
});

test('a model without FIM tokens gets the prefix alone; an empty prompt starts from the separator', () => {
  const plain = model('psm', { tokenizer: { encode: tokenizer.encode, fim: undefined } });
  assert.deepEqual(promptTokens({ fim: { prefix: 'ab', suffix: 'cd' } }, 8, plain), [1, 2]);
  assert.deepEqual(generationPrompt({ text: '' }, 8, plain), [0]);
});

/** The one-id-per-character tokenizer, counting the characters that reach encode(). */
function counting(charsPerToken = 1) {
  const seen = { chars: 0, calls: 0 };
  const tok: PromptModel['tokenizer'] = {
    encode: (text: string) => {
      seen.chars += text.length;
      seen.calls++;
      const ids = tokenizer.encode(text);
      return ids.filter((_, i) => (ids.length - i) % charsPerToken === 0 || charsPerToken === 1);
    },
    fim: tokenizer.fim,
  };
  return { tok, seen };
}

test('a 10 MB one-line prompt: only a window at its end reaches the tokenizer, then it is cut exactly', () => {
  const big = 'abcdefghijklmnopqrstuvwxyz'.repeat(Math.ceil((10 * 1024 * 1024) / 26)).slice(0, 10 * 1024 * 1024);
  const { tok, seen } = counting();
  const m = model('psm', { contextLength: 2048, tokenizer: tok });
  const budget = 2048 - 64;
  const tokens = promptTokens({ text: big }, 64, m);
  assert.deepEqual(tokens, tokenizer.encode(big.slice(-budget)));
  assert.equal(seen.calls, 1);
  assert.equal(seen.chars, (budget + MARGIN) * CHARS_PER_TOKEN, 'one window of the budget, not 10 MB');
  // FIM: the end of a 10 MB prefix and the start of a 10 MB suffix, each one window.
  seen.chars = 0;
  const fim = promptTokens({ fim: { prefix: big, suffix: big } }, 64, m);
  assert.equal(fim.length, budget);
  assert.equal(fim[fim.indexOf(101) - 1], big.charCodeAt(big.length - 1) - 96, 'the prefix ends with its last character');
  assert.equal(fim[fim.indexOf(101) + 1], 1, 'the suffix starts with its first character');
  assert.ok(seen.chars <= 2 * (budget + MARGIN) * CHARS_PER_TOKEN, `${seen.chars} characters tokenized`);
});

test('text with long tokens: the window doubles until it holds the budget, still bounded by it', () => {
  const big = 'x'.repeat(10 * 1024 * 1024);
  const { tok, seen } = counting(20); // one token per 20 characters
  const tokens = promptTokens({ text: big }, 32, model('psm', { contextLength: 256, tokenizer: tok }));
  assert.equal(tokens.length, 256 - 32);
  // Windows of 8, 16, 32 characters per token of the budget: 56 in all.
  assert.equal(seen.calls, 3);
  assert.equal(seen.chars, (256 - 32 + MARGIN) * CHARS_PER_TOKEN * (1 + 2 + 4));
});
