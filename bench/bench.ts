// `npm run bench`: the runtime's speed on the default model (or the largest fixture until it exists),
// measured through the real worker process, in one run next to its peers on the same weights and thread count,
// each in its own process (so each peak RSS is its own): @huggingface/transformers on the same ONNX file, and
// bare llama.cpp (node-llama-cpp) on the model converted to GGUF q8_0, which our worker also runs through its
// GGUF engine (our overhead over llama.cpp, with and without the inspector's per-step figures).
//   --json            print one JSON object last, with every figure
//   --threads N       intra-op threads for both (default: min(4, CPU count))
//   --model DIR       model folder (default: media/models/tokenscope-code, else the largest fixture)
//   --onnx FILE       ONNX file under onnx/ (default: the runtime's preference)
//   --gguf FILE       the GGUF peer (default: the model converted by scripts/lib/default-gguf.mjs, needs python3)
//   --profile-worker DIR  write a CPU profile of the worker there
//   --prompt-tokens N (default 1000, cut to the model's context)  --decode-tokens N (default 64)  --reps N (default 3)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { readModelFolder } from '../model-runtime/model-folder';
import { promptTokens } from '../model-runtime/prompt-tokens';
import type { SamplingSettings } from '../model-runtime/protocol';
import { ModelRuntime } from '../model-runtime/runtime';
import { loadTokenizer } from '../model-runtime/tokenizer';
import { DEFAULT_SAMPLER } from '../sampling/sampler';
import { bandwidthLimit, copyBandwidth } from './bandwidth';
import { childPeakRssMb, childSide, serveChild } from './child-side';
import { type BenchSide, defaultGgufFile, llamaCppChild, llamaCppSide } from './llamacpp-side';

interface Plan {
  modelDir: string;
  onnxFile: string;
  threads: number;
  coldPrompts: number[][];
  editPrompts: number[][];
  /** The second halves of the cold prompts: prefill at half the length (nothing in common with the cache). */
  shortPrompts: number[][];
  decodePrompt: number[];
  decodeTokens: number;
  /** Fill-in-the-middle prompts cut from real files (this repository's, unseen in training), one per repetition. */
  fimPrompts: number[][];
  /** The cold prompts cut to leave room for decodeTokens: decode with a nearly full context. */
  deepPrompts: number[][];
  contextSize: number;
}

/** Decode this long too (per model run), where a growing cache shows. */
const LONG_DECODE = 256;
/** Files the FIM prompts are cut from: a line in the middle of each is the hole. */
const FIM_SOURCES = ['model-runtime/decode-loop.ts', 'sampling/sampler.ts', 'extension/completion/engine.ts', 'model-runtime/kv-cache.ts'];

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
    shortPrompts: coldPrompts.map((p) => p.slice(p.length - Math.floor(n / 2))),
    fimPrompts: Array.from({ length: reps }, (_, r) => fimPrompt(FIM_SOURCES[r % FIM_SOURCES.length], tok, folder)),
    deepPrompts: coldPrompts.map((p) => p.slice(0, Math.max(1, ctx - Math.min(decodeTokens, ctx / 2) - 8))),
    decodePrompt,
    decodeTokens: Math.min(decodeTokens, ctx - decodePrompt.length - 1),
    contextSize: ctx,
  };
}

/** The prompt the extension builds for a hole at the line 60 % into a file (512 tokens, the model's FIM order). */
function fimPrompt(file: string, tok: ReturnType<typeof loadTokenizer>, folder: ReturnType<typeof readModelFolder>): number[] {
  const lines = readFileSync(resolve(file), 'utf8').split('\n');
  const at = Math.floor(lines.length * 0.6);
  const prefix = `${lines.slice(0, at).join('\n')}\n`;
  const suffix = lines.slice(at + 1).join('\n');
  if (!tok.fim) return tok.encode(prefix).slice(-512);
  return promptTokens({ fim: { prefix, suffix } }, 64, { contextLength: 512 + 64, tokenizer: tok, fimLayout: folder.fimLayout });
}

const greedy = (maxTokens: number): SamplingSettings => ({ ...DEFAULT_SAMPLER, maxTokens, stop: [] });

interface OursOptions {
  draftTokens?: number;
  /** Another model than the plan's (the GGUF file). */
  modelDir?: string;
  /** 'deferred': an inline completion's request (figures computed only when explained). */
  detail?: 'deferred';
  /** Alternatives per step (8: what the inspector asks). */
  topN?: number;
}

