#!/usr/bin/env node
// `npm run package [-- --target linux-x64] [--images-url https://…/]`: a platform-specific VSIX with the
// bundled code, the default model, and only that platform's onnxruntime-node binaries, written to
// .artifacts/package/tokenscope-<target>-<version>.vsix. The files are staged in .artifacts/package/stage
// (scripts/lib/vsix.mjs says which; nothing else in the repo can slip in), then packed by vsce.
// --images-url (or TOKENSCOPE_IMAGES_URL): an https folder serving this repository's files, so the README's
// screenshots show on the extension's details page; without it they become captions (see readmeForVsix).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultModel } from './lib/vscode-server.mjs';
import { LLAMA_BINARIES, readmeForVsix, vsceReadmeArgs, vsixEntries } from './lib/vsix.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const argv = process.argv.slice(2);
const opt = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
const target = opt('--target') ?? `${process.platform}-${process.arch}`;
const log = (m) => console.log(`[package] ${m}`);
const die = (m) => {
  console.error(`[package] ${m}`);
  process.exit(1);
};
if (!TARGETS.includes(target)) die(`unknown target ${target}; one of ${TARGETS.join(', ')}`);

if (!argv.includes('--no-build')) {
  log('building');
  const b = spawnSync(process.execPath, [join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const outDir = join(ROOT, '.artifacts', 'package');
const stage = join(outDir, 'stage');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

// The manifest: no scripts (vsce would run vscode:prepublish), no dependencies (bundled, or staged below).
const manifest = { ...pkg };
delete manifest.scripts;
delete manifest.devDependencies;
delete manifest.dependencies;
delete manifest.private;
writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2));

const modelDir = defaultModel();
if (modelDir) log(`default model: media/models/${basename(modelDir)}`);
else if (argv.includes('--allow-no-model')) log('WARNING: no default model under media/models/: the VSIX needs tokenscope.model.path');
else die('no default model under media/models/<name>/ (config.json + onnx/); pass --allow-no-model to package without one');

const llamaBinaries = ensureLlamaBinaries(target);
const { entries, hasNativeBinaries } = vsixEntries({ root: ROOT, target, modelDir, llamaBinaries });
if (!hasNativeBinaries)
  die(`onnxruntime-node has no binaries for ${target} (node_modules/onnxruntime-node/bin/napi-v6/${target.replace('-', '/')})`);
for (const { from, to } of entries) {
  mkdirSync(dirname(join(stage, to)), { recursive: true });
  cpSync(from, join(stage, to));
}
const imagesUrl = opt('--images-url') ?? process.env.TOKENSCOPE_IMAGES_URL;
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
writeFileSync(join(stage, 'README.md'), readmeForVsix(readme, { imagesUrl }));
if (!imagesUrl) log("README screenshots become captions (no --images-url: VS Code's details page shows https images only)");
writeFileSync(join(stage, '.vscodeignore'), ['**/*.map', '**/*.ts', '!**/*.d.ts', ''].join('\n'));

const out = join(outDir, `tokenscope-${target}-${pkg.version}.vsix`);
const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
log(`vsce package --target ${target}`);
const r = spawnSync(
  process.execPath,
  [
    vsce,
    'package',
    '--target',
    target,
    '--no-dependencies',
    '--allow-missing-repository',
    '--skip-license',
    ...vsceReadmeArgs({ imagesUrl }),
    '--out',
    out,
  ],
  { cwd: stage, stdio: 'inherit' },
);
if (r.status !== 0) process.exit(r.status ?? 1);
log(`wrote ${out}`);
log(`install it with: code --install-extension ${out}`);

/**
 * The folder with `target`'s llama.cpp packages: node_modules when npm installed them (this machine's platform),
 * else fetched from the npm registry with `npm pack` (same version as node-llama-cpp; npm checks their integrity).
 */
function ensureLlamaBinaries(target) {
  const installed = join(ROOT, 'node_modules', '@node-llama-cpp');
  const wanted = LLAMA_BINARIES[target] ?? [];
  if (wanted.every((b) => existsSync(join(installed, b, 'package.json')))) return installed;
  const version = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'node-llama-cpp', 'package.json'), 'utf8')).version;
  const dir = join(ROOT, '.artifacts', 'llama-binaries', version);
  for (const b of wanted) {
    if (existsSync(join(dir, b, 'package.json'))) continue;
    log(`fetching @node-llama-cpp/${b}@${version} from the npm registry`);
    mkdirSync(join(dir, b), { recursive: true });
    const packed = spawnSync('npm', ['pack', `@node-llama-cpp/${b}@${version}`, '--silent', '--pack-destination', dir], {
      encoding: 'utf8',
    });
    if (packed.status !== 0) die(`npm pack @node-llama-cpp/${b}@${version} failed: ${packed.stderr}`);
    const tgz = join(dir, packed.stdout.trim().split('\n').pop());
    const untar = spawnSync('tar', ['-xzf', tgz, '-C', join(dir, b), '--strip-components=1'], { stdio: 'inherit' });
    if (untar.status !== 0) die(`could not unpack ${tgz}`);
    rmSync(tgz);
  }
  return dir;
}
