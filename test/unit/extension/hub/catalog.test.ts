import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CATALOG, parseRepoSpec } from '../../../../extension/hub/catalog';
import { checkRepoId } from '../../../../model-runtime/hub/endpoint';

test('every curated entry is a valid repo id with a size, a use and a license', () => {
  for (const c of CATALOG) {
    assert.equal(checkRepoId(c.repo), c.repo);
    assert.ok(c.size && c.goodFor && c.license, c.repo);
  }
  assert.ok(
    CATALOG.some((c) => /fill-in-the-middle/.test(c.goodFor) && !/Instruct/.test(c.repo)),
    'a base model for completions',
  );
});

test('a typed repo: org/name (main), org/name@revision, a pasted hub URL; anything else says what was expected', () => {
  assert.deepEqual(parseRepoSpec(' HuggingFaceTB/SmolLM2-135M-Instruct '), {
    repo: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    revision: 'main',
  });
  assert.deepEqual(parseRepoSpec('o/n@refs/pr/3'), { repo: 'o/n', revision: 'refs/pr/3' });
  assert.deepEqual(parseRepoSpec('https://huggingface.co/o/n'), { repo: 'o/n', revision: 'main' });
  assert.throws(() => parseRepoSpec('smollm'), /expected "organisation\/name"/);
  assert.throws(() => parseRepoSpec('o/n@'), /not a revision/);
});
