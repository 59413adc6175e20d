// `npm run bench`: the runtime's speed on the default model (or the largest fixture until it exists),
// measured through the real worker process, next to @huggingface/transformers running the same ONNX file
// with the same thread count (in its own process, so each peak RSS is its own).
//   --json            print one JSON object last, with every figure
//   --threads N       intra-op threads for both (default: min(4, CPU count))
//   --model DIR       model folder (default: media/models/tokenscope-code, else the largest fixture)
//   --onnx FILE       ONNX file under onnx/ (default: the runtime's preference)
//   --prompt-tokens N (default 1000, cut to the model's context)  --decode-tokens N (default 64)  --reps N (default 3)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { WorkerClient } from '../model-runtime/client';
import { readModelFolder } from '../model-runtime/model-folder';
import type { SamplingSettings } from '../model-runtime/protocol';
import { loadTokenizer } from '../model-runtime/tokenizer';

interface Plan {
  modelDir: string;
  onnxFile: string;
  threads: number;
  coldPrompts: number[][];
  editPrompts: number[][];
  decodePrompt: number[];
  decodeTokens: number;
}

interface Figures {
  prefill_tok_s: number;
  decode_tok_s: number;
  ttft_cold_ms: number;
  ttft_edit_ms: number;
  peak_rss_mb: number;
  decode_tokens: number;
}

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function defaultModel(): string {
  const real = resolve('media/models/tokenscope-code');
  if (existsSync(join(real, 'config.json'))) return real;
  const root = resolve('test/fixtures/models');
  const sized = readdirSync(root)
    .map((n) => join(root, n))
    .filter((d) => existsSync(join(d, 'onnx')))
    .map((d) => ({ d, size: readdirSync(join(d, 'onnx')).reduce((a, f) => a + statSync(join(d, 'onnx', f)).size, 0) }))
    .sort((a, b) => b.size - a.size);
  if (!sized.length) throw new Error('no model: neither media/models/tokenscope-code nor test/fixtures/models/*');
  return sized[0].d;
}

const SOURCE = `export function parseConfig(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of text.split('\\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq < 0) throw new Error(\`bad line: \${line}\`);
    const key = trimmed.slice(0, eq).trim();
    const value = trimmed.slice(eq + 1).trim();
    out[key] = value === 'true' ? true : value === 'false' ? false : Number.isNaN(Number(value)) ? value : Number(value);
  }
  return out;
}
`;

function makePlan(): Plan {
  const modelDir = resolve(opt('--model') ?? defaultModel());
  const folder = readModelFolder(modelDir, { onnxFile: opt('--onnx') });
  const tok = loadTokenizer(folder);
  const threads = Number(opt('--threads') ?? Math.min(4, cpus().length));
  const decodeTokens = Number(opt('--decode-tokens') ?? 64);
  const reps = Number(opt('--reps') ?? 3);
  const ctx = folder.arch.maxPositions;
  const n = Math.min(Number(opt('--prompt-tokens') ?? 1000), ctx - 8);
  const coldPrompts: number[][] = [];
  const editPrompts: number[][] = [];
  for (let r = 0; r < reps; r++) {
    // Each repetition starts with a different line, so its cold prompt shares nothing with the cache.
    let text = `// file ${r + 1} of ${reps}: ${'abcdefghij'[r % 10]}\n`;
    while (tok.encode(text).length < n + 8) text += SOURCE;
    const ids = tok.encode(text).slice(0, n);
    // The edit: one character typed at the end, tokenized again (the last token usually changes).
    const edited = tok.encode(tok.decode(ids) + 'x').slice(0, n);
    coldPrompts.push(ids);
    editPrompts.push(edited);
  }
  const decodePrompt = tok.encode(SOURCE).slice(0, Math.min(32, Math.max(1, ctx - decodeTokens - 2)));
  return { modelDir, onnxFile: folder.onnxFile, threads, coldPrompts, editPrompts, decodePrompt, decodeTokens: Math.min(decodeTokens, ctx - decodePrompt.length - 1) };
}

const greedy = (maxTokens: number): SamplingSettings => ({
  temperature: 0,
  topK: 0,
  topP: 1,
  minP: 0,
  repetitionPenalty: 1,
  presencePenalty: 0,
  frequencyPenalty: 0,
  maxTokens,
  stop: [],
});

