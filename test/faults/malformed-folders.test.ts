// Every malformed folder of broken-folders.ts, loaded through the real worker: each fails with its own error
// code and a message naming the file, nothing blocks, and the same worker still serves the good model after
// each one.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SamplingSettings, WorkerToHost } from '../../model-runtime/protocol';
import { FIXTURES } from '../unit/model-runtime/fixtures';
import { RawWorker } from '../unit/model-runtime/raw-worker';
import { brokenCases } from './broken-folders';
import { DEFAULT_SAMPLER } from '../../sampling/sampler';

const good = { modelDir: join(FIXTURES, 'llama-tiny'), providers: ['cpu'], threads: 1 };
const sampling: SamplingSettings = {
  ...DEFAULT_SAMPLER,
  temperature: 0,
  maxTokens: 3,
  stop: [],
};

test('at least 60 malformed folders: each its own error naming the file, and the worker serves on', { timeout: 240_000 }, async () => {
  const cases = brokenCases();
  assert.ok(cases.length >= 60, `${cases.length} cases`);
  const w = new RawWorker();
  const root = mkdtempSync(join(tmpdir(), 'tokenscope-faults-'));
  const seen = new Map<string, number>();
  try {
    assert.equal((await w.request({ type: 'load', ...good })).type, 'loaded');
    for (const [i, c] of cases.entries()) {
      const dir = join(root, `${i}`);
      cpSync(join(FIXTURES, c.fixture), dir, { recursive: true });
      c.edit(dir);
      const modelDir = c.load ? c.load(dir) : dir;
      const a = await w.request({ type: 'load', modelDir, providers: ['cpu'], threads: 1, onnxFile: c.onnxFile ?? 'model.onnx' });
      assert.equal(a.type, 'error', `${c.name}: loaded`);
      const e = a as Extract<WorkerToHost, { type: 'error' }>;
      assert.equal(e.code, c.code, `${c.name}: ${e.message}`);
      const named = c.file ? join(dir, c.file) : '""';
      assert.ok(e.message.includes(named), `${c.name}: "${e.message}" does not name ${named}`);
      seen.set(c.code, (seen.get(c.code) ?? 0) + 1);
      // The good model still serves, in the same worker.
      const r = await w.request({ type: 'generate', priority: 'interactive', prompt: { text: c.name }, sampling, topN: 1 });
      assert.ok(r.type === 'done' && r.ids.length === 3, `${c.name}: then ${JSON.stringify(r).slice(0, 200)}`);
    }
    assert.equal(w.exit, undefined, 'the worker never exited');
    for (const [id, list] of w.finals) assert.equal(list.length, 1, `request ${id}: ${list.length} answers`);
    console.log(`${cases.length} malformed folders: ${[...seen].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  } finally {
    w.kill();
    rmSync(root, { recursive: true, force: true });
  }
});
