// Downloads from a loopback hub (fake-hub.ts) into a temporary cache: the standard layout, a snapshot the runtime
// loads and generates with, and the faults: a cut connection resumed with Range, a corrupted byte refused with
// nothing left, an unwritable cache, a cancel that leaves nothing usable, and the cache used with the hub gone.
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { findCachedModel, modelPathOf } from '../../../../model-runtime/hub/cached-model';
import { loadGgufEngine } from '../../../../model-runtime/gguf/load';
import { type DownloadOptions, downloadModel, ensureModel, listRepo } from '../../../../model-runtime/hub/download-model';
import { HubError } from '../../../../model-runtime/hub/errors';
import { fetchFileMeta } from '../../../../model-runtime/hub/hub-http';
import { planFiles } from '../../../../model-runtime/hub/plan';
import { ModelRuntime } from '../../../../model-runtime/runtime';
import { DEFAULT_SAMPLER } from '../../../../sampling/sampler';
import { FIXTURES } from '../fixtures';
import { FakeHub, gitSha1, sha256, TOKEN } from './fake-hub';

const REPO = 'test-org/llama-tiny';
const GATED = 'test-org/gated-tiny';
const FIXTURE = join(FIXTURES, 'llama-tiny');
const FILES = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'onnx/model.onnx',
  'onnx/model_quantized.onnx',
];
const GRAPH = 'onnx/model_quantized.onnx';
const graphBytes = () => readFileSync(join(FIXTURE, GRAPH));

let hub: FakeHub;
let commit: string;
const tmp = mkdtempSync(join(tmpdir(), 'tokenscope-hub-'));
let n = 0;
/** A fresh cache folder per test, so no test sees another's blobs. */
const freshCache = () => join(tmp, `cache-${n++}`);
const opts = (cacheDir: string, extra: Partial<DownloadOptions> = {}): DownloadOptions => ({
  endpoint: hub.url,
  cacheDir,
  retry: { attempts: 3, delayMs: 5, stallMs: 5000 },
  ...extra,
});
const repoDir = (cacheDir: string, repo = REPO) => join(cacheDir, `models--${repo.replace('/', '--')}`);
const rejects = (p: Promise<unknown>, code: string, message?: RegExp) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof HubError, String(e));
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });

before(async () => {
  hub = await FakeHub.start();
  const files = Object.fromEntries(FILES.map((f) => [f, readFileSync(join(FIXTURE, f))]));
  commit = hub.addRepo(REPO, { ...files, 'README.md': Buffer.from('# tiny\n'), 'reference.json': Buffer.from('{}') });
  hub.addRepo(GATED, files, true);
  hub.addRepo('test-org/external-data', {
    ...files,
    'onnx/model_fp16.onnx': Buffer.from('graph'),
    'onnx/model_fp16.onnx_data_1': Buffer.alloc(3000, 2),
    'onnx/model_fp16.onnx_data': Buffer.alloc(5000, 1),
    'special_tokens_map.json': Buffer.alloc(0),
  });
  hub.addRepo('test-org/no-onnx', { 'config.json': files['config.json'] });
});

after(async () => {
  await hub.close();
  rmSync(tmp, { recursive: true, force: true });
});