async function measureOurs(plan: Plan): Promise<Figures & { provider: string; reused_tokens: number }> {
  const w = new WorkerClient({ workerPath: resolve(__dirname, 'worker.js') });
  try {
    const { provider } = await w.load({ modelDir: plan.modelDir, onnxFile: plan.onnxFile, threads: plan.threads, providers: ['cpu'] });
    const ttft = async (tokens: number[]) => {
      const t0 = performance.now();
      let t1 = 0;
      const r = await w.generate({ prompt: { tokens }, sampling: greedy(1), topN: 0, onToken: () => (t1 ||= performance.now()) });
      return { ms: t1 - t0, reused: r.stats.reusedTokens };
    };
    await ttft(plan.decodePrompt); // warm-up
    const cold: number[] = [];
    const edit: number[] = [];
    let reused = 0;
    for (let r = 0; r < plan.coldPrompts.length; r++) {
      cold.push((await ttft(plan.coldPrompts[r])).ms);
      const e = await ttft(plan.editPrompts[r]);
      edit.push(e.ms);
      reused = e.reused;
    }
    const rates: number[] = [];
    let decoded = 0;
    for (let r = 0; r < plan.coldPrompts.length; r++) {
      const times: number[] = [];
      await w.generate({ prompt: { tokens: [...plan.decodePrompt, r] }, sampling: greedy(plan.decodeTokens), topN: 0, onToken: () => times.push(performance.now()) });
      if (times.length > 1) rates.push((times.length - 1) / ((times[times.length - 1] - times[0]) / 1000));
      decoded = times.length;
    }
    const mem = await w.memory();
    const n = plan.coldPrompts[0].length;
    return {
      prefill_tok_s: n / (median(cold) / 1000),
      decode_tok_s: median(rates),
      ttft_cold_ms: median(cold),
      ttft_edit_ms: median(edit),
      peak_rss_mb: mem.peakRss / 2 ** 20,
      decode_tokens: decoded,
      provider: provider.active,
      reused_tokens: reused,
    };
  } finally {
    w.dispose();
  }
}

/** Runs in a child process: transformers.js on the same files, same thread count, same token ids. */
async function transformersChild(plan: Plan): Promise<Figures> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const t = require('@huggingface/transformers');
  t.env.allowRemoteModels = false;
  t.env.allowLocalModels = true;
  t.env.localModelPath = resolve(plan.modelDir, '..') + '/';
  const name = plan.modelDir.split(/[\\/]/).pop();
  const dtype = plan.onnxFile === 'model.onnx' ? 'fp32' : plan.onnxFile === 'model_fp16.onnx' ? 'fp16' : plan.onnxFile === 'model_quantized.onnx' ? 'q8' : undefined;
  if (!dtype) throw new Error(`no transformers.js dtype for ${plan.onnxFile}`);
  const model = await t.AutoModelForCausalLM.from_pretrained(name, {
    dtype,
    device: 'cpu',
    session_options: { intraOpNumThreads: plan.threads, interOpNumThreads: 1 },
  });
  const run = async (ids: number[], maxNew: number) => {
    const times: number[] = [];
    const t0 = performance.now();
    const input_ids = new t.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
    const attention_mask = new t.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
    let first = true;
    const streamer = {
      put() {
        // The first call carries the prompt.
        if (first) first = false;
        else times.push(performance.now());
      },
      end() {},
    };
    await model.generate({ input_ids, attention_mask, max_new_tokens: maxNew, do_sample: false, streamer });
    return { t0, times };
  };
  await run(plan.decodePrompt, 1);
  const cold: number[] = [];
  const edit: number[] = [];
  for (let r = 0; r < plan.coldPrompts.length; r++) {
    const c = await run(plan.coldPrompts[r], 1);
    cold.push(c.times[0] - c.t0);
    const e = await run(plan.editPrompts[r], 1);
    edit.push(e.times[0] - e.t0);
  }
  const rates: number[] = [];
  let decoded = 0;
  for (let r = 0; r < plan.coldPrompts.length; r++) {
    const { times } = await run([...plan.decodePrompt, r], plan.decodeTokens);
    if (times.length > 1) rates.push((times.length - 1) / ((times[times.length - 1] - times[0]) / 1000));
    decoded = times.length;
  }
  return {
    prefill_tok_s: plan.coldPrompts[0].length / (median(cold) / 1000),
    decode_tok_s: median(rates),
    ttft_cold_ms: median(cold),
    ttft_edit_ms: median(edit),
    peak_rss_mb: (process.resourceUsage().maxRSS * 1024) / 2 ** 20,
    decode_tokens: decoded,
  };
}