/** Our worker process through the runtime the extension uses. */
async function ours(plan: Plan, o: OursOptions = {}): Promise<BenchSide & { provider: string; lastReused: () => number }> {
  const prof = opt('--profile-worker');
  const rt = new ModelRuntime({
    workerPath: resolve(__dirname, 'worker.js'),
    execArgv: prof ? ['--cpu-prof', `--cpu-prof-dir=${resolve(prof)}`] : [],
  });
  const gguf = o.modelDir !== undefined;
  await rt.start({
    modelDir: o.modelDir ?? plan.modelDir,
    onnxFile: gguf ? undefined : plan.onnxFile,
    threads: plan.threads,
    providers: ['cpu'],
    draftTokens: o.draftTokens,
  });
  const request = { topN: o.topN ?? 0, detail: o.detail };
  let reused = 0;
  return {
    provider: rt.provider()?.active ?? '',
    lastReused: () => reused,
    async ttft(tokens) {
      const t0 = performance.now();
      let t1 = 0;
      const r = await rt.generate({ prompt: { tokens }, sampling: greedy(1), ...request, onToken: () => (t1 ||= performance.now()) });
      reused = r.stats.reusedTokens;
      return t1 - t0;
    },
    async decode(tokens, n) {
      const times: number[] = [];
      const r = await rt.generate({ prompt: { tokens }, sampling: greedy(n), ...request, onToken: () => times.push(performance.now()) });
      return { rate: (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000), count: times.length, ids: r.ids };
    },
    async peakRssMb() {
      return (await rt.memory()).peakRss / 2 ** 20;
    },
    close: () => rt.dispose(),
  };
}

/** transformers.js in its own process (so its peak RSS is its own), driven by messages. */
function theirs(plan: Plan): Promise<BenchSide> {
  return childSide('transformers.js', '--transformersjs-child', plan);
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
      return { rate: (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000), count: times.length, ids: [] };
    },
    rss: childPeakRssMb,
  };
  serveChild(handlers);
}

interface Acc {
  cold: number[];
  edit: number[];
  rate: number[];
  count: number;
  ids: number[];
  /** Prompt tokens the last edit reused (our worker only). */
  reused?: number;
  /** The extra rows: 500-token prefill (ms), 256-token decode, FIM decode and decode with a full context (tok/s). */
  short: number[];
  long: number[];
  fim: number[];
  deep: number[];
}

interface Entry {
  key: string;
  side: BenchSide;
  acc: Acc;
  /** Measured for time to first token (prefill) too, not only decode. */
  ttft: boolean;
  error?: string;
}

type Measured = Figures & {
  greedy_ids: number[];
  reused?: number;
  prefill_short_tok_s?: number;
  decode_long_tok_s?: number;
  fim_decode_tok_s?: number;
  decode_deep_tok_s?: number;
};

/** Starts a side; a side that cannot start is reported with its error, and the rest run. */
async function entry(key: string, start: () => Promise<BenchSide>, ttft = true): Promise<Entry> {
  const acc: Acc = { cold: [], edit: [], rate: [], count: 0, ids: [], short: [], long: [], fim: [], deep: [] };
  try {
    return { key, side: await start(), acc, ttft };
  } catch (e) {
    return { key, side: undefined as unknown as BenchSide, acc, ttft, error: (e as Error).message };
  }
}

/** One side's medians (and its peak RSS, asked for now). */
async function figures(plan: Plan, e: Entry): Promise<Measured> {
  const x = e.acc;
  const n = plan.coldPrompts[0].length;
  return {
    prefill_tok_s: x.cold.length ? n / (median(x.cold) / 1000) : Number.NaN,
    decode_tok_s: median(x.rate),
    ttft_cold_ms: x.cold.length ? median(x.cold) : Number.NaN,
    ttft_edit_ms: x.edit.length ? median(x.edit) : Number.NaN,
    peak_rss_mb: await e.side.peakRssMb(),
    decode_tokens: x.count,
    greedy_ids: x.ids,
    reused: x.reused,
    prefill_short_tok_s: x.short.length ? plan.shortPrompts[0].length / (median(x.short) / 1000) : undefined,
    decode_long_tok_s: x.long.length ? median(x.long) : undefined,
    fim_decode_tok_s: x.fim.length ? median(x.fim) : undefined,
    decode_deep_tok_s: x.deep.length ? median(x.deep) : undefined,
  };
}