test('a model lands in the standard cache layout, only the files it needs, and the runtime loads it', async () => {
  const cacheDir = freshCache();
  const progress: number[] = [];
  const model = await ensureModel({ repo: REPO, revision: 'main' }, opts(cacheDir, { onProgress: (p) => progress.push(p.done) }));
  const root = repoDir(cacheDir);
  assert.equal(model.fromCache, false);
  assert.equal(model.dir, join(root, 'snapshots', commit));
  assert.deepEqual(model.variants, [GRAPH]);
  assert.equal(readFileSync(join(root, 'refs', 'main'), 'utf8'), commit);
  // Blobs are named by sha256 (LFS) or git blob sha1 (small files); snapshot entries are relative links to them.
  const blobs = readdirSync(join(root, 'blobs')).sort();
  const expected = [...FILES.filter((f) => f !== 'onnx/model.onnx')].map((f) => {
    const b = readFileSync(join(FIXTURE, f));
    return f.startsWith('onnx/') ? sha256(b) : gitSha1(b);
  });
  assert.deepEqual(blobs, expected.sort());
  assert.equal(readlinkSync(join(model.dir, GRAPH)), `../../../blobs/${sha256(graphBytes())}`);
  assert.equal(readlinkSync(join(model.dir, 'config.json')), `../../blobs/${gitSha1(readFileSync(join(FIXTURE, 'config.json')))}`);
  assert.deepEqual(readdirSync(join(model.dir, 'onnx')), ['model_quantized.onnx']);
  assert.ok(!existsSync(join(model.dir, 'README.md')) && !existsSync(join(model.dir, 'reference.json')));
  assert.ok(progress.at(-1)! > 100_000 && progress.every((p, i) => i === 0 || p >= progress[i - 1]));

  const runtime = new ModelRuntime({ workerPath: resolve('dist/worker.js') });
  try {
    const info = await runtime.start({ modelDir: model.dir, providers: ['cpu'], threads: 1 });
    assert.equal(info.onnxFile, 'model_quantized.onnx');
    const out = await runtime.generate({
      prompt: { text: 'def add(a, b):' },
      sampling: { ...DEFAULT_SAMPLER, maxTokens: 2, stop: [] },
      topN: 0,
    });
    assert.equal(out.ids.length, 2);
  } finally {
    runtime.dispose();
  }
});

test('a second run with the hub stopped uses the cache and opens no connection', async () => {
  const cacheDir = freshCache();
  await ensureModel({ repo: REPO, revision: 'main' }, opts(cacheDir));
  const down = await FakeHub.start();
  const endpoint = down.url;
  await down.close();
  const noNetwork = (() => Promise.reject(new Error('no network expected'))) as typeof fetch;
  const again = await ensureModel({ repo: REPO, revision: 'main' }, opts(cacheDir, { endpoint, fetch: noNetwork }));
  assert.equal(again.fromCache, true);
  assert.equal(again.commit, commit);
  assert.deepEqual(await findCachedModel(cacheDir, REPO, commit), { dir: again.dir, commit, variants: [GRAPH] });
  // Another variant than the cached one needs the network: with none, the error says which host.
  await rejects(
    ensureModel({ repo: REPO, revision: 'main', variant: 'onnx/model.onnx' }, opts(cacheDir, { endpoint })),
    'network',
    /127\.0\.0\.1/,
  );
});

test('a gated repo asks for a token; with it the download works and the token never goes to the content store', async () => {
  const cacheDir = freshCache();
  await rejects(ensureModel({ repo: GATED, revision: 'main' }, opts(cacheDir)), 'auth', /gated or private: it needs a Hugging Face token/);
  await rejects(ensureModel({ repo: GATED, revision: 'main' }, opts(cacheDir, { token: 'hf_wrong' })), 'auth', /token was refused/);
  const before = hub.seen.length;
  const model = await ensureModel({ repo: GATED, revision: 'main' }, opts(cacheDir, { token: TOKEN }));
  assert.deepEqual(model.variants, [GRAPH]);
  const seen = hub.seen.slice(before);
  assert.ok(seen.some((s) => s.server === 'store'));
  assert.ok(seen.every((s) => (s.server === 'hub' ? s.auth === `Bearer ${TOKEN}` : s.auth === undefined)));
});

test('404s say whether the repo, the revision or the file is missing; a repo without ONNX is refused before downloading', async () => {
  const client = { endpoint: hub.url };
  await rejects(listRepo(client, 'test-org/nope', 'main'), 'repo-not-found', /test-org\/nope not found/);
  await rejects(listRepo(client, REPO, 'v9'), 'revision-not-found', /"v9"/);
  await rejects(fetchFileMeta(client, { repo: REPO, revision: 'main', path: 'onnx/model_q4.onnx' }), 'file-not-found', /model_q4\.onnx/);
  await rejects(listRepo(client, 'not a repo', 'main'), 'bad-request', /organisation\/name/);
  const noOnnx = await listRepo(client, 'test-org/no-onnx', 'main');
  assert.throws(() => planFiles(noOnnx), /no generation_config\.json, tokenizer\.json, onnx\/\*\.onnx/);
  await rejects(ensureModel({ repo: REPO, revision: 'main', variant: 'onnx/model_q4.onnx' }, opts(freshCache())), 'file-not-found');
});

