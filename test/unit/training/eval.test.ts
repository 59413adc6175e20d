// The eval script end to end on a tiny fixture model and a synthetic test split: it reads the split,
// runs the model through the runtime, and writes every figure the model card quotes, in range.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

test('eval.ts: bits per byte, next-token accuracy, and per language and mode the next line: exact match with its interval, edit similarity, where FIM stops', () => {
  const corpus = mkdtempSync(join(tmpdir(), 'eval-'));
  // Token ids below 512 exist in the llama-tiny fixture's cut vocabulary.
  const tokens = Uint16Array.from({ length: 400 }, (_, i) => 32 + ((i * 7) % 90));
  for (const lang of ['tsjs', 'py']) writeFileSync(join(corpus, `test.${lang}.bin`), Buffer.from(tokens.buffer));
  const body = (lang: string) =>
    Array.from({ length: 30 }, (_, i) => (lang === 'py' ? `value_${i} = compute(${i})` : `const value${i} = compute(${i});`)).join('\n') +
    '\n';
  writeFileSync(
    join(corpus, 'test.jsonl'),
    ['tsjs', 'py'].map((lang) => JSON.stringify({ source: `pkg-${lang}`, lang, path: 'a', text: body(lang) })).join('\n') + '\n',
  );
  const out = join(corpus, 'results.json');
  const r = spawnSync(
    process.execPath,
    [
      resolve('dist/eval.js'),
      '--model',
      'test/fixtures/models/llama-tiny',
      '--onnx',
      'model.onnx',
      '--corpus',
      corpus,
      '--windows',
      '2',
      '--lines',
      '3',
      '--ctx',
      '64',
      '--threads',
      '1',
      '--json',
      out,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const res = JSON.parse(readFileSync(out, 'utf8'));
  assert.equal(res.onnx, 'model.onnx');
  for (const lang of ['tsjs', 'py']) {
    const x = res[lang];
    assert.ok(Number.isFinite(x.bitsPerByte) && x.bitsPerByte > 0, `${lang} bits/byte ${x.bitsPerByte}`);
    // 2 windows x the second half of 64 positions are scored.
    assert.equal(x.tokens, 64);
    assert.ok(x.nextTokenAccuracy >= 0 && x.nextTokenAccuracy <= 1, `${lang} next-token accuracy ${x.nextTokenAccuracy}`);
    assert.equal(x.lineSamples, 3);
    assert.deepEqual(Object.keys(x.nextLine), ['ltr', 'psm', 'spm']);
    for (const [mode, m] of Object.entries<Record<string, any>>(x.nextLine)) {
      assert.ok(m.exactMatch >= 0 && m.exactMatch <= 1, `${lang} ${mode} EM ${m.exactMatch}`);
      const [lo, hi] = m.exactMatchCi95;
      assert.ok(lo <= m.exactMatch && m.exactMatch <= hi && hi - lo > 0.3, `${lang} ${mode}: 3 lines give a wide interval, [${lo}, ${hi}]`);
      assert.ok(m.editSimilarity >= 0 && m.editSimilarity <= 1, `${lang} ${mode} edit similarity`);
      if (mode === 'ltr') assert.equal(m.endsWhereItShould, undefined, 'left-to-right has no end token to place');
      else assert.ok(m.endsWhereItShould >= 0 && m.endsWhereItShould <= 1, `${lang} ${mode} ends ${m.endsWhereItShould}`);
      assert.equal(m.examples.length, 3);
      for (const e of m.examples) assert.match(e.expected, /value_?\d+/);
    }
  }
});