/** Every side, interleaved rep by rep so a change in machine load hits all alike. */
async function measure(plan: Plan, gguf: string | Error): Promise<Record<string, Measured | { error: string }>> {
  const entries = [
    await entry('ours', () => ours(plan)),
    // The same runtime with speculative decoding off: one model run per token, as the peers make.
    await entry('ours_one_run_per_token', () => ours(plan, { draftTokens: 0 }), false),
    await entry('transformersjs', () => theirs(plan)),
  ];
  if (typeof gguf === 'string') {
    entries.push(
      await entry('llamacpp', () => llamaCppSide(gguf, plan.threads, plan.contextSize)),
      // Our worker on the same GGUF: greedy ghost text (nothing watched: llama.cpp's sampler, token-only steps),
      // and the inspector's path (every step's logits through our sampler, 8 alternatives).
      await entry('gguf', () => ours(plan, { modelDir: gguf, detail: 'deferred' })),
      await entry('gguf_watched', () => ours(plan, { modelDir: gguf, topN: 8 }), false),
    );
  }
  const live = () => entries.filter((e) => !e.error);
  const each = async (f: (e: Entry) => Promise<void>, ttftOnly = false) => {
    for (const e of live()) if (!ttftOnly || e.ttft) await f(e).catch((err) => (e.error = (err as Error).message));
  };
  try {
    await each(async (e) => void (await e.side.ttft(plan.decodePrompt))); // warm-up
    for (let r = 0; r < plan.coldPrompts.length; r++) {
      await each(async (e) => void e.acc.cold.push(await e.side.ttft(plan.coldPrompts[r])), true);
      await each(async (e) => {
        e.acc.edit.push(await e.side.ttft(plan.editPrompts[r]));
        e.acc.reused = e.side.lastReused?.();
      }, true);
    }
    for (let r = 0; r < plan.coldPrompts.length; r++) {
      await each(async (e) => {
        const d = await e.side.decode([...plan.decodePrompt, r], plan.decodeTokens);
        e.acc.rate.push(d.rate);
        e.acc.count = d.count;
        if (r === 0) e.acc.ids = d.ids;
      });
    }
    await extraRows(
      plan,
      live().filter((e) => EXTRA_ROWS.has(e.key)),
    );
    const out: Record<string, Measured | { error: string }> = {};
    for (const e of entries) out[e.key] = e.error ? { error: e.error } : await figures(plan, e);
    return out;
  } finally {
    for (const e of entries) if (!e.error) e.side.close();
  }
}

/** The sides the extra rows measure: ours with and without speculation, and llama.cpp. */
const EXTRA_ROWS = new Set(['ours', 'ours_one_run_per_token', 'llamacpp']);

/**
 * Prefill at half the length, decode 256 tokens per model run, decode on FIM prompts from real files, and decode
 * after a prompt that nearly fills the context (where a step that copies the cache pays for it).
 */
async function extraRows(plan: Plan, entries: Entry[]): Promise<void> {
  const each = async (f: (e: Entry) => Promise<void>) => {
    for (const e of entries) await f(e).catch((err) => (e.error = (err as Error).message));
  };
  for (let r = 0; r < plan.coldPrompts.length; r++) {
    await each(async (e) => void (e.ttft && e.acc.short.push(await e.side.ttft(plan.shortPrompts[r]))));
    await each(async (e) => void (e.key !== 'ours' && e.acc.long.push((await e.side.decode([...plan.decodePrompt, r], LONG_DECODE)).rate)));
    await each(async (e) => void e.acc.fim.push((await e.side.decode(plan.fimPrompts[r], plan.decodeTokens)).rate));
    await each(async (e) => void (e.key !== 'ours' && e.acc.deep.push((await e.side.decode(plan.deepPrompts[r], plan.decodeTokens)).rate)));
  }
}

const fmt = (x: number | undefined, d = 1) => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(d));
const ok = (m: Measured | { error: string } | undefined): Measured | undefined => (m && !('error' in m) ? m : undefined);
const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? a / b : undefined);
/** How many greedy tokens two sides agree on before they first differ. */
const agreed = (a: number[] | undefined, b: number[] | undefined) => {
  if (!a || !b) return undefined;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
};

