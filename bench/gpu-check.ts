// GPU inference check: runs the model runtime's Engine on each execution provider named, on the
// same ONNX file, and compares them with the CPU provider: last-position logits of a prompt, greedy
// tokens, prefill and decode tokens/s, and decode bandwidth (weight bytes x tok/s).
//
// usage: node dist/gpu-check.js --model DIR [--onnx model.onnx] [--providers cpu,webgpu] [--json OUT.json]
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOnnxEngine } from '../model-runtime/onnx/load';
import { DEFAULT_SAMPLER } from '../sampling/sampler';
import type { SamplingSettings } from '../model-runtime/protocol';

const arg = (name: string, dflt?: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};

const GREEDY: SamplingSettings = { ...DEFAULT_SAMPLER, maxTokens: 48, stop: [] };
const PROMPT = 'import numpy as np\n\n\ndef softmax(x, axis=-1):\n    """Numerically stable softmax."""\n';

interface ProviderResult {
  requested: string;
  active: string;
  fallbacks: { provider: string; reason: string }[];
  loadMs: number;
  prefillTokPerS: number;
  decodeTokPerS: number;
  greedyIds: number[];
  greedyText: string;
  lastLogits: number[];
}

async function measure(dir: string, onnxFile: string | undefined, provider: string): Promise<ProviderResult> {
  const t0 = performance.now();
  const engine = await loadOnnxEngine(dir, { providers: [provider], onnxFile });
  const loadMs = performance.now() - t0;
  try {
    // Logits of the prompt's last position, fresh cache.
    const ids = engine.tokenize(PROMPT);
    const first = await engine.runner.run(engine.runner.newCache(), ids);
    const vocab = first.data.length / first.rows;
    const lastLogits = Array.from(first.data.subarray((first.rows - 1) * vocab));

    const result = await engine.generate(
      { prompt: { text: PROMPT }, sampling: GREEDY, topN: 0 },
      () => undefined,
      () => false,
    );

    // Prefill: a 512-token prompt (the prompt repeated), after one warm-up run.
    const long: number[] = [];
    while (long.length < 512) long.push(...ids);
    long.length = 512;
    await engine.runner.run(engine.runner.newCache(), long);
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const c = engine.runner.newCache();
      const s = performance.now();
      await engine.runner.run(c, long);
      best = Math.min(best, performance.now() - s);
    }
    // Decode: 128 single-token steps through the cache, after the 512-token prefill.
    const cache = engine.runner.newCache();
    await engine.runner.run(cache, long);
    for (let i = 0; i < 4; i++) await engine.runner.run(cache, [ids[i % ids.length]]);
    const steps = 128;
    const s = performance.now();
    for (let i = 0; i < steps; i++) await engine.runner.run(cache, [ids[i % ids.length]]);
    const decodeMs = performance.now() - s;
    return {
      requested: provider,
      active: engine.provider.active,
      fallbacks: engine.provider.fallbacks,
      loadMs: Math.round(loadMs),
      prefillTokPerS: Math.round((512 / best) * 1000),
      decodeTokPerS: Math.round((steps / decodeMs) * 1000),
      greedyIds: result.ids,
      greedyText: result.text,
      lastLogits,
    };
  } finally {
    await engine.release();
  }
}

async function main(): Promise<void> {
  const dir = arg('model');
  if (!dir) throw new Error('--model DIR is required');
  const onnxFile = arg('onnx', 'model.onnx');
  const providers = (arg('providers', 'cpu,webgpu') ?? '').split(',').filter(Boolean);
  const weightBytes = statSync(join(dir, 'onnx', onnxFile ?? 'model.onnx')).size;
  const results: ProviderResult[] = [];
  for (const p of providers) {
    try {
      results.push(await measure(dir, onnxFile, p));
    } catch (e) {
      console.log(`${p}: failed: ${(e as Error).message}`);
    }
  }
  const cpu = results.find((r) => r.active === 'cpu');
  const rows = results.map((r) => {
    let maxAbs = NaN;
    let maxRef = 0;
    if (cpu) {
      maxAbs = 0;
      r.lastLogits.forEach((v, i) => {
        maxAbs = Math.max(maxAbs, Math.abs(v - cpu.lastLogits[i]));
        maxRef = Math.max(maxRef, Math.abs(cpu.lastLogits[i]));
      });
    }
    return {
      provider: r.active,
      requested: r.requested,
      fallbacks: r.fallbacks,
      loadMs: r.loadMs,
      prefillTokPerS: r.prefillTokPerS,
      decodeTokPerS: r.decodeTokPerS,
      decodeGBPerS: +((weightBytes * r.decodeTokPerS) / 1e9).toFixed(2),
      greedyEqualsCpu: cpu ? JSON.stringify(r.greedyIds) === JSON.stringify(cpu.greedyIds) : null,
      logitsMaxAbsDiffVsCpu: maxAbs,
      logitsMaxAbsCpu: maxRef,
      prefillSpeedupVsCpu: cpu ? +(r.prefillTokPerS / cpu.prefillTokPerS).toFixed(2) : null,
      decodeSpeedupVsCpu: cpu ? +(r.decodeTokPerS / cpu.decodeTokPerS).toFixed(2) : null,
      greedyText: r.greedyText,
    };
  });
  console.log('| provider | prefill tok/s | decode tok/s | weights GB/s at decode | greedy = CPU | max |logit diff| vs CPU |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.provider} | ${r.prefillTokPerS} | ${r.decodeTokPerS} | ${r.decodeGBPerS} | ${r.greedyEqualsCpu} | ${r.logitsMaxAbsDiffVsCpu.toExponential(2)} |`,
    );
  }
  const report = { model: dir, onnx: onnxFile ?? 'model.onnx', weightBytes, prompt: PROMPT, results: rows };
  const out = arg('json');
  if (out) writeFileSync(out, JSON.stringify(report, null, 1));
  console.log(JSON.stringify(report));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
