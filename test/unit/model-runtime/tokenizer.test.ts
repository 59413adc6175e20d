import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readModelFolder, type ModelFolder } from '../../../model-runtime/model-folder';
import { fimFrom, loadTokenizer } from '../../../model-runtime/tokenizer';
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
  assert.deepEqual(t.fim, { prefix: 50281, suffix: 50283, middle: 50282, family: 'qwen2.5-coder' });
  assert.equal(t.specialId('<|endoftext|>'), 50256);
  assert.ok(t.isSpecial(50281));
  assert.equal(t.decode(t.encode('    indented\n')), '    indented\n');
});

test('FIM ids: CodeLlama\'s word-start spelling ("▁<PRE>") counts; Qwen2.5-Coder brings its repository tokens', () => {
  const lookup = (m: Record<string, number>) => (s: string) => m[s];
  assert.deepEqual(fimFrom(lookup({ '▁<PRE>': 32007, '▁<SUF>': 32008, '▁<MID>': 32009 })), {
    prefix: 32007,
    suffix: 32008,
    middle: 32009,
    family: 'codellama',
  });
  const qwen = { '<|fim_prefix|>': 1, '<|fim_suffix|>': 2, '<|fim_middle|>': 3 };
  assert.equal(fimFrom(lookup(qwen))?.fileSep, undefined, 'repository tokens only where the tokenizer has both');
  assert.deepEqual(fimFrom(lookup({ ...qwen, '<|repo_name|>': 4, '<|file_sep|>': 5 })), {
    prefix: 1,
    suffix: 2,
    middle: 3,
    family: 'qwen2.5-coder',
    repoName: 4,
    fileSep: 5,
  });
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

test("tokenizer.json: FIM ids found by each family's own tokens (DeepSeek-Coder, StarCoder), none for a tokenizer without them", () => {
  const f = readModelFolder(join(FIXTURES, 'llama-tiny'));
  const base = f.tokenizerJson as { model: { vocab: Record<string, number> }; added_tokens: object[] };
  const next = Math.max(...Object.values(base.model.vocab)) + 1;
  const fimLike = (t: string) => /fim_(prefix|suffix|middle)/.test(t);
  const withTokens = (tokens: string[]) => {
    const json = structuredClone(base);
    // Without the <|fim_…|> spelling the fixture has, so the family under test is the only one present.
    json.added_tokens = json.added_tokens.filter((t) => !fimLike((t as { content: string }).content));
    json.model.vocab = Object.fromEntries(Object.entries(json.model.vocab).filter(([t]) => !fimLike(t)));
    tokens.forEach((content, i) => {
      json.added_tokens.push({ id: next + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
    });
    return loadTokenizer({ ...f, tokenizerJson: json });
  };
  assert.equal(loadTokenizer(f).fim?.family, 'qwen2.5-coder', 'the fixture spells its FIM tokens <|fim_prefix|>…');
  assert.equal(withTokens([]).fim, undefined);
  const deepseek = withTokens(['<｜fim▁begin｜>', '<｜fim▁hole｜>', '<｜fim▁end｜>']);
  assert.deepEqual(deepseek.fim, { prefix: next, suffix: next + 1, middle: next + 2, family: 'deepseek-coder' });
  const star = withTokens(['<fim_prefix>', '<fim_middle>', '<fim_suffix>']);
  assert.deepEqual(star.fim, { prefix: next, suffix: next + 2, middle: next + 1, family: 'starcoder' });
});