async function main(): Promise<void> {
  if (flag('--transformersjs-child')) return transformersChild();
  if (flag('--llamacpp-child')) return llamaCppChild();
  const plan = makePlan();
  const gguf = opt('--gguf') ?? defaultGgufFile(plan.modelDir);
  const m = await measure(plan, gguf);
  const o = ok(m.ours)!;
  const one = ok(m.ours_one_run_per_token);
  const tj = ok(m.transformersjs);
  const lc = ok(m.llamacpp);
  const gf = ok(m.gguf);
  const gw = ok(m.gguf_watched);
  if (!o) throw new Error(`the runtime failed: ${(m.ours as { error: string }).error}`);
  const result = {
    model: plan.modelDir,
    onnx_file: plan.onnxFile,
    gguf: typeof gguf === 'string' ? gguf : `not made: ${gguf.message}`,
    threads: plan.threads,
    prompt_tokens: plan.coldPrompts[0].length,
    decode_tokens: o.decode_tokens,
    prefill_tok_s: o.prefill_tok_s,
    decode_tok_s: o.decode_tok_s,
    ttft_cold_ms: o.ttft_cold_ms,
    ttft_edit_ms: o.ttft_edit_ms,
    prefix_reuse_ttft_speedup: o.ttft_cold_ms / o.ttft_edit_ms,
    worker_peak_rss_mb: o.peak_rss_mb,
    edit_reused_tokens: o.reused,
    // Without prompt-lookup speculation: what one model run per token gives (the bench's greedy text repeats
    // itself, so speculation is accepted more often here than in typical completions).
    decode_one_run_per_token_tok_s: one?.decode_tok_s,
    ...bandwidthFigures(plan, gguf, one, lc),
    transformersjs: m.transformersjs,
    llamacpp: m.llamacpp,
    gguf_engine: m.gguf,
    gguf_engine_watched: m.gguf_watched,
    ...peerRatios({ o, one, tj, lc, gf, gw }),
  };
  report(plan, result, { o, one, tj, lc, gf, gw });
  for (const [k, v] of Object.entries(m)) if ('error' in v) console.log(`${k} failed: ${v.error}`);
  if (flag('--json')) console.log(JSON.stringify(result));
}

/** The memory-bandwidth bound, measured after the sides ran (nothing else running): a decode step reads the file's weights. */
function bandwidthFigures(plan: Plan, gguf: string | Error, one: Measured | undefined, lc: Measured | undefined) {
  const bandwidth = copyBandwidth();
  const weightBytes = statSync(join(plan.modelDir, 'onnx', plan.onnxFile)).size;
  const limit = bandwidthLimit(weightBytes, bandwidth);
  return {
    copy_bandwidth_gb_s: bandwidth / 1e9,
    weights_mb: weightBytes / 2 ** 20,
    bandwidth_limit_tok_s: limit,
    decode_share_of_bandwidth_limit: one ? one.decode_tok_s / limit : undefined,
    llamacpp_decode_share_of_bandwidth_limit:
      lc && typeof gguf === 'string' ? lc.decode_tok_s / bandwidthLimit(statSync(gguf).size, bandwidth) : undefined,
  };
}

