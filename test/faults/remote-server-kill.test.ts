// A remote server killed mid-stream: `npm run serve`'s process (dist/serve.js, a real server on a fixture
// model) gets SIGKILL while the remote engine streams from it, 10 times at seeded token counts. Each streaming
// request fails with a 'remote' error that says the stream broke or the server is unreachable (never a hang,
// never a crash of our worker), and once the server is back the same engine serves the next request.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { RuntimeError } from '../../model-runtime/errors';
import { ModelRuntime } from '../../model-runtime/runtime';
import { DEFAULT_SAMPLER } from '../../sampling/sampler';
import { FIXTURES } from '../unit/model-runtime/fixtures';
import { Seeded } from './seeded';

const KILLS = 10;
const sampling = { ...DEFAULT_SAMPLER, temperature: 1, seed: 5, maxTokens: 400, stop: [] as string[] };

/** Starts `node dist/serve.js` on a fixture model and port; resolves once it says where it listens. */
function serve(port: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [resolve('dist/serve.js'), '--model', join(FIXTURES, 'llama-tiny'), '--port', String(port), '--threads', '1'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((res, rej) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /at (http:\/\/\S+)/.exec(out);
      if (m) res({ child, url: m[1] });
    });
    child.once('exit', (code) => rej(new Error(`serve exited with ${code} before listening: ${out}`)));
  });
}

test(`the remote engine survives ${KILLS} kills of its server mid-stream`, async () => {
  const rng = new Seeded(17);
  let server = await serve(0);
  const port = Number(new URL(server.url).port);
  const rt = new ModelRuntime({ workerPath: resolve('dist/worker.js') });
  try {
    await rt.start({
      modelDir: server.url,
      remote: { flavour: 'llama-server', baseUrl: server.url, model: '', retries: 0, timeoutMs: 20_000 },
    });
    for (let i = 0; i < KILLS; i++) {
      const killAt = 1 + Math.floor(rng.next() * 20);
      let tokens = 0;
      const failed = await rt
        .generate({ prompt: { text: 'a' }, sampling, topN: 2, onToken: () => ++tokens === killAt && server.child.kill('SIGKILL') })
        .then(
          (r) =>
            assert.fail(`generation ${i} ended (${r.stats.stopReason}, ${tokens} tokens) though its server was killed at token ${killAt}`),
          (e: RuntimeError) => e,
        );
      assert.equal(failed.code, 'remote', failed.message);
      assert.match(failed.message, /stream broke|cannot reach/);
      server = await serve(port);
      const next = await rt.generate({ prompt: { text: 'b' }, sampling: { ...sampling, maxTokens: 4 }, topN: 2 });
      assert.ok(next.ids.length > 0, 'the restarted server serves the same engine');
    }
    assert.equal(rt.starts, 1, 'our worker never crashed');
  } finally {
    rt.dispose();
    server.child.kill('SIGKILL');
  }
});
