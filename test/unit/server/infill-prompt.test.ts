import assert from 'node:assert/strict';
import { test } from 'node:test';
import { infillPrompt } from '../../../server/routes/llama';

const body = { input_prefix: 'a = ', input_suffix: '\n', input_extra: [{ filename: 'src/b.py', text: 'b = 2\n' }] };

test("/infill's input_extra: repository files for a model with repository tokens, comments before the prefix for others", () => {
  const repoModel = { fim: { prefix: 1, suffix: 2, middle: 3, family: 'qwen2.5-coder', repoName: 4, fileSep: 5 } };
  assert.deepEqual(infillPrompt(body, repoModel), {
    fim: { prefix: 'a = ', suffix: '\n', context: { repo: 'myproject', path: 'filename', files: [{ path: 'src/b.py', text: 'b = 2\n' }] } },
  });
  assert.deepEqual(infillPrompt(body, {}), { fim: { prefix: '// src/b.py\nb = 2\n\na = ', suffix: '\n' } });
  assert.deepEqual(infillPrompt({ input_prefix: 'a = ' }, repoModel), { fim: { prefix: 'a = ', suffix: '' } });
  assert.throws(() => infillPrompt({ input_extra: [{ filename: 'x' }] }, {}), /input_extra\[0\]\.text must be a string/);
});
