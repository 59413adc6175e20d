// Builds the code corpus offline, from permissively licensed sources installed on this machine:
// TypeScript/JavaScript from npm packages (a folder of node_modules) and Python from the Python
// standard library. Records each source's license, drops duplicate files, and splits by package
// (never by file) into train / val / test, so no package leaks between splits. Tokenizes with
// gpt-tokenizer's p50k_edit, the encoding the model ships with, one <|endoftext|> after each file.
//
// usage: node build-corpus.mjs --out DIR [--npm DIR/node_modules] [--python /usr/lib/python3.11]
//                              [--max-package-mb 6] [--max-file-kb 400]
// writes: DIR/{train,val,test}.{tsjs,py}.bin (uint16 tokens), DIR/test.jsonl (test files as text,
// for evaluation), DIR/heldout-hashes.txt (hashes of val/test files, so a corpus built elsewhere can
// exclude them), DIR/manifest.json (each source with license, split, files, bytes, tokens).
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join, relative, extname } from 'node:path';

const require = createRequire(import.meta.url);
const tokenizer = require('gpt-tokenizer/encoding/p50k_edit');
const EOT = 50256;

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const outDir = arg('out');
if (!outDir) throw new Error('--out is required');
const npmRoot = arg('npm');
const pyRoot = arg('python', '/usr/lib/python3.11');
const maxPackageBytes = Number(arg('max-package-mb', '6')) * 1e6;
const maxFileBytes = Number(arg('max-file-kb', '400')) * 1e3;

const PERMISSIVE = /^(MIT|ISC|Apache-2\.0|BSD-2-Clause|BSD-3-Clause|0BSD|Unlicense|CC0-1\.0|BlueOak-1\.0\.0|Python-2\.0|PSF-2\.0)$/i;
const TSJS_EXT = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']);
// Build outputs that repeat the package's own sources in another module format.
const SKIP_DIRS = new Set([
  'node_modules',
  'cjs',
  'umd',
  'bundles',
  'es5',
  'esm5',
  '_esm5',
  'min',
  'dist-cjs',
  'browser',
  '.git',
  'test',
  'tests',
  '__tests__',
  'fixtures',
]);

/** Split by a hash of the package name: about 8% test, 5% val. */
export function splitOf(pkg) {
  const h = createHash('sha1').update(pkg).digest().readUInt32BE(0) / 2 ** 32;
  return h < 0.08 ? 'test' : h < 0.13 ? 'val' : 'train';
}
/** Looks machine-generated (minified or a data blob) rather than written by people. */
export function looksGenerated(text) {
  const lines = text.split('\n');
  const longLines = lines.filter((l) => l.length > 300).length;
  return longLines > 3 || text.length / Math.max(lines.length, 1) > 120;
}
export const contentHash = (text) => createHash('sha1').update(text.replace(/\s+/g, ' ').trim()).digest('hex');

function walk(dir, keep, acc = []) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return acc;
  }
  for (const name of names.sort()) {
    const p = join(dir, name);
    let st;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      if (!SKIP_DIRS.has(name) && !name.startsWith('.')) walk(p, keep, acc);
    } else if (keep(p, st)) acc.push(p);
  }
  return acc;
}

function npmPackages(root) {
  const dirs = [];
  for (const name of readdirSync(root).sort()) {
    if (name.startsWith('.')) continue;
    if (name.startsWith('@')) for (const sub of readdirSync(join(root, name)).sort()) dirs.push(join(root, name, sub));
    else dirs.push(join(root, name));
  }
  return dirs.flatMap((dir) => {
    let pj;
    try {
      pj = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    } catch {
      return [];
    }
    const license = typeof pj.license === 'string' ? pj.license : (pj.license?.type ?? pj.licenses?.[0]?.type ?? 'UNKNOWN');
    const files = walk(dir, (p, st) => TSJS_EXT.has(extname(p)) && !p.endsWith('.min.js') && st.size <= maxFileBytes);
    return [{ name: pj.name ?? relative(root, dir), version: pj.version, kind: 'npm', license, lang: 'tsjs', root: dir, files }];
  });
}

