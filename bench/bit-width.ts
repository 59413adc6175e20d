// `npm run bench:bit-width`: what the fused export's bit width and block size trade. The default model's weights
// are written again by training/export_fused.py as fp32 (the reference), 8-bit and 4-bit, blocks of 128 and 32,
// into .artifacts/bit-width/ (needs python3 with torch and onnx), and each runs through the project's runtime in
// one process: greedy tokens after prompts cut from this repository's source files (unseen in training) compared
// with fp32's, and decode tok/s per model run (128 tokens, median of 3). The shipped file runs too.
//   --model DIR (default media/models/tokenscope-code)  --threads N (default 2)  --json
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadOnnxEngine, type OnnxEngine } from '../model-runtime/onnx/load';
import { topIndices } from '../sampling/stats';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const SOURCES = [
  'model-runtime/decode-loop.ts',
  'extension/completion/engine.ts',
  'sampling/sampler.ts',
  'server/http-server.ts',
  'training/train.py',
  'model-runtime/hub/plan.ts',
  'webview/inspector/state.ts',
  'bench/bandwidth.ts',
  'training/data.py',
  'model-runtime/onnx/kv-cache.ts',
];
const NEW_TOKENS = 48;
/** [file, bits (0: float32), block] */
const VARIANTS: [string, number, number][] = [
  ['model_f32.onnx', 0, 128],
  ['model_q8_b128.onnx', 8, 128],
  ['model_q8_b32.onnx', 8, 32],
  ['model_q4_b128.onnx', 4, 128],
  ['model_q4_b32.onnx', 4, 32],
];

/** A folder beside the model's JSON files holding every variant (made once per model file). */
function variantsFolder(model: string): string {
  const dir = resolve('.artifacts', 'bit-width');
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const f of readdirSync(model).filter((f) => f.endsWith('.json'))) copyFileSync(join(model, f), join(dir, f));
  const shipped = join(model, 'onnx', 'model_quantized.onnx');
  copyFileSync(shipped, join(dir, 'onnx', 'model_quantized.onnx'));
  for (const [file, bits, block] of VARIANTS) {
    const out = join(dir, 'onnx', file);
    if (existsSync(out) && statSync(out).mtimeMs >= statSync(shipped).mtimeMs) continue;
    const py = process.env.PYTHON || '/usr/bin/python3';
    const r = spawnSync(
      py,
      ['training/export_fused.py', '--model', model, '--bits', String(bits), '--block', String(block), '--out', out],
      {
        encoding: 'utf8',
      },
    );
    if (r.status !== 0) throw new Error(`export_fused.py failed: ${(r.stderr || '').trim().split('\n').pop()}`);
  }
  return dir;
}

/** The greedy token from the last row of logits. */
const argmax = (data: Float32Array, rows: number, V: number) => topIndices(data.subarray((rows - 1) * V), 1)[0];

/** Greedy continuations of every prompt, and the median decode rate. */
async function measure(e: OnnxEngine): Promise<{ runs: number[][]; rate: number }> {
  const V = e.info.vocabSize;
  const greedy = async (prompt: number[], n: number) => {
    const cache = e.runner.newCache();
    let out = await e.runner.run(cache, prompt);
    const ids: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      ids.push(argmax(out.data, out.rows, V));
      out = await e.runner.run(cache, [ids[i]]);
    }
    return { ids, rate: n / ((performance.now() - t0) / 1000) };
  };
  const runs: number[][] = [];
  for (const file of SOURCES.filter((f) => existsSync(f))) {
    const text = readFileSync(file, 'utf8');
    const cut = Math.floor(text.length * 0.6);
    runs.push((await greedy(e.tokenizer.encode(text.slice(Math.max(0, cut - 1500), cut)), NEW_TOKENS)).ids);
  }
  const rates: number[] = [];
  for (let rep = 0; rep < 3; rep++) rates.push((await greedy(e.tokenizer.encode('export function parse(text: string) {\n'), 128)).rate);
  return { runs, rate: rates.sort((a, b) => a - b)[1] };
}

async function main(): Promise<void> {
  const dir = variantsFolder(resolve(opt('--model') ?? 'media/models/tokenscope-code'));
  const threads = Number(opt('--threads') ?? 2);
  const files = [VARIANTS[0][0], 'model_quantized.onnx', ...VARIANTS.slice(1).map((v) => v[0])];
  const results: { file: string; mb: number; decode_tok_s: number; same_prefix: number; same_position: number; tokens: number }[] = [];
  let ref: number[][] = [];
  for (const file of files) {
    const e = await loadOnnxEngine(dir, { providers: ['cpu'], onnxFile: file, draftTokens: 0, threads });
    try {
      const { runs, rate } = await measure(e);
      if (file === VARIANTS[0][0]) ref = runs;
      let prefix = 0;
      let position = 0;
      runs.forEach((ids, j) => {
        let p = 0;
        while (p < ids.length && ids[p] === ref[j][p]) p++;
        prefix += p;
        position += ids.filter((x, i) => x === ref[j][i]).length;
      });
      const mb = statSync(join(dir, 'onnx', file)).size / 1e6;
      results.push({ file, mb, decode_tok_s: rate, same_prefix: prefix, same_position: position, tokens: runs.length * NEW_TOKENS });
    } finally {
      await e.release();
    }
  }
  console.log('file                    MB on disk  decode tok/s  greedy = fp32 (same prefix / same position)');
  for (const r of results)
    console.log(
      `${r.file.padEnd(24)}${r.mb.toFixed(0).padStart(10)}${r.decode_tok_s.toFixed(1).padStart(14)}  ${r.same_prefix} / ${r.same_position} of ${r.tokens}`,
    );
  if (args.includes('--json')) console.log(JSON.stringify({ threads, results }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
