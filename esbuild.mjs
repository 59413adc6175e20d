// One build for every bundle: the extension host, the inference worker, the webviews, the bench,
// and the unit tests (node's test runner cannot load TypeScript on Node 20).
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
// Native or large runtime packages stay out of the bundles and load from node_modules.
const external = ['vscode', 'onnxruntime-node', 'node-llama-cpp', '@huggingface/transformers', 'playwright-core', 'mocha'];

function files(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p, suffix) : p.endsWith(suffix) ? [p] : [];
  });
}

const node = { bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, external, logLevel: 'warning' };
const builds = [];
const entry = (src, out, opts = node) => {
  if (existsSync(src)) builds.push({ ...opts, entryPoints: [src], outfile: out });
};

entry('extension/extension.ts', 'dist/extension.js');
entry('model-runtime/worker.ts', 'dist/worker.js');
entry('server/serve.ts', 'dist/serve.js');
entry('bench/bench.ts', 'dist/bench.js');
entry('bench/gpu-check.ts', 'dist/gpu-check.js');
entry('bench/completion-latency.ts', 'dist/bench-completion.js');
entry('bench/extra-context-eval.ts', 'dist/bench-extra-context.js');
entry('bench/sampler.ts', 'dist/bench-sampler.js');
entry('bench/bit-width.ts', 'dist/bench-bit-width.js');
entry('training/eval.ts', 'dist/eval.js');
for (const f of files('webview', '.ts').filter((f) => /[\\/]main\.ts$/.test(f))) {
  const name = f.split(/[\\/]/).slice(-2, -1)[0];
  entry(f, `dist/webview/${name}.js`, {
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: true,
    logLevel: 'warning',
  });
}
for (const f of [
  ...files('test/unit', '.test.ts'),
  ...files('test/faults', '.test.ts'),
  ...files('test/vscode', '.ts'),
  ...files('test/browser', '.ts'),
]) {
  entry(f, join('dist-test', f.replace(/^test[\\/]/, '').replace(/\.ts$/, '.js')));
}

// The webviews' icon font ships next to their bundles, so a packaged extension needs no node_modules for it.
mkdirSync('dist/webview', { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(join('node_modules/@vscode/codicons/dist', f), join('dist/webview', f));

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  // Bundles of moved or deleted tests must not linger and run again (removed after the build, not before,
  // so a build running alongside never finds its fresh outputs gone).
  const outputs = new Set(builds.map((b) => b.outfile).filter((f) => f.startsWith('dist-test')));
  for (const f of files('dist-test', '.js')) if (!outputs.has(f)) for (const x of [f, `${f}.map`]) rmSync(x, { force: true });
}