function pythonPackages(root) {
  // Each top-level module or package of the standard library counts as one package.
  const groups = new Map();
  for (const p of walk(root, (p, st) => p.endsWith('.py') && st.size <= maxFileBytes)) {
    const rel = relative(root, p);
    if (rel.startsWith('site-packages') || rel.startsWith('dist-packages') || /(^|\/)(test|tests|idlelib|lib2to3\/tests)\//.test(rel))
      continue;
    const top = rel.split('/')[0].replace(/\.py$/, '');
    if (!groups.has(top)) groups.set(top, []);
    groups.get(top).push(p);
  }
  return [...groups].map(([top, files]) => ({
    name: `python-stdlib/${top}`,
    kind: 'python-stdlib',
    license: 'PSF-2.0',
    lang: 'py',
    root,
    files,
  }));
}

const sources = [...(npmRoot ? npmPackages(npmRoot) : []), ...(existsSync(pyRoot) ? pythonPackages(pyRoot) : [])];
mkdirSync(outDir, { recursive: true });
const seen = new Set();
const heldout = [];
const outputs = new Map(); // "split.lang" -> { fd, tokens }
const testDocs = openSync(join(outDir, 'test.jsonl'), 'w');
const manifest = { encoding: 'p50k_edit', eot: EOT, built: new Date().toISOString(), sources: [], skipped: [] };
let duplicates = 0;

for (const src of sources) {
  if (!PERMISSIVE.test(src.license)) {
    manifest.skipped.push({ name: src.name, license: src.license, reason: 'license not on the permissive list' });
    continue;
  }
  const split = splitOf(src.name);
  const key = `${split}.${src.lang}`;
  if (!outputs.has(key)) outputs.set(key, { fd: openSync(join(outDir, `${key}.bin`), 'w'), tokens: 0 });
  const out = outputs.get(key);
  let bytes = 0,
    files = 0,
    tokens = 0;
  for (const file of src.files) {
    if (bytes > maxPackageBytes) break;
    const text = readFileSync(file, 'utf8');
    if (text.length < 64 || looksGenerated(text)) continue;
    const hash = contentHash(text);
    if (seen.has(hash)) {
      duplicates++;
      continue;
    }
    seen.add(hash);
    const ids = tokenizer.encode(text, { disallowedSpecial: new Set() });
    ids.push(EOT);
    writeSync(out.fd, Buffer.from(new Uint16Array(ids).buffer));
    if (split !== 'train') heldout.push(hash);
    if (split === 'test')
      writeSync(testDocs, JSON.stringify({ source: src.name, lang: src.lang, path: relative(src.root, file), text }) + '\n');
    bytes += Buffer.byteLength(text);
    files++;
    tokens += ids.length;
  }
  out.tokens += tokens;
  if (files)
    manifest.sources.push({
      name: src.name,
      version: src.version,
      kind: src.kind,
      license: src.license,
      lang: src.lang,
      split,
      files,
      bytes,
      tokens,
    });
}
for (const o of outputs.values()) closeSync(o.fd);
closeSync(testDocs);
writeFileSync(join(outDir, 'heldout-hashes.txt'), heldout.join('\n') + '\n');
// Token ids that start with a newline: train.py cuts line-shaped FIM middles at them.
const newlineIds = [];
for (let id = 0; id < 50284; id++) {
  if (id === EOT || (id > 50256 && id >= 50281)) continue;
  let text;
  try {
    text = tokenizer.decode([id]);
  } catch {
    continue;
  }
  if (text.startsWith('\n')) newlineIds.push(id);
}
writeFileSync(join(outDir, 'newline-tokens.json'), JSON.stringify(newlineIds));
manifest.duplicatesDropped = duplicates;
manifest.splits = Object.fromEntries([...outputs].map(([k, v]) => [k, v.tokens]));
writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 1));
console.log(
  JSON.stringify({ splits: manifest.splits, sources: manifest.sources.length, skipped: manifest.skipped.length, duplicates }, null, 1),
);
