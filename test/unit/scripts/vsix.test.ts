// What the VSIX carries (scripts/lib/vsix.mjs, used by `npm run package`): the runtime bundles, the default
// model and one platform's onnxruntime binaries; not the bench/eval/GPU-check bundles or source maps. And
// the README it carries shows no broken images on VS Code's details page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Vsix {
  shipsInDist(rel: string): boolean;
  vsixEntries(o: { root: string; target: string; modelDir?: string }): {
    entries: { from: string; to: string }[];
    hasNativeBinaries: boolean;
  };
  readmeForVsix(md: string, o?: { imagesUrl?: string }): string;
  LLAMA_BINARIES: Record<string, string[]>;
  vsceReadmeArgs(o: { imagesUrl?: string }): string[];
}
const lib = () => import(pathToFileURL(resolve('scripts/lib/vsix.mjs')).href) as Promise<Vsix>;
const ROOT = resolve('.');

test('only the bundles the extension runs leave dist/', async () => {
  const { shipsInDist } = await lib();
  for (const f of ['extension.js', 'worker.js', 'webview/chat.js', 'webview/codicon.ttf']) assert.ok(shipsInDist(f), f);
  for (const f of [
    'bench.js',
    'bench-completion.js',
    'bench-extra-context.js',
    'eval.js',
    'gpu-check.js',
    'worker.js.map',
    'webview/chat.js.map',
  ])
    assert.ok(!shipsInDist(f), f);
});

test('the VSIX file list: runtime bundles, default model, linux-x64 binaries; no bench, eval, GPU check, maps, screenshots', async () => {
  const { vsixEntries } = await lib();
  assert.ok(existsSync(join(ROOT, 'dist', 'worker.js')), 'npm test builds dist/ first');
  const models = join(ROOT, 'media', 'models');
  const model = existsSync(models) ? readdirSync(models).map((n) => join(models, n))[0] : undefined;
  const { entries, hasNativeBinaries } = vsixEntries({ root: ROOT, target: 'linux-x64', modelDir: model });
  const files = entries.map((e) => e.to);
  assert.ok(hasNativeBinaries);
  for (const f of ['dist/extension.js', 'dist/worker.js', 'README.md', 'LICENSE', 'dist/node_modules/onnxruntime-node/package.json'])
    assert.ok(files.includes(f), `${f} is in the VSIX`);
  assert.ok(files.some((f) => /^dist\/webview\/chat\.js$/.test(f)));
  assert.ok(files.some((f) => /^dist\/node_modules\/onnxruntime-node\/bin\/napi-v6\/linux\/x64\/.+\.node$/.test(f)));
  assert.ok(files.some((f) => f.startsWith('dist/node_modules/onnxruntime-common/')));
  if (model) assert.ok(files.some((f) => /^media\/models\/[^/]+\/onnx\/.+\.onnx$/.test(f)));
  const unwanted = files.filter((f) =>
    /^dist\/(bench[^/]*|eval|gpu-check)\.js|\.map$|\.ts$|media\/screenshots\/|napi-v6\/(darwin|win32)\/|napi-v6\/linux\/arm64\//.test(f),
  );
  assert.deepEqual(unwanted, []);
  assert.equal(new Set(files).size, files.length, 'no file twice');
});

test("the VSIX carries llama.cpp: node-llama-cpp's JS and what it imports, this platform's CPU and Vulkan builds, not CUDA or the llama.cpp sources", async () => {
  const { vsixEntries, LLAMA_BINARIES } = await lib();
  const files = vsixEntries({ root: ROOT, target: 'linux-x64' }).entries.map((e) => e.to);
  for (const f of ['dist/node_modules/node-llama-cpp/package.json', 'dist/node_modules/node-llama-cpp/dist/index.js'])
    assert.ok(files.includes(f), `${f} is in the VSIX`);
  // A package node-llama-cpp imports at load time, found through package-lock.json.
  assert.ok(files.some((f) => f.startsWith('dist/node_modules/lifecycle-utils/')));
  assert.ok(files.some((f) => /^dist\/node_modules\/@node-llama-cpp\/linux-x64\/bins\/.+\.node$/.test(f)));
  assert.ok(files.some((f) => f.startsWith('dist/node_modules/@node-llama-cpp/linux-x64-vulkan/')));
  assert.deepEqual(
    files.filter((f) => /@node-llama-cpp\/[^/]*cuda|node-llama-cpp\/llama\/(llama\.cpp|addon)\//.test(f)),
    [],
  );
  for (const t of ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'])
    assert.ok(LLAMA_BINARIES[t]?.length > 0 && LLAMA_BINARIES[t].every((b) => !b.includes('cuda')), t);
});

test("the VSIX README: no relative image or link left (VS Code's details page shows https images only)", async () => {
  const { readmeForVsix } = await lib();
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.ok(/!\[[^\]]*\]\(media\/screenshots\//.test(readme), 'the repository README has relative screenshots');
  const packed = readmeForVsix(readme);
  const links = [...packed.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]);
  assert.deepEqual(
    links.filter((l) => !/^https:\/\//.test(l) && !l.startsWith('#')),
    [],
  );
  assert.match(packed, /\*Screenshot: Ghost text from the bundled model\*/);
  assert.match(packed, /see its model card \(in the source: `media\/models\/tokenscope-code\/README\.md`\) for/);
  assert.match(packed, /More: `docs\/architecture\.md` \(in the source\)/);
  assert.match(packed, /`model-runtime\/README\.md` \(in the source\)/);
  // With an https base for images, vsce rewrites the relative links itself: the README goes in unchanged.
  assert.equal(readmeForVsix(readme, { imagesUrl: 'https://example.org/tokenscope/' }), readme);
});

test('vsce is told how to treat README links', async () => {
  const { vsceReadmeArgs } = await lib();
  assert.deepEqual(vsceReadmeArgs({}), ['--no-rewrite-relative-links']);
  assert.deepEqual(vsceReadmeArgs({ imagesUrl: 'https://example.org/t' }), [
    '--baseImagesUrl',
    'https://example.org/t/',
    '--baseContentUrl',
    'https://example.org/t/',
  ]);
  assert.throws(() => vsceReadmeArgs({ imagesUrl: 'http://example.org/t/' }), /https/);
});