function peerRatios({ o, one, tj, lc, gf, gw }: Record<'o' | 'one' | 'tj' | 'lc' | 'gf' | 'gw', Measured | undefined>) {
  return {
    prefill_ratio_vs_transformersjs: ratio(o?.prefill_tok_s, tj?.prefill_tok_s),
    decode_ratio_vs_transformersjs: ratio(o?.decode_tok_s, tj?.decode_tok_s),
    decode_one_run_per_token_ratio_vs_transformersjs: ratio(one?.decode_tok_s, tj?.decode_tok_s),
    peak_rss_ratio_vs_transformersjs: ratio(o?.peak_rss_mb, tj?.peak_rss_mb),
    // The onnxruntime engine against llama.cpp on the same weights (int8 per column vs q8_0), per model run.
    decode_ratio_vs_llamacpp: ratio(one?.decode_tok_s, lc?.decode_tok_s),
    decode_speculative_ratio_vs_llamacpp: ratio(o?.decode_tok_s, lc?.decode_tok_s),
    prefill_ratio_vs_llamacpp: ratio(o?.prefill_tok_s, lc?.prefill_tok_s),
    prefill_short_ratio_vs_llamacpp: ratio(o?.prefill_short_tok_s, lc?.prefill_short_tok_s),
    decode_long_ratio_vs_llamacpp: ratio(one?.decode_long_tok_s, lc?.decode_long_tok_s),
    decode_deep_context_ratio_vs_llamacpp: ratio(one?.decode_deep_tok_s, lc?.decode_deep_tok_s),
    // Speculation where it has to earn its keep: FIM prompts cut from real files, against llama.cpp's plain decode.
    fim_speculative_ratio_vs_llamacpp: ratio(o?.fim_decode_tok_s, lc?.fim_decode_tok_s),
    fim_speculation_gain: ratio(o?.fim_decode_tok_s, one?.fim_decode_tok_s),
    // The GGUF engine through our worker against bare llama.cpp on the same file: our overhead.
    gguf_decode_ratio_vs_llamacpp: ratio(gf?.decode_tok_s, lc?.decode_tok_s),
    gguf_watched_decode_ratio_vs_llamacpp: ratio(gw?.decode_tok_s, lc?.decode_tok_s),
    gguf_prefill_ratio_vs_llamacpp: ratio(gf?.prefill_tok_s, lc?.prefill_tok_s),
    gguf_ttft_edit_ratio_vs_llamacpp: ratio(lc?.ttft_edit_ms, gf?.ttft_edit_ms),
    greedy_tokens_equal_onnx_vs_llamacpp: agreed(one?.greedy_ids, lc?.greedy_ids),
    greedy_tokens_equal_gguf_engine_vs_llamacpp: agreed(gf?.greedy_ids, lc?.greedy_ids),
  };
}

type Result = Record<string, unknown> & Record<`${string}_ratio_${string}` | 'prefix_reuse_ttft_speedup', number | undefined>;

type Sides = Record<'o' | 'one' | 'tj' | 'lc' | 'gf' | 'gw', Measured | undefined>;

/** The side-by-side table: one row per figure, a column per side. */
function tableRows(plan: Plan, r: Result, s: Sides): string[][] {
  return [
    ['prefill (tok/s)', fmt(s.o?.prefill_tok_s, 0), fmt(s.tj?.prefill_tok_s, 0), fmt(s.lc?.prefill_tok_s, 0), fmt(s.gf?.prefill_tok_s, 0)],
    [
      'decode, speculation on (tok/s)',
      fmt(s.o?.decode_tok_s, 0),
      fmt(s.tj?.decode_tok_s, 0),
      fmt(s.lc?.decode_tok_s, 0),
      fmt(s.gf?.decode_tok_s, 0),
    ],
    ['decode, one run per token (tok/s)', fmt(s.one?.decode_tok_s, 0), '', fmt(s.lc?.decode_tok_s, 0), ''],
    [`decode ${LONG_DECODE} tokens, one run per token`, fmt(s.one?.decode_long_tok_s, 0), '', fmt(s.lc?.decode_long_tok_s, 0), ''],
    [
      `decode after a ${plan.deepPrompts[0].length}-token prompt`,
      fmt(s.one?.decode_deep_tok_s, 0),
      '',
      fmt(s.lc?.decode_deep_tok_s, 0),
      '',
    ],
    ['decode on FIM prompts from real files', fmt(s.o?.fim_decode_tok_s, 0), '', fmt(s.lc?.fim_decode_tok_s, 0), ''],
    ['... one run per token', fmt(s.one?.fim_decode_tok_s, 0), '', '', ''],
    [
      `prefill, ${Math.floor(Number(r.prompt_tokens) / 2)}-token prompt (tok/s)`,
      fmt(s.o?.prefill_short_tok_s, 0),
      '',
      fmt(s.lc?.prefill_short_tok_s, 0),
      '',
    ],
    ['decode, inspector detail (tok/s)', '', '', '', fmt(s.gw?.decode_tok_s, 0)],
    [
      `TTFT, ${r.prompt_tokens}-token prompt (ms)`,
      fmt(s.o?.ttft_cold_ms),
      fmt(s.tj?.ttft_cold_ms),
      fmt(s.lc?.ttft_cold_ms),
      fmt(s.gf?.ttft_cold_ms),
    ],
    ['TTFT after a 1-char edit (ms)', fmt(s.o?.ttft_edit_ms), fmt(s.tj?.ttft_edit_ms), fmt(s.lc?.ttft_edit_ms), fmt(s.gf?.ttft_edit_ms)],
    ['peak RSS (MB)', fmt(s.o?.peak_rss_mb, 0), fmt(s.tj?.peak_rss_mb, 0), fmt(s.lc?.peak_rss_mb, 0), fmt(s.gf?.peak_rss_mb, 0)],
  ];
}

