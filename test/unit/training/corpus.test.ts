// The corpus builder on a small synthetic set of packages: license filter, duplicate removal, split by
// package (no package in two splits), one <|endoftext|> per file, and tokens that decode to the files.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decode } from 'gpt-tokenizer/encoding/p50k_edit';

const EOT = 50256;

function pkg(root: string, name: string, license: string, files: Record<string, string>): void {
  const dir = join(root, 'node_modules', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', license }));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), text);
  }
}

const body = (name: string, i: number) =>
  `// ${name} file ${i}\nexport function f${i}(x: number): number {\n  return x * ${i} + ${name.length};\n}\n`.repeat(3);

test('build-corpus: licenses, duplicates, package splits, EOT per file', () => {
  const root = mkdtempSync(join(tmpdir(), 'corpus-'));
  const names = Array.from({ length: 40 }, (_, i) => `pkg-${i}`);
  for (const n of names) pkg(root, n, 'MIT', { 'src/a.ts': body(n, 1), 'src/b.js': body(n, 2), 'cjs/a.js': body(n, 3) });
  pkg(root, 'copyleft', 'GPL-3.0', { 'index.js': body('copyleft', 1) });
  pkg(root, 'zz-dupe', 'ISC', { 'index.js': body('pkg-0', 1) }); // same text as pkg-0/src/a.ts
  pkg(root, 'minified', 'MIT', { 'index.js': 'var a=1;'.repeat(400) + '\n' });
  const py = join(root, 'py');
  mkdirSync(join(py, 'json'), { recursive: true });
  writeFileSync(join(py, 'json', '__init__.py'), 'def loads(s):\n    """Parse."""\n    return eval(s)  # not really\n'.repeat(3));
  writeFileSync(join(py, 'shlex.py'), 'def split(s):\n    """Split."""\n    return s.split()\n'.repeat(3));
  const out = join(root, 'out');
  const r = spawnSync(process.execPath, ['training/build-corpus.mjs', '--out', out, '--npm', join(root, 'node_modules'), '--python', py], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));

  assert.ok(
    m.skipped.some((s: { name: string }) => s.name === 'copyleft'),
    'GPL package skipped',
  );
  assert.ok(!m.sources.some((s: { name: string }) => s.name === 'copyleft'));
  assert.ok(!m.sources.some((s: { name: string }) => s.name === 'zz-dupe'), 'exact duplicate dropped');
  assert.ok(!m.sources.some((s: { name: string }) => s.name === 'minified'), 'minified file dropped');
  assert.equal(m.duplicatesDropped, 1);
  // Module-format copies (cjs/) are skipped: two files per package.
  for (const s of m.sources.filter((s: { kind: string }) => s.kind === 'npm')) assert.equal(s.files, 2, s.name);
  // Every source is in exactly one split, and all three splits are used by 40 packages.
  const splits = new Map<string, string>();
  for (const s of m.sources) {
    assert.ok(!splits.has(s.name), `${s.name} listed twice`);
    splits.set(s.name, s.split);
    assert.equal(s.license.length > 0, true);
  }
  assert.deepEqual(new Set(splits.values()), new Set(['train', 'val', 'test']));

  // Tokens: one EOT per file, and each file decodes back to its text.
  let files = 0;
  let tokens = 0;
  for (const key of Object.keys(m.splits)) {
    const buf = readFileSync(join(out, `${key}.bin`));
    const ids = Array.from(new Uint16Array(buf.buffer, buf.byteOffset, buf.length / 2));
    tokens += ids.length;
    let start = 0;
    ids.forEach((id, i) => {
      if (id !== EOT) return;
      const text = decode(ids.slice(start, i));
      assert.ok(text.includes('export function') || text.includes('def '), `decoded file ${files}`);
      start = i + 1;
      files++;
    });
    assert.equal(ids[ids.length - 1], EOT);
  }
  const expectedFiles = m.sources.reduce((a: number, s: { files: number }) => a + s.files, 0);
  assert.equal(files, expectedFiles);
  assert.equal(
    tokens,
    Object.values(m.splits as Record<string, number>).reduce((a, b) => a + b, 0),
  );

  // Held-out files are listed by hash, and the test split is there as text for evaluation.
  const heldout = readFileSync(join(out, 'heldout-hashes.txt'), 'utf8').split('\n').filter(Boolean);
  const nonTrain = m.sources
    .filter((s: { split: string }) => s.split !== 'train')
    .reduce((a: number, s: { files: number }) => a + s.files, 0);
  assert.equal(heldout.length, nonTrain);
  // The newline-starting token ids that line-shaped FIM cuts at (p50k: "\n", "\n\n", "\n" + no-break space).
  const newline: number[] = JSON.parse(readFileSync(join(out, 'newline-tokens.json'), 'utf8'));
  assert.deepEqual(newline, [198, 628, 44320]);
  for (const id of newline) assert.ok(decode([id]).startsWith('\n'));
  const testDocs = readFileSync(join(out, 'test.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  assert.ok(testDocs.length > 0);
  for (const d of testDocs) assert.equal(splits.get(d.source), 'test');
});
