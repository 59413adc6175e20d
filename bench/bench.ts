// `npm run bench`: the runtime's speed on the default model (or the largest fixture until it exists),
// measured through the real worker process, next to @huggingface/transformers running the same ONNX file
// with the same thread count (in its own process, so each peak RSS is its own).
//   --json            print one JSON object last, with every figure
//   --threads N       intra-op threads for both (default: min(4, CPU count))
//   --model DIR       model folder (default: media/models/tokenscope-code, else the largest fixture)
//   --onnx FILE       ONNX file under onnx/ (default: the runtime's preference)
//   --profile-worker DIR  write a CPU profile of the worker there
//   --prompt-tokens N (default 1000, cut to the model's context)  --decode-tokens N (default 64)  --reps N (default 3)
import { fork } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { readModelFolder } from '../model-runtime/model-folder';
import type { SamplingSettings } from '../model-runtime/protocol';
import { ModelRuntime } from '../model-runtime/runtime';
import { loadTokenizer } from '../model-runtime/tokenizer';
import { DEFAULT_SAMPLER } from '../sampling/sampler';

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
  return {
    modelDir,
    onnxFile: folder.onnxFile,
    threads,
    coldPrompts,
    editPrompts,
    decodePrompt,
    decodeTokens: Math.min(decodeTokens, ctx - decodePrompt.length - 1),
  };
}

const greedy = (maxTokens: number): SamplingSettings => ({ ...DEFAULT_SAMPLER, maxTokens, stop: [] });

/** One side of the comparison: time to first token, a decode rate, and peak RSS. */
interface Side {
  ttft(tokens: number[]): Promise<number>;
  decode(tokens: number[], n: number): Promise<{ rate: number; count: number }>;
  peakRssMb(): Promise<number>;
  close(): void;
}

async function ours(plan: Plan, draftTokens?: number): Promise<Side & { provider: string; lastReused: () => number }> {
  const prof = opt('--profile-worker');
  const rt = new ModelRuntime({
    workerPath: resolve(__dirname, 'worker.js'),
    execArgv: prof ? ['--cpu-prof', `--cpu-prof-dir=${resolve(prof)}`] : [],
  });
  await rt.start({
    modelDir: plan.modelDir,
    onnxFile: plan.onnxFile,
    threads: plan.threads,
    providers: ['cpu'],
    draftTokens,
  });
  let reused = 0;
  return {
    provider: rt.provider()?.active ?? '',
    lastReused: () => reused,
    async ttft(tokens) {
      const t0 = performance.now();
      let t1 = 0;
      const r = await rt.generate({ prompt: { tokens }, sampling: greedy(1), topN: 0, onToken: () => (t1 ||= performance.now()) });
      reused = r.stats.reusedTokens;
      return t1 - t0;
    },
    async decode(tokens, n) {
      const times: number[] = [];
      await rt.generate({ prompt: { tokens }, sampling: greedy(n), topN: 0, onToken: () => times.push(performance.now()) });
      return { rate: (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000), count: times.length };
    },
    async peakRssMb() {
      return (await rt.memory()).peakRss / 2 ** 20;
    },
    close: () => rt.dispose(),
  };
}