function report(plan: Plan, r: Result, s: Sides): void {
  const x = (v: unknown) => `${fmt(v as number | undefined, 2)}x`;
  const rows = tableRows(plan, r, s);
  const w = [38, 14, 17, 12, 14];
  console.log(`Tokenscope runtime bench: ${plan.modelDir} (${plan.onnxFile}; GGUF ${r.gguf}), CPU, ${plan.threads} threads`);
  console.log(['', 'tokenscope', 'transformers.js', 'llama.cpp', 'GGUF engine'].map((c, i) => c.padEnd(w[i])).join(''));
  for (const row of rows) console.log(row.map((c, i) => c.padEnd(w[i])).join(''));
  console.log(
    `onnxruntime engine vs transformers.js: decode ${x(r.decode_ratio_vs_transformersjs)}, one run per token ${x(r.decode_one_run_per_token_ratio_vs_transformersjs)}, prefill ${x(r.prefill_ratio_vs_transformersjs)}`,
  );
  console.log(
    `onnxruntime engine vs llama.cpp (same weights): decode per model run ${x(r.decode_ratio_vs_llamacpp)} (with speculation ${x(r.decode_speculative_ratio_vs_llamacpp)}), prefill ${x(r.prefill_ratio_vs_llamacpp)}; greedy tokens equal for ${r.greedy_tokens_equal_onnx_vs_llamacpp ?? '–'} of ${r.decode_tokens}`,
  );
  console.log(
    `GGUF engine vs bare llama.cpp (same file): decode ${x(r.gguf_decode_ratio_vs_llamacpp)} unwatched, ${x(r.gguf_watched_decode_ratio_vs_llamacpp)} with the inspector's detail; prefill ${x(r.gguf_prefill_ratio_vs_llamacpp)}`,
  );
  console.log(
    `memory bandwidth: ${fmt(r.copy_bandwidth_gb_s as number, 1)} GB/s measured; a decode step reads ${fmt(r.weights_mb as number, 0)} MB, so at most ${fmt(r.bandwidth_limit_tok_s as number, 0)} tok/s: the onnxruntime engine reaches ${fmt(100 * (r.decode_share_of_bandwidth_limit as number), 0)}% per model run, llama.cpp ${fmt(100 * ((r.llamacpp_decode_share_of_bandwidth_limit as number) ?? Number.NaN), 0)}% of its file's limit`,
  );
  console.log(
    `prefix reuse: TTFT cold / after edit = ${fmt(r.prefix_reuse_ttft_speedup, 1)}x (reused ${r.edit_reused_tokens ?? '–'} of ${r.prompt_tokens} tokens)`,
  );
  const met = (v: number | undefined, t: number) => (v === undefined ? 'not measured' : v >= t ? 'met' : 'NOT met');
  console.log(
    `targets: decode >= 1.25x transformers.js: ${met(r.decode_ratio_vs_transformersjs, 1.25)}; prefix reuse >= 10x: ${met(r.prefix_reuse_ttft_speedup, 10)}; GGUF unwatched decode >= 0.9x llama.cpp: ${met(r.gguf_decode_ratio_vs_llamacpp, 1 / 1.1)}`,
  );
  console.log(
    `targets vs llama.cpp: decode per run >= 1.0x: ${met(r.decode_ratio_vs_llamacpp, 1)} (${LONG_DECODE} tokens: ${met(r.decode_long_ratio_vs_llamacpp, 1)}); >= 85% of the bandwidth limit: ${met(r.decode_share_of_bandwidth_limit as number, 0.85)}; prefill >= 1.0x: ${met(r.prefill_ratio_vs_llamacpp, 1)} (half length: ${met(r.prefill_short_ratio_vs_llamacpp, 1)}); FIM speculation >= 1.5x: ${met(r.fim_speculative_ratio_vs_llamacpp, 1.5)}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
