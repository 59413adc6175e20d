// fetchFileMeta against scripted answers: relative redirects followed with the token, the first redirect
// elsewhere taken as where the bytes are (with the hub's headers from that answer), and headers that cannot name
// a blob refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fetchFileMeta } from '../../../../model-runtime/hub/hub-http';

const COMMIT = 'f'.repeat(40);
const SHA = 'a'.repeat(64);
const subject = { repo: 'o/n', revision: 'main', path: 'onnx/model.onnx' };

/** A fetch that answers each URL from a table and records the requests. */
function scripted(answers: Record<string, () => Response>) {
  const seen: { url: string; auth: string | null; redirect?: string }[] = [];
  const f = (async (url: string, init: RequestInit) => {
    seen.push({ url, auth: new Headers(init.headers).get('authorization'), redirect: init.redirect });
    const a = answers[url];
    return a ? a() : new Response('missing', { status: 404, headers: { 'x-error-code': 'EntryNotFound' } });
  }) as unknown as typeof fetch;
  return { f, seen };
}

test('a relative redirect is followed with the token; the redirect to the store is where the bytes are', async () => {
  const { f, seen } = scripted({
    'https://hub.test/o/n/resolve/main/onnx/model.onnx': () =>
      new Response(null, { status: 307, headers: { location: '/o2/n/resolve/main/onnx/model.onnx' } }),
    'https://hub.test/o2/n/resolve/main/onnx/model.onnx': () =>
      new Response(null, {
        status: 302,
        headers: {
          location: 'https://cas.test/x?sig=1',
          'x-linked-etag': `"${SHA}"`,
          'x-linked-size': '123',
          'x-repo-commit': COMMIT,
          etag: '"other"',
          'content-length': '9',
        },
      }),
  });
  const meta = await fetchFileMeta({ endpoint: 'https://hub.test', token: 'hf_t', fetch: f }, subject);
  assert.deepEqual(meta, {
    commit: COMMIT,
    etag: SHA,
    size: 123,
    url: 'https://cas.test/x?sig=1',
    expect: { algorithm: 'sha256', hex: SHA },
  });
  assert.deepEqual(
    seen.map((s) => [s.auth, s.redirect]),
    [
      ['Bearer hf_t', 'manual'],
      ['Bearer hf_t', 'manual'],
    ],
  );
});

test('a small file: its ETag (weak or strong) is the git blob id; the size is its Content-Length', async () => {
  const { f } = scripted({
    'https://hub.test/o/n/resolve/main/onnx/model.onnx': () =>
      new Response(null, { status: 200, headers: { etag: `W/"${'b'.repeat(40)}"`, 'x-repo-commit': COMMIT, 'content-length': '42' } }),
  });
  const meta = await fetchFileMeta({ endpoint: 'https://hub.test', fetch: f }, subject);
  assert.equal(meta.etag, 'b'.repeat(40));
  assert.equal(meta.size, 42);
  assert.deepEqual(meta.expect, { algorithm: 'git-sha1', hex: 'b'.repeat(40) });
});

test('no size on a redirect (its own Content-Length does not count), no commit, or an etag that is no file name: refused', async () => {
  const answer = (headers: Record<string, string>, status = 302) => {
    const { f } = scripted({
      'https://hub.test/o/n/resolve/main/onnx/model.onnx': () =>
        new Response(null, { status, headers: { location: 'https://cas.test/x', 'x-repo-commit': COMMIT, ...headers } }),
    });
    return fetchFileMeta({ endpoint: 'https://hub.test', fetch: f }, subject);
  };
  await assert.rejects(answer({ 'x-linked-etag': SHA, 'content-length': '9' }), /sent no commit, etag or size/);
  await assert.rejects(answer({ 'x-linked-etag': SHA, 'x-linked-size': '9', 'x-repo-commit': 'main' }), /sent no commit/);
  await assert.rejects(answer({ 'x-linked-etag': '../../x', 'x-linked-size': '9' }), /unexpected etag/);
  await assert.rejects(answer({}, 404), (e: Error & { code?: string }) => e.code === 'file-not-found');
});
