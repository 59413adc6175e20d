#!/usr/bin/env node
// `npm run package [-- --target linux-x64]`: a platform-specific VSIX with the bundled code, the default
// model, and only that platform's onnxruntime-node binaries.
// The extension is staged in .artifacts/package/stage (so nothing else in the repo can slip in), with
// onnxruntime-node under dist/node_modules (where dist/worker.js finds it), then packed by vsce.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultModel } from './lib/vscode-server.mjs';

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..');
const argv = process.argv.slice(2);
const opt = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
const target = opt('--target') ?? `${process.platform}-${process.arch}`;
if (!TARGETS.includes(target)) {
  console.error(`Unknown target ${target}; one of ${TARGETS.join(', ')}`);
  process.exit(2);
}
const [platform, arch] = target.split('-');
const log = (m) => console.log(`[package] ${m}`);

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

// Code (no source maps, no test bundles).
cpSync(join(ROOT, 'dist'), join(stage, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.map') });

// Media: icons and CSS, and of the models only the default one; the README's screenshots stay out.
const models = join(ROOT, 'media', 'models');
const screenshots = join(ROOT, 'media', 'screenshots');
cpSync(join(ROOT, 'media'), join(stage, 'media'), {
  recursive: true,
  filter: (src) => !src.startsWith(models) && !src.startsWith(screenshots),
});
const defaultDir = defaultModel();
if (defaultDir) {
  const name = basename(defaultDir);
  log(`default model: media/models/${name}`);
  cpSync(join(models, name), join(stage, 'media', 'models', name), { recursive: true, filter: (src) => !/\.(py|pt|ckpt|log)$/.test(src) });
} else if (argv.includes('--allow-no-model')) {
  log('WARNING: no default model under media/models/: the VSIX needs tokenscope.model.path');
} else {
  console.error(
    '[package] no default model under media/models/<name>/ (config.json + onnx/); pass --allow-no-model to package without one',
  );
  process.exit(1);
}

// onnxruntime-node with only this platform's native binaries, and onnxruntime-common.
const nm = join(stage, 'dist', 'node_modules');
const ort = join(ROOT, 'node_modules', 'onnxruntime-node');
const ortBin = join(ort, 'bin', 'napi-v6', platform, arch);
if (!existsSync(ortBin)) {
  console.error(`[package] onnxruntime-node has no binaries for ${target} (${ortBin})`);
  process.exit(1);
}
for (const f of ['package.json', 'LICENSE', 'README.md'])
  if (existsSync(join(ort, f))) cpSync(join(ort, f), join(nm, 'onnxruntime-node', f));
cpSync(join(ort, 'dist'), join(nm, 'onnxruntime-node', 'dist'), {
  recursive: true,
  filter: (src) => !src.endsWith('.map') && !src.endsWith('.ts'),
});
cpSync(ortBin, join(nm, 'onnxruntime-node', 'bin', 'napi-v6', platform, arch), { recursive: true });
cpSync(join(ROOT, 'node_modules', 'onnxruntime-common'), join(nm, 'onnxruntime-common'), {
  recursive: true,
  filter: (src) => !src.endsWith('.map') && !/[\\/]lib[\\/]/.test(src.slice(src.indexOf('onnxruntime-common'))),
});

for (const f of ['README.md', 'CHANGELOG.md', 'LICENSE']) if (existsSync(join(ROOT, f))) cpSync(join(ROOT, f), join(stage, f));
if (!existsSync(join(stage, 'README.md'))) writeFileSync(join(stage, 'README.md'), `# Tokenscope\n\n${pkg.description}\n`);
if (!existsSync(join(stage, 'LICENSE'))) writeFileSync(join(stage, 'LICENSE'), `MIT License\n\nCopyright (c) Tokenscope contributors\n`);
writeFileSync(join(stage, '.vscodeignore'), ['**/*.map', '**/*.ts', '!**/*.d.ts', ''].join('\n'));

const out = join(outDir, `tokenscope-${target}-${pkg.version}.vsix`);
const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
log(`vsce package --target ${target}`);
// Without a repository in package.json, relative README links need a base URL (the VSIX is used offline).
const base = pkg.repository
  ? []
  : ['--baseContentUrl', 'https://example.invalid/tokenscope/', '--baseImagesUrl', 'https://example.invalid/tokenscope/'];
const r = spawnSync(
  process.execPath,
  [vsce, 'package', '--target', target, '--no-dependencies', '--allow-missing-repository', '--skip-license', ...base, '--out', out],
  { cwd: stage, stdio: 'inherit' },
);
if (r.status !== 0) process.exit(r.status ?? 1);
log(`wrote ${out}`);