test('a variant with external data brings its data files, in order, and is whole in the cache; an empty file is fine', async () => {
  const cacheDir = freshCache();
  const repo = 'test-org/external-data';
  const listing = await listRepo({ endpoint: hub.url }, repo, 'main');
  const files = planFiles(listing, 'onnx/model_fp16.onnx').map((f) => f.path);
  assert.deepEqual(files.slice(-3), ['onnx/model_fp16.onnx_data', 'onnx/model_fp16.onnx_data_1', 'onnx/model_fp16.onnx']);
  const model = await downloadModel(listing, 'main', planFiles(listing, 'onnx/model_fp16.onnx'), opts(cacheDir));
  assert.deepEqual(model.variants, ['onnx/model_fp16.onnx']);
  assert.equal(readFileSync(join(model.dir, 'onnx/model_fp16.onnx_data_1')).length, 3000);
  // An empty file is a blob too (git's empty blob id).
  assert.equal(readlinkSync(join(model.dir, 'special_tokens_map.json')), '../../blobs/e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
});

test('a connection cut mid-file is resumed with a Range request and the file verified', async () => {
  const cacheDir = freshCache();
  hub.faults.set(GRAPH, { cutAfter: 40_000 });
  const before = hub.seen.length;
  const model = await ensureModel({ repo: REPO, revision: 'main' }, opts(cacheDir));
  const ranges = hub.seen.slice(before).filter((s) => s.server === 'store' && s.range);
  assert.equal(ranges.length, 1);
  assert.match(ranges[0].range!, /^bytes=\d+-$/);
  assert.ok(Number(/\d+/.exec(ranges[0].range!)![0]) > 0);
  assert.deepEqual(readFileSync(join(model.dir, GRAPH)), graphBytes());
  hub.faults.delete(GRAPH);
});

test('a server that ignores the Range on resume gets the whole file again, and it is still verified', async () => {
  const cacheDir = freshCache();
  hub.faults.set(GRAPH, { cutAfter: 30_000, ignoreRange: true });
  const model = await ensureModel({ repo: REPO, revision: 'main' }, opts(cacheDir));
  assert.deepEqual(readFileSync(join(model.dir, GRAPH)), graphBytes());
  hub.faults.delete(GRAPH);
});

test('a cut that cannot be resumed fails as network, keeps the partial file, and the next run resumes it', async () => {
  const cacheDir = freshCache();
  hub.faults.set(GRAPH, { cutAfter: 20_000, thenDown: true });
  await rejects(
    ensureModel({ repo: REPO, revision: 'main' }, opts(cacheDir)),
    'network',
    /retries failed.*run the download again to resume/,
  );
  const blobs = join(repoDir(cacheDir), 'blobs');
  const part = readdirSync(blobs).find((f) => f.endsWith('.incomplete'))!;
  assert.equal(lstatSync(join(blobs, part)).size, 20_000);
  assert.ok(!existsSync(join(repoDir(cacheDir), 'refs', 'main')));
  assert.equal(await findCachedModel(cacheDir, REPO, 'main'), undefined);
  hub.faults.delete(GRAPH);
  const before = hub.seen.length;
  const model = await ensureModel({ repo: REPO, revision: 'main' }, opts(cacheDir));
  assert.ok(hub.seen.slice(before).some((s) => s.server === 'store' && s.range === 'bytes=20000-'));
  assert.deepEqual(readFileSync(join(model.dir, GRAPH)), graphBytes());
});

test('a corrupted byte is refused and nothing is left: no blob, no partial file, no snapshot entry, no ref', async () => {
  for (const path of [GRAPH, 'tokenizer.json']) {
    const cacheDir = freshCache();
    hub.faults.set(path, { corrupt: true });
    await rejects(ensureModel({ repo: REPO, revision: 'main' }, opts(cacheDir)), 'integrity', /arrived corrupted.*deleted/);
    hub.faults.delete(path);
    const root = repoDir(cacheDir);
    const data = readFileSync(join(FIXTURE, path));
    const blobs = readdirSync(join(root, 'blobs'));
    assert.ok(!blobs.some((b) => b.startsWith(path === GRAPH ? sha256(data) : gitSha1(data))), blobs.join());
    assert.ok(!blobs.some((b) => b.endsWith('.incomplete')));
    assert.ok(!existsSync(join(root, 'snapshots', commit, path)));
    assert.ok(!existsSync(join(root, 'refs', 'main')));
    assert.equal(await findCachedModel(cacheDir, REPO, 'main'), undefined);
  }
});

test('an unwritable cache fails with a clear error before anything is fetched', async () => {
  const file = join(tmp, 'a-file');
  writeFileSync(file, 'not a folder');
  const before = hub.seen.filter((s) => s.server === 'store').length;
  await rejects(
    ensureModel({ repo: REPO, revision: 'main' }, opts(join(file, 'hub'))),
    'cache-unwritable',
    /cannot write the Hugging Face cache at .*HF_HUB_CACHE or HF_HOME/,
  );
  assert.equal(hub.seen.filter((s) => s.server === 'store').length, before);
});

test('a cancel mid-file leaves nothing usable, only a partial file that the next run resumes', async () => {
  const cacheDir = freshCache();
  const abort = new AbortController();
  hub.faults.set(GRAPH, { pauseAfter: 25_000, onPause: () => setTimeout(() => abort.abort(), 50) });
  await rejects(ensureModel({ repo: REPO, revision: 'main' }, opts(cacheDir, { signal: abort.signal })), 'cancelled');
  hub.faults.delete(GRAPH);
  const root = repoDir(cacheDir);
  assert.ok(!existsSync(join(root, 'snapshots', commit, GRAPH)));
  assert.ok(!existsSync(join(root, 'refs', 'main')));
  assert.equal(await findCachedModel(cacheDir, REPO, 'main'), undefined);
  const part = readdirSync(join(root, 'blobs')).find((f) => f.endsWith('.incomplete'));
  assert.equal(part, `${sha256(graphBytes())}.incomplete`);
  const before = hub.seen.length;
  const model = await ensureModel({ repo: REPO, revision: 'main' }, opts(cacheDir));
  assert.ok(hub.seen.slice(before).some((s) => s.server === 'store' && s.range === 'bytes=25000-'));
  assert.deepEqual(readFileSync(join(model.dir, GRAPH)), graphBytes());
});

test('a stalled response is dropped and resumed', async () => {
  const cacheDir = freshCache();
  hub.faults.set(GRAPH, { pauseAfter: 10_000 });
  const model = await ensureModel({ repo: REPO, revision: 'main' }, opts(cacheDir, { retry: { attempts: 2, delayMs: 5, stallMs: 300 } }));
  hub.faults.delete(GRAPH);
  assert.deepEqual(readFileSync(join(model.dir, GRAPH)), graphBytes());
});

test('a GGUF repo: the picked file alone (split parts together) lands in the cache, is found there again, and loads on llama.cpp', async () => {
  const gguf = readFileSync(join(FIXTURES, 'gguf', 'llama-tiny-f32.gguf'));
  const repo = 'test-org/tiny-GGUF';
  const c = hub.addRepo(repo, {
    'README.md': Buffer.from('# gguf\n'),
    'tiny-q8_0.gguf': gguf,
    'tiny-f32.gguf': Buffer.alloc(2048, 3),
    'mmproj-tiny-f16.gguf': Buffer.alloc(64, 1),
    'big/tiny-Q4_K_M-00001-of-00002.gguf': Buffer.alloc(100, 1),
    'big/tiny-Q4_K_M-00002-of-00002.gguf': Buffer.alloc(50, 2),
  });
  const cacheDir = freshCache();
  const listing = await listRepo({ endpoint: hub.url }, repo, 'main');
  assert.deepEqual(
    planFiles(listing, 'big/tiny-Q4_K_M-00001-of-00002.gguf').map((f) => f.path),
    ['big/tiny-Q4_K_M-00001-of-00002.gguf', 'big/tiny-Q4_K_M-00002-of-00002.gguf'],
  );
  const model = await downloadModel(listing, 'main', planFiles(listing, 'tiny-q8_0.gguf'), opts(cacheDir));
  assert.equal(model.dir, join(repoDir(cacheDir, repo), 'snapshots', c));
  assert.deepEqual(readdirSync(model.dir), ['tiny-q8_0.gguf']);
  assert.deepEqual(model.variants, ['tiny-q8_0.gguf']);
  const again = await findCachedModel(cacheDir, repo, 'main');
  assert.deepEqual(again?.variants, ['tiny-q8_0.gguf']);
  const engine = await loadGgufEngine(modelPathOf(model, 'tiny-q8_0.gguf'), { threads: 1 });
  assert.equal(engine.info.vocabSize, 516);
  await engine.release();
});
