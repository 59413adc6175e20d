// The WebGPU path, where a Vulkan driver exists (CI has none: the test says it skipped, and why).
// Locally: VK_ICD_FILENAMES=<lvp_icd.json> (Mesa's software Vulkan) runs it on the CPU.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadOnnxEngine, type OnnxEngine } from '../../../../model-runtime/onnx/load';
import type { SamplingSettings } from '../../../../model-runtime/protocol';
import { FIXTURES } from '../fixtures';
import { DEFAULT_SAMPLER } from '../../../../sampling/sampler';

const greedy: SamplingSettings = {
  ...DEFAULT_SAMPLER,
  temperature: 0,
  maxTokens: 12,
  stop: [],
};

/**
 * What onnxruntime-node says where WebGPU cannot run at all: Dawn found no adapter ("Failed to get a WebGPU
 * adapter: No supported adapters", from webgpu_context.cc, e.g. no Vulkan driver), or this build has no WebGPU
 * backend (session.ts: "webgpu: not in this onnxruntime-node build").
 */
const NO_WEBGPU = /Failed to get a WebGPU adapter|RequestAdapterStatus::Success was false|webgpu: not in this onnxruntime-node build/;

test("WebGPU: keys/values stay on the GPU and generations equal the CPU's, across a divergence", async (t) => {
  let gpu: OnnxEngine;
  try {
    gpu = await loadOnnxEngine(join(FIXTURES, 'llama-tiny'), { providers: ['webgpu'], onnxFile: 'model.onnx' });
  } catch (e) {
    const message = String((e as Error).message);
    // Only a machine without WebGPU skips; any other failure to load (a broken model, session, or probe) fails.
    if (!NO_WEBGPU.test(message)) throw e;
    t.skip(`no WebGPU here: ${NO_WEBGPU.exec(message)![0]}`);
    return;
  }
  const cpu = await loadOnnxEngine(join(FIXTURES, 'llama-tiny'), { providers: ['cpu'], onnxFile: 'model.onnx', threads: 1 });
  try {
    assert.equal(gpu.provider.active, 'webgpu');
    assert.deepEqual(gpu.provider.notes, ['keys/values stay on the GPU between steps']);
    // An extension (append), a one-character edit at the end (a masked rewind, on the GPU), a fresh start.
    const long = 'hello world, this prompt is long enough that a small edit at its end leaves most of it cached';
    for (const [text, masked] of [
      ['hello world', false],
      [long + ' it', false],
      [long + ' is', true],
      ['goodbye', false],
    ] as const) {
      const a = await cpu.generate(
        { prompt: { text }, sampling: greedy, topN: 3 },
        () => undefined,
        () => false,
      );
      const b = await gpu.generate(
        { prompt: { text }, sampling: greedy, topN: 3 },
        () => undefined,
        () => false,
      );
      assert.deepEqual(b.ids, a.ids, text);
      if (masked) assert.ok(b.stats.reusedTokens > 20, `reused ${b.stats.reusedTokens}`);
    }
  } finally {
    await gpu.release();
    await cpu.release();
  }
});
