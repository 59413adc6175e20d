import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkSpace, hubCacheDir, RepoCache } from '../../../../model-runtime/hub/cache-layout';
import { findCachedModel } from '../../../../model-runtime/hub/cached-model';
import { fsError } from '../../../../model-runtime/hub/errors';

const tmp = mkdtempSync(join(tmpdir(), 'tokenscope-cache-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const COMMIT = 'c'.repeat(40);

test('the cache folder: HF_HUB_CACHE, else HF_HOME/hub, else XDG_CACHE_HOME, else ~/.cache, as huggingface_hub resolves it', () => {
  assert.equal(hubCacheDir({ HF_HUB_CACHE: '/a', HF_HOME: '/b' }), '/a');
  assert.equal(hubCacheDir({ HF_HOME: '/b', XDG_CACHE_HOME: '/x' }), join('/b', 'hub'));
  assert.equal(hubCacheDir({ XDG_CACHE_HOME: '/x' }), join('/x', 'huggingface', 'hub'));
  assert.equal(hubCacheDir({}), join(homedir(), '.cache', 'huggingface', 'hub'));
});

test('paths, refs and relative links in the models--org--name layout', async () => {
  const c = new RepoCache(tmp, 'org/name');
  assert.equal(c.root, join(tmp, 'models--org--name'));
  assert.equal(c.ref('refs/pr/1'), join(c.root, 'refs', 'refs', 'pr', '1'));
  await c.prepare();
  writeFileSync(c.blob('e1'), 'x');
  const link = await c.link(COMMIT, 'onnx/model.onnx', 'e1');
  assert.equal(readlinkSync(link), '../../../blobs/e1');
  assert.equal(readFileSync(link, 'utf8'), 'x');
  await c.writeRef('main', COMMIT);
  assert.equal(readFileSync(c.ref('main'), 'utf8'), COMMIT);
  assert.equal(await c.commitOf('main'), COMMIT);
  assert.equal(await c.commitOf(COMMIT), COMMIT);
  assert.equal(await c.commitOf('dev'), undefined);
});

test('a cached model needs every required file and a graph with all its data; dangling links do not count', async () => {
  const c = new RepoCache(tmp, 'org/whole');
  const snap = c.snapshot(COMMIT);
  mkdirSync(join(snap, 'onnx'), { recursive: true });
  await c.writeRef('main', COMMIT);
  for (const f of ['config.json', 'generation_config.json']) writeFileSync(join(snap, f), '{}');
  writeFileSync(join(snap, 'onnx', 'model.onnx'), 'g');
  assert.equal(await findCachedModel(tmp, 'org/whole', 'main'), undefined, 'no tokenizer.json');
  symlinkSync('../../blobs/missing', join(snap, 'tokenizer.json'));
  assert.equal(await findCachedModel(tmp, 'org/whole', 'main'), undefined, 'a dangling link');
  rmSync(join(snap, 'tokenizer.json'));
  writeFileSync(join(snap, 'tokenizer.json'), '{}');
  assert.deepEqual((await findCachedModel(tmp, 'org/whole', 'main'))?.variants, ['onnx/model.onnx']);
  // config.json promises two data chunks for the fp16 graph: with one of them it is not whole.
  writeFileSync(
    join(snap, 'config.json'),
    JSON.stringify({ 'transformers.js_config': { use_external_data_format: { 'model_fp16.onnx': 2 } } }),
  );
  writeFileSync(join(snap, 'onnx', 'model_fp16.onnx'), 'g');
  writeFileSync(join(snap, 'onnx', 'model_fp16.onnx_data'), 'd');
  assert.deepEqual((await findCachedModel(tmp, 'org/whole', 'main'))?.variants, ['onnx/model.onnx']);
  writeFileSync(join(snap, 'onnx', 'model_fp16.onnx_data_1'), 'd');
  assert.deepEqual((await findCachedModel(tmp, 'org/whole', 'main'))?.variants, ['onnx/model.onnx', 'onnx/model_fp16.onnx']);
});

test('file system failures name the folder and what to do', () => {
  const full = fsError(Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }), '/c/blobs/x.incomplete');
  assert.equal(full.code, 'disk-full');
  assert.match(full.message, /disk is full writing \/c\/blobs\/x\.incomplete: free some space.*resumes/);
  const ro = fsError(Object.assign(new Error('read-only file system'), { code: 'EROFS' }), '/c');
  assert.equal(ro.code, 'cache-unwritable');
  assert.match(ro.message, /HF_HUB_CACHE or HF_HOME/);
});

test('a download that cannot fit is refused up front with the sizes; an unknown free space lets it go ahead', async () => {
  await assert.rejects(
    checkSpace('/c', 2_000_000_000, async () => 500_000_000),
    (e: Error & { code?: string }) => e.code === 'disk-full' && /needs 2000 MB but only 500 MB is free at \/c/.test(e.message),
  );
  await checkSpace('/c', 10, async () => 11);
  await checkSpace('/c', 10, () => Promise.reject(new Error('ENOSYS')));
  await checkSpace(tmp, 1); // the real statfs
});
