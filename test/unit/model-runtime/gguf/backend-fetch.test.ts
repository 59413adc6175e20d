// The CUDA build fetched on request from a loopback npm registry with the real one's shapes: the version's
// metadata (dist.tarball, dist.integrity), the tarball; and the faults: a wrong hash, a cancel, a cut
// connection, an unknown version. Nothing half-unpacked is ever left where node-llama-cpp would find it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackendFetchError, cudaPackage, fetchPackage, packageMeta } from '../../../../model-runtime/gguf/backend-fetch';

const NAME = '@node-llama-cpp/linux-x64-cuda';
const tmp = mkdtempSync(join(tmpdir(), 'backend-fetch-'));
let server: Server;
let registry: string;
let tgz: Buffer;
let mode: 'ok' | 'corrupt' | 'cut' | 'slow' = 'ok';

/** A package tarball as npm packs it: package/ prefix, a nested binary, a long path (pax header). */
function packTarball(): Buffer {
  const src = join(tmp, 'src', 'package');
  mkdirSync(join(src, 'bins', 'linux-x64-cuda'), { recursive: true });
  writeFileSync(join(src, 'package.json'), JSON.stringify({ name: NAME, version: '3.22.1' }));
  writeFileSync(join(src, 'bins', 'linux-x64-cuda', 'llama-addon.node'), randomBytes(300_000)); // incompressible: the cut lands mid-file
  const long = join(src, 'bins', 'a'.repeat(60), 'b'.repeat(60));
  mkdirSync(long, { recursive: true });
  writeFileSync(join(long, 'libggml-cuda.so'), 'cuda');
  const out = join(tmp, 'pkg.tgz');
  const r = spawnSync('tar', ['-czf', out, '--format=pax', '-C', join(tmp, 'src'), 'package']);
  assert.equal(r.status, 0, String(r.stderr));
  return readFileSync(out);
}

before(async () => {
  tgz = packTarball();
  const integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
  server = createServer((q, s) => {
    if (q.url === `/${NAME.replace('/', '%2f')}/3.22.1`) {
      s.setHeader('content-type', 'application/json');
      return s.end(
        JSON.stringify({ name: NAME, version: '3.22.1', dist: { tarball: `${registry}/t.tgz`, integrity, unpackedSize: 300_100 } }),
      );
    }
    if (q.url === '/t.tgz') {
      const body = mode === 'corrupt' ? Buffer.concat([tgz.subarray(0, 1000), Buffer.from([tgz[1000] ^ 1]), tgz.subarray(1001)]) : tgz;
      s.setHeader('content-length', String(body.length));
      if (mode === 'cut') {
        s.write(body.subarray(0, 5000));
        return setTimeout(() => s.destroy(), 20);
      }
      if (mode === 'slow') {
        s.write(body.subarray(0, 5000));
        return setTimeout(() => s.end(body.subarray(5000)), 2000);
      }
      return s.end(body);
    }
    s.statusCode = 404;
    s.end('{"error":"Not found"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
  rmSync(tmp, { recursive: true, force: true });
});

const dest = (n: string) => join(tmp, n, 'linux-x64-cuda');
const nothingLeft = (d: string) => assert.deepEqual(existsSync(join(d, '..')) ? readdirSync(join(d, '..')) : [], []);
const code = (c: string) => (e: unknown) => e instanceof BackendFetchError && e.code === c;

test('the CUDA build exists for Linux and Windows x64 only', () => {
  assert.equal(cudaPackage('linux', 'x64'), NAME);
  assert.equal(cudaPackage('win32', 'x64'), '@node-llama-cpp/win-x64-cuda');
  assert.equal(cudaPackage('darwin', 'arm64'), undefined);
  assert.equal(cudaPackage('linux', 'arm64'), undefined);
});

test('a package whose sha512 matches is unpacked whole, with progress', async () => {
  mode = 'ok';
  const meta = await packageMeta(registry, NAME, '3.22.1');
  assert.equal(meta.unpackedSize, 300_100);
  const d = dest('ok');
  mkdirSync(join(d, '..'), { recursive: true });
  const seen: number[] = [];
  await fetchPackage(meta, d, { onProgress: (done) => seen.push(done) });
  assert.equal(JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')).name, NAME);
  assert.equal(readFileSync(join(d, 'bins', 'linux-x64-cuda', 'llama-addon.node')).length, 300_000);
  assert.equal(readFileSync(join(d, 'bins', 'a'.repeat(60), 'b'.repeat(60), 'libggml-cuda.so'), 'utf8'), 'cuda');
  assert.equal(seen.at(-1), tgz.length);
  assert.deepEqual(readdirSync(join(d, '..')), ['linux-x64-cuda'], 'no partial folder left');
});

test('a corrupted byte, a cut connection and a cancel leave nothing behind', async () => {
  const meta = await packageMeta(registry, NAME, '3.22.1');
  for (const [m, c] of [
    ['corrupt', 'integrity'],
    ['cut', 'network'],
  ] as const) {
    mode = m;
    const d = dest(m);
    mkdirSync(join(d, '..'), { recursive: true });
    await assert.rejects(fetchPackage(meta, d), code(c));
    nothingLeft(d);
  }
  mode = 'slow';
  const d = dest('cancel');
  mkdirSync(join(d, '..'), { recursive: true });
  const abort = new AbortController();
  const p = fetchPackage(meta, d, { signal: abort.signal, onProgress: () => abort.abort() });
  await assert.rejects(p, code('cancelled'));
  nothingLeft(d);
});

test('an unknown version or an unreachable registry says which', async () => {
  await assert.rejects(packageMeta(registry, NAME, '9.9.9'), (e: unknown) => code('not-found')(e) && /9\.9\.9 is not on/.test(String(e)));
  await assert.rejects(packageMeta('http://127.0.0.1:9', NAME, '3.22.1'), code('network'));
});
