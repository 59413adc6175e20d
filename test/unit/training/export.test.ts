// The export path without training: a freshly initialised tiny model goes through export_onnx.py
// (ONNX with a KV cache, reference logits) and quantize.py (int8), and our runtime reproduces torch's
// logits from the ONNX file. Needs Python with torch and onnx (Debian: python3-torch, python3-onnx),
// which .ci/run installs; elsewhere the test is skipped with the reason.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadOnnxEngine } from '../../../model-runtime/onnx/load';

function findPython(): string | undefined {
  for (const py of [process.env.PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean) as string[]) {
    if (spawnSync(py, ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}

const python = findPython();
const skip = python ? false : process.env.CI ? false : 'needs python3 with torch and onnx (apt-get install python3-torch python3-onnx)';

interface Reference {
  steps: { feed: number[]; check_ids: number[]; check_logits: number[]; argmax: number }[];
  atol: number;
}

async function replay(dir: string, onnxFile: string, ref: Reference) {
  const engine = await loadOnnxEngine(dir, { onnxFile });
  try {
    const cache = engine.runner.newCache();
    let maxErr = 0;
    const argmax: number[] = [];
    for (const step of ref.steps) {
      const out = await engine.runner.run(cache, step.feed);
      const V = out.data.length / out.rows;
      const last = out.data.subarray((out.rows - 1) * V);
      for (const [i, id] of step.check_ids.entries()) maxErr = Math.max(maxErr, Math.abs(last[id] - step.check_logits[i]));
      let best = 0;
      for (let i = 1; i < V; i++) if (last[i] > last[best]) best = i;
      argmax.push(best);
    }
    return { maxErr, argmax };
  } finally {
    await engine.release();
  }
}

test('export_onnx.py + quantize.py: ONNX logits equal torch logits, int8 keeps the greedy choice', { skip }, async () => {
  assert.ok(python, 'CI must provide python3 with torch and onnx');
  const out = mkdtempSync(join(tmpdir(), 'export-'));
  const r = spawnSync(python, ['training/make_fixtures.py', '--out', out, '--only', 'mistral-tiny'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const dir = join(out, 'mistral-tiny');
  for (const f of [
    'config.json',
    'generation_config.json',
    'tokenizer.json',
    'tokenizer_config.json',
    'onnx/model.onnx',
    'onnx/model_quantized.onnx',
    'reference.json',
  ]) {
    assert.ok(existsSync(join(dir, f)), `${f} written`);
  }
  // The int8 file stores the tied embedding once: well under half the fp32 file.
  assert.ok(statSync(join(dir, 'onnx/model_quantized.onnx')).size < 0.5 * statSync(join(dir, 'onnx/model.onnx')).size);
  const ref: Reference = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
  const fp32 = await replay(dir, 'model.onnx', ref);
  assert.ok(fp32.maxErr < ref.atol, `fp32 max error ${fp32.maxErr}`);
  assert.deepEqual(
    fp32.argmax,
    ref.steps.map((s) => s.argmax),
  );
  const q8 = await replay(dir, 'model_quantized.onnx', ref);
  assert.deepEqual(
    q8.argmax,
    ref.steps.map((s) => s.argmax),
  );
});

test('fused_graph.py: the fused fixture regenerates to the logits torch computes; its weights read back and rebuild the same file', {
  skip,
}, async () => {
  assert.ok(python, 'CI must provide python3 with torch and onnx');
  const out = mkdtempSync(join(tmpdir(), 'fused-'));
  const r = spawnSync(python, ['training/make_fixtures.py', '--out', out, '--only', 'llama-tiny-fused'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const dir = join(out, 'llama-tiny-fused');
  const ref: Reference & { onnx_file: string } = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));
  const fused = await replay(dir, ref.onnx_file, ref);
  assert.ok(fused.maxErr < ref.atol, `max error ${fused.maxErr}`);
  assert.deepEqual(
    fused.argmax,
    ref.steps.map((s) => s.argmax),
  );
  // export_fused.py reads the 8-bit blocks back (onnx_to_checkpoint.fused_state) and quantizes them again: the
  // values are already on the grid, so the file comes out the same.
  const again = join(out, 'again.onnx');
  const x = spawnSync(python, ['training/export_fused.py', '--model', dir, '--block', '32', '--out', again], { encoding: 'utf8' });
  assert.equal(x.status, 0, x.stderr);
  assert.ok(readFileSync(again).equals(readFileSync(join(dir, 'onnx', ref.onnx_file))), 'the same bytes');
});
