import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readModelFolder, type ModelFolder } from '../../../model-runtime/model-folder';
import { loadTokenizer } from '../../../model-runtime/tokenizer';
import { FIXTURES } from './fixtures';

const concat = (parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const sample = 'def f(x):\n    return x  # café ✓ 😀\n';

test('gpt-tokenizer encodings: round trip, token bytes, specials never parsed from text', () => {
  const f = readModelFolder(join(FIXTURES, 'gpt2-tiny'));
  const t = loadTokenizer(f);
  assert.equal(t.kind, 'gpt-tokenizer:r50k_base');
  const ids = t.encode(sample);
  assert.equal(t.decode(ids), sample);
  assert.equal(new TextDecoder().decode(concat(ids.map((i) => t.tokenBytes(i)))), sample);
  assert.equal(t.specialId('<|endoftext|>'), 50256);
  assert.ok(!t.encode('a<|endoftext|>b').includes(50256));
  assert.equal(t.fim, undefined);
  // The emoji is split into byte tokens: some hold partial UTF-8.
  assert.ok(t.encode('😀').length > 1);
});

test('p50k_edit: FIM ids looked up by their text', () => {
  const f = { ...readModelFolder(join(FIXTURES, 'gpt2-tiny')), gptEncoding: 'p50k_edit' } as ModelFolder;
  const t = loadTokenizer(f);
  assert.deepEqual(t.fim, { prefix: 50281, suffix: 50283, middle: 50282 });
  assert.equal(t.specialId('<|endoftext|>'), 50256);
  assert.ok(t.isSpecial(50281));
  assert.equal(t.decode(t.encode('    indented\n')), '    indented\n');
});

test('tokenizer.json through @huggingface/tokenizers: round trip and byte-level token bytes', () => {
  const f = readModelFolder(join(FIXTURES, 'llama-tiny'));
  const t = loadTokenizer(f);
  assert.equal(t.kind, 'tokenizer.json');
  const ids = t.encode(sample);
  assert.ok(ids.length > 5);
  assert.equal(t.decode(ids), sample);
  assert.equal(new TextDecoder().decode(concat(ids.map((i) => t.tokenBytes(i)))), sample);
  assert.equal(t.specialId('<|endoftext|>'), 512);
  assert.ok(ids.every((i) => i < f.arch.vocabSize));
});