/** transformers.js in its own process (so its peak RSS is its own), driven by messages. */
async function theirs(plan: Plan): Promise<Side> {
  const child = fork(__filename, ['--transformersjs-child'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d).slice(-2000)));
  let seq = 0;
  const waiting = new Map<number, { res: (v: any) => void; rej: (e: Error) => void }>();
  child.on('message', (m: any) => {
    const p = waiting.get(m.seq);
    waiting.delete(m.seq);
    if (m.error) p?.rej(new Error(m.error));
    else p?.res(m.value);
  });
  child.on('exit', (code) => {
    for (const p of waiting.values())
      p.rej(new Error(`transformers.js process exited (${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    waiting.clear();
  });
  const call = (cmd: string, arg?: unknown): Promise<any> =>
    new Promise((res, rej) => {
      const id = ++seq;
      waiting.set(id, { res, rej });
      child.send({ seq: id, cmd, arg });
    });
  await call('load', plan);
  return {
    ttft: (tokens) => call('ttft', tokens),
    decode: (tokens, n) => call('decode', { tokens, n }),
    peakRssMb: () => call('rss'),
    close: () => child.kill(),
  };
}

/** The child side: transformers.js on the same files, same thread count, same token ids. */
function transformersChild(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const t = require('@huggingface/transformers');
  let model: any;
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
  const handlers: Record<string, (arg: any) => Promise<unknown>> = {
    async load(plan: Plan) {
      t.env.allowRemoteModels = false;
      t.env.allowLocalModels = true;
      t.env.localModelPath = resolve(plan.modelDir, '..') + '/';
      const dtype = { 'model.onnx': 'fp32', 'model_fp16.onnx': 'fp16', 'model_quantized.onnx': 'q8' }[plan.onnxFile];
      if (!dtype) throw new Error(`no transformers.js dtype for ${plan.onnxFile}`);
      model = await t.AutoModelForCausalLM.from_pretrained(plan.modelDir.split(/[\\/]/).pop(), {
        dtype,
        device: 'cpu',
        session_options: { intraOpNumThreads: plan.threads, interOpNumThreads: 1 },
      });
      return true;
    },
    async ttft(ids: number[]) {
      const r = await run(ids, 1);
      return r.times[0] - r.t0;
    },
    async decode({ tokens, n }: { tokens: number[]; n: number }) {
      const { times } = await run(tokens, n);
      return { rate: (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000), count: times.length };
    },
    async rss() {
      return (process.resourceUsage().maxRSS * 1024) / 2 ** 20;
    },
  };
  process.on('message', async (m: any) => {
    try {
      process.send!({ seq: m.seq, value: await handlers[m.cmd](m.arg) });
    } catch (e) {
      process.send!({ seq: m.seq, error: (e as Error).stack ?? String(e) });
    }
  });
}

interface Measured extends Figures {
  error?: string;
}

/** Both sides, interleaved rep by rep so a change in machine load hits both alike. */
async function measure(plan: Plan): Promise<{
  ours: Measured & { provider: string; reused: number; decode_one_run_per_token_tok_s: number };
  theirs: Measured | { error: string };
}> {
  const a = await ours(plan);
  // The same runtime with speculative decoding off: one model run per token, as transformers.js makes.
  const c = await ours(plan, 0);
  const oneRunRates: number[] = [];
  let b: Side | undefined;
  let bError: string | undefined;
  try {
    b = await theirs(plan);
  } catch (e) {
    bError = (e as Error).message;
  }
  const acc = () => ({ cold: [] as number[], edit: [] as number[], rate: [] as number[], count: 0 });
  const A = acc();
  const B = acc();
  const both = async (f: (s: Side, into: ReturnType<typeof acc>) => Promise<void>) => {
    await f(a, A);
    if (b && !bError) await f(b, B).catch((e) => (bError = (e as Error).message));
  };
  try {
    await both(async (s) => void (await s.ttft(plan.decodePrompt))); // warm-up
    for (let r = 0; r < plan.coldPrompts.length; r++) {
      await both(async (s, into) => void into.cold.push(await s.ttft(plan.coldPrompts[r])));
      await both(async (s, into) => void into.edit.push(await s.ttft(plan.editPrompts[r])));
    }
    for (let r = 0; r < plan.coldPrompts.length; r++) {
      await both(async (s, into) => {
        const d = await s.decode([...plan.decodePrompt, r], plan.decodeTokens);
        into.rate.push(d.rate);
        into.count = d.count;
      });
      oneRunRates.push((await c.decode([...plan.decodePrompt, r], plan.decodeTokens)).rate);
    }
    const n = plan.coldPrompts[0].length;
    const figures = async (s: Side, x: ReturnType<typeof acc>): Promise<Figures> => ({
      prefill_tok_s: n / (median(x.cold) / 1000),
      decode_tok_s: median(x.rate),
      ttft_cold_ms: median(x.cold),
      ttft_edit_ms: median(x.edit),
      peak_rss_mb: await s.peakRssMb(),
      decode_tokens: x.count,
    });
    const oursFig = {
      ...(await figures(a, A)),
      provider: a.provider,
      reused: a.lastReused(),
      decode_one_run_per_token_tok_s: median(oneRunRates),
    };
    let theirsFig: Measured | { error: string } = { error: bError ?? 'not run' };
    if (b && !bError) theirsFig = await figures(b, B).catch((e) => ({ error: (e as Error).message }));
    return { ours: oursFig, theirs: theirsFig };
  } finally {
    a.close();
    b?.close();
    c.close();
  }
}

const fmt = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));

async function main(): Promise<void> {
  if (flag('--transformersjs-child')) return transformersChild();
  const plan = makePlan();
  const { ours, theirs } = await measure(plan);
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
    edit_reused_tokens: ours.reused,
    prefix_reuse_ttft_speedup: ours.ttft_cold_ms / ours.ttft_edit_ms,
    worker_peak_rss_mb: ours.peak_rss_mb,
    transformersjs: tj ?? theirs,
    prefill_ratio_vs_transformersjs: ratio(ours.prefill_tok_s, tj?.prefill_tok_s),
    decode_ratio_vs_transformersjs: ratio(ours.decode_tok_s, tj?.decode_tok_s),
    // Without prompt-lookup speculation: what one model run per token gives (the bench's greedy text repeats
    // itself, so speculation is accepted more often here than in typical completions).
    decode_one_run_per_token_tok_s: ours.decode_one_run_per_token_tok_s,
    decode_one_run_per_token_ratio_vs_transformersjs: ratio(ours.decode_one_run_per_token_tok_s, tj?.decode_tok_s),
    ttft_cold_speedup_vs_transformersjs: tj ? tj.ttft_cold_ms / ours.ttft_cold_ms : undefined,
    ttft_edit_speedup_vs_transformersjs: tj ? tj.ttft_edit_ms / ours.ttft_edit_ms : undefined,
    peak_rss_ratio_vs_transformersjs: ratio(ours.peak_rss_mb, tj?.peak_rss_mb),
  };
  const rows: [string, string, string, string][] = [
    ['prefill (tok/s)', fmt(ours.prefill_tok_s, 0), fmt(tj?.prefill_tok_s, 0), fmt(result.prefill_ratio_vs_transformersjs, 2) + 'x'],
    ['decode (tok/s)', fmt(ours.decode_tok_s, 0), fmt(tj?.decode_tok_s, 0), fmt(result.decode_ratio_vs_transformersjs, 2) + 'x'],
    [
      'decode, speculation off (tok/s)',
      fmt(ours.decode_one_run_per_token_tok_s, 0),
      fmt(tj?.decode_tok_s, 0),
      fmt(result.decode_one_run_per_token_ratio_vs_transformersjs, 2) + 'x',
    ],
    [
      `TTFT, ${result.prompt_tokens}-token prompt (ms)`,
      fmt(ours.ttft_cold_ms),
      fmt(tj?.ttft_cold_ms),
      fmt(result.ttft_cold_speedup_vs_transformersjs, 2) + 'x faster',
    ],
    [
      'TTFT after a 1-char edit (ms)',
      fmt(ours.ttft_edit_ms),
      fmt(tj?.ttft_edit_ms),
      fmt(result.ttft_edit_speedup_vs_transformersjs, 2) + 'x faster',
    ],
    ['peak RSS (MB)', fmt(ours.peak_rss_mb, 0), fmt(tj?.peak_rss_mb, 0), fmt(result.peak_rss_ratio_vs_transformersjs, 2) + 'x'],
  ];
  const w = [38, 12, 16, 14];
  console.log(`Tokenscope runtime bench: ${plan.modelDir} (${plan.onnxFile}), ${ours.provider}, ${plan.threads} threads`);
  console.log(['', 'tokenscope', 'transformers.js', 'ratio'].map((s, i) => s.padEnd(w[i])).join(''));
  for (const r of rows) console.log(r.map((s, i) => s.padEnd(w[i])).join(''));
  console.log(
    `prefix reuse: TTFT cold / after edit = ${fmt(result.prefix_reuse_ttft_speedup, 1)}x (reused ${ours.reused} of ${result.prompt_tokens} tokens)`,
  );
  if (!tj) console.log(`transformers.js failed: ${(theirs as { error: string }).error}`);
  const met = (ok: boolean | undefined) => (ok === undefined ? 'not measured' : ok ? 'met' : 'NOT met');
  console.log(
    `targets: decode >= 1.25x transformers.js: ${met(result.decode_ratio_vs_transformersjs === undefined ? undefined : result.decode_ratio_vs_transformersjs >= 1.25)}; prefix reuse >= 10x: ${met(result.prefix_reuse_ttft_speedup >= 10)}`,
  );
  if (flag('--json')) console.log(JSON.stringify(result));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