function measureTransformers(plan: Plan): Figures | { error: string } {
  const r = spawnSync(process.execPath, [__filename, '--transformersjs-child'], { input: JSON.stringify(plan), encoding: 'utf8', maxBuffer: 1 << 26 });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last);
  } catch {
    return { error: (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n').slice(-3).join(' | ') };
  }
}

const fmt = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));

async function main(): Promise<void> {
  if (flag('--transformersjs-child')) {
    const plan = JSON.parse(require('node:fs').readFileSync(0, 'utf8')) as Plan;
    process.stdout.write(JSON.stringify(await transformersChild(plan)) + '\n');
    return;
  }
  const plan = makePlan();
  const ours = await measureOurs(plan);
  const theirs = measureTransformers(plan);
  const tj = 'error' in theirs ? undefined : theirs;
  const ratio = (a: number, b: number | undefined) => (b ? a / b : undefined);
  const result = {
    model: plan.modelDir,
    onnx_file: plan.onnxFile,
    provider: ours.provider,
    threads: plan.threads,
    prompt_tokens: plan.coldPrompts[0].length,
    decode_tokens: ours.decode_tokens,
    prefill_tok_s: ours.prefill_tok_s,
    decode_tok_s: ours.decode_tok_s,
    ttft_cold_ms: ours.ttft_cold_ms,
    ttft_edit_ms: ours.ttft_edit_ms,
    edit_reused_tokens: ours.reused_tokens,
    prefix_reuse_ttft_speedup: ours.ttft_cold_ms / ours.ttft_edit_ms,
    worker_peak_rss_mb: ours.peak_rss_mb,
    transformersjs: tj ?? theirs,
    prefill_ratio_vs_transformersjs: ratio(ours.prefill_tok_s, tj?.prefill_tok_s),
    decode_ratio_vs_transformersjs: ratio(ours.decode_tok_s, tj?.decode_tok_s),
    ttft_cold_speedup_vs_transformersjs: tj ? tj.ttft_cold_ms / ours.ttft_cold_ms : undefined,
    ttft_edit_speedup_vs_transformersjs: tj ? tj.ttft_edit_ms / ours.ttft_edit_ms : undefined,
    peak_rss_ratio_vs_transformersjs: ratio(ours.peak_rss_mb, tj?.peak_rss_mb),
  };
  const rows: [string, string, string, string][] = [
    ['prefill (tok/s)', fmt(ours.prefill_tok_s, 0), fmt(tj?.prefill_tok_s, 0), fmt(result.prefill_ratio_vs_transformersjs, 2) + 'x'],
    ['decode (tok/s)', fmt(ours.decode_tok_s, 0), fmt(tj?.decode_tok_s, 0), fmt(result.decode_ratio_vs_transformersjs, 2) + 'x'],
    [`TTFT, ${result.prompt_tokens}-token prompt (ms)`, fmt(ours.ttft_cold_ms), fmt(tj?.ttft_cold_ms), fmt(result.ttft_cold_speedup_vs_transformersjs, 2) + 'x faster'],
    ['TTFT after a 1-char edit (ms)', fmt(ours.ttft_edit_ms), fmt(tj?.ttft_edit_ms), fmt(result.ttft_edit_speedup_vs_transformersjs, 2) + 'x faster'],
    ['peak RSS (MB)', fmt(ours.peak_rss_mb, 0), fmt(tj?.peak_rss_mb, 0), fmt(result.peak_rss_ratio_vs_transformersjs, 2) + 'x'],
  ];
  const w = [38, 12, 16, 14];
  console.log(`Tokenscope runtime bench: ${plan.modelDir} (${plan.onnxFile}), ${ours.provider}, ${plan.threads} threads`);
  console.log(['', 'tokenscope', 'transformers.js', 'ratio'].map((s, i) => s.padEnd(w[i])).join(''));
  for (const r of rows) console.log(r.map((s, i) => s.padEnd(w[i])).join(''));
  console.log(`prefix reuse: TTFT cold / after edit = ${fmt(result.prefix_reuse_ttft_speedup, 1)}x (reused ${ours.reused_tokens} of ${result.prompt_tokens} tokens)`);
  if (!tj) console.log(`transformers.js failed: ${(theirs as { error: string }).error}`);
  if (flag('--json')) console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
