// Evaluates a model folder on the held-out test split, through the runtime that ships it (so the
// figures are those of the quantized ONNX file users get, not of a training checkpoint):
//   - bits per byte and next-token accuracy on test token windows, per language;
//   - the next line, greedy, from the extension's own prompt builder and budget, per language and mode
//     (left-to-right, FIM in PSM and in SPM order): exact match with its 95% interval, edit similarity, and for
//     FIM "ends where it should" (the end token is the top choice right after the true line).
// The test split is the one build-corpus.mjs holds out by package (test.{tsjs,py}.bin, test.jsonl).
//
// usage: node dist/eval.js --model DIR [--onnx model_quantized.onnx] --corpus DIR [--windows 24] [--lines 300]
//        [--json results.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPrompt } from '../extension/completion/prompt';
import { loadOnnxEngine, type OnnxEngine } from '../model-runtime/onnx/load';
import type { FimLayout, Prompt } from '../model-runtime/protocol';
import { editSimilarity, wilson } from './eval-stats';
import { DEFAULT_SAMPLER } from '../sampling/sampler';
import type { SamplingSettings } from '../model-runtime/protocol';

const arg = (name: string, dflt?: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};

const GREEDY: SamplingSettings = { ...DEFAULT_SAMPLER, maxTokens: 48, stop: ['\n'] };
/** The completion settings' defaults (tokenscope.context.budgetTokens, suffixShare): what users' prompts get. */
const BUDGET_TOKENS = 512;
const SUFFIX_SHARE = 0.25;
const MODES: Mode[] = ['ltr', 'psm', 'spm'];

/** A small seeded PRNG (mulberry32), so every run picks the same windows and lines. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function logSoftmaxAt(row: Float32Array, id: number): { logp: number; argmax: number } {
  let max = -Infinity;
  let argmax = 0;
  for (let i = 0; i < row.length; i++)
    if (row[i] > max) {
      max = row[i];
      argmax = i;
    }
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
  return { logp: row[id] - max - Math.log(sum), argmax };
}

async function tokenMetrics(engine: OnnxEngine, tokens: Uint16Array, windows: number, ctx: number, seed: number) {
  const rand = rng(seed);
  let nats = 0;
  let bytes = 0;
  let correct = 0;
  let count = 0;
  for (let w = 0; w < windows; w++) {
    const start = Math.floor(rand() * (tokens.length - ctx - 1));
    const win = Array.from(tokens.subarray(start, start + ctx + 1));
    const out = await engine.runner.run(engine.runner.newCache(), win.slice(0, ctx), true);
    const V = out.data.length / out.rows;
    // Score the second half of the window only, so every scored token has at least ctx/2 of context.
    for (let i = ctx / 2; i < ctx; i++) {
      const target = win[i + 1];
      const { logp, argmax } = logSoftmaxAt(out.data.subarray(i * V, (i + 1) * V), target);
      nats -= logp;
      bytes += engine.tokenizer.tokenBytes(target).length;
      if (argmax === target) correct++;
      count++;
    }
  }
  return { bitsPerByte: nats / Math.LN2 / bytes, nextTokenAccuracy: correct / count, tokens: count, bytes };
}

interface Doc {
  source: string;
  lang: string;
  path: string;
  text: string;
}

interface LinePick {
  before: string;
  line: string;
  after: string;
  source: string;
}

/** Lines worth predicting: at least 8 non-blank characters, after at least 200 characters of the file. */
function pickLines(docs: Doc[], n: number, seed: number): LinePick[] {
  const rand = rng(seed);
  const picks: LinePick[] = [];
  let guard = 0;
  while (picks.length < n && guard++ < n * 200) {
    const doc = docs[Math.floor(rand() * docs.length)];
    const starts: number[] = [];
    for (let i = 200; i < doc.text.length; i++) if (doc.text[i - 1] === '\n') starts.push(i);
    if (!starts.length) continue;
    const s = starts[Math.floor(rand() * starts.length)];
    const e = doc.text.indexOf('\n', s);
    if (e < 0) continue;
    const line = doc.text.slice(s, e);
    if (line.trim().length < 8) continue;
    picks.push({ before: doc.text.slice(Math.max(0, s - 6000), s), line, after: doc.text.slice(e, e + 3000), source: doc.source });
  }
  return picks;
}

export type Mode = 'ltr' | 'psm' | 'spm';

/** The prompt the extension would send for a cursor at the start of the line (its own builder and budget). */
function promptFor(engine: OnnxEngine, p: LinePick, mode: Mode): Prompt {
  const built = buildPrompt({
    before: p.before,
    after: p.after,
    budgetTokens: BUDGET_TOKENS,
    suffixShare: SUFFIX_SHARE,
    supportsFim: mode !== 'ltr',
    count: (t) => engine.tokenize(t).length,
  });
  return built.prompt.fim ? { fim: { ...built.prompt.fim, layout: mode as FimLayout } } : built.prompt;
}

/** Whether the model's top choice right after the true line (the middle) is an end token: it would stop there. */
async function endsWhereItShould(engine: OnnxEngine, prompt: Prompt, line: string): Promise<boolean> {
  const tokens = [...engine.buildPrompt(prompt, 1), ...engine.tokenize(line)];
  const r = await engine.generate(
    { prompt: { tokens }, sampling: { ...GREEDY, maxTokens: 1, stop: [] }, topN: 0 },
    () => undefined,
    () => false,
  );
  return r.stats.stopReason === 'eos';
}

async function lineMatch(engine: OnnxEngine, picks: LinePick[], mode: Mode) {
  let exact = 0;
  let similarity = 0;
  let ends = 0;
  const examples: { expected: string; got: string }[] = [];
  for (const p of picks) {
    const prompt = promptFor(engine, p, mode);
    const r = await engine.generate(
      { prompt, sampling: GREEDY, topN: 0 },
      () => undefined,
      () => false,
    );
    const got = r.text.replace(/\n.*$/s, '');
    if (got.trimEnd() === p.line.trimEnd()) exact++;
    similarity += editSimilarity(got.trimEnd(), p.line.trimEnd());
    if (mode !== 'ltr' && (await endsWhereItShould(engine, prompt, p.line))) ends++;
    if (examples.length < 5) examples.push({ expected: p.line, got });
  }
  const n = picks.length;
  return {
    exactMatch: exact / n,
    exactMatchCi95: wilson(exact, n),
    editSimilarity: similarity / n,
    endsWhereItShould: mode === 'ltr' ? undefined : ends / n,
    samples: n,
    examples,
  };
}

async function main(): Promise<void> {
  const modelDir = arg('model');
  const corpus = arg('corpus');
  if (!modelDir || !corpus) throw new Error('usage: --model DIR --corpus DIR');
  const onnxFile = arg('onnx');
  const windows = Number(arg('windows', '24'));
  const lines = Number(arg('lines', '300'));
  const ctx = Number(arg('ctx', '512'));
  const engine = await loadOnnxEngine(modelDir, { onnxFile, threads: Number(arg('threads', '2')) });
  const docs: Doc[] = readFileSync(join(corpus, 'test.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const results: Record<string, unknown> = {
    model: modelDir,
    onnx: engine.info.onnxFile,
    provider: engine.provider.active,
    ctx,
    date: new Date().toISOString(),
  };
  for (const lang of ['tsjs', 'py']) {
    const buf = readFileSync(join(corpus, `test.${lang}.bin`));
    const tokens = new Uint16Array(buf.buffer, buf.byteOffset, buf.length / 2);
    const langDocs = docs.filter((d) => d.lang === lang);
    const t = await tokenMetrics(engine, tokens, windows, ctx, 1);
    const picks = pickLines(langDocs, lines, 2);
    const modes: Partial<Record<Mode, Awaited<ReturnType<typeof lineMatch>>>> = {};
    for (const mode of MODES) modes[mode] = await lineMatch(engine, picks, mode);
    results[lang] = { ...t, lineSamples: picks.length, nextLine: modes };
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    console.log(`${lang}: bits/byte ${t.bitsPerByte.toFixed(3)}  next-token acc ${pct(t.nextTokenAccuracy)}  (${picks.length} lines)`);
    for (const [mode, m] of Object.entries(modes)) {
      const ci = m.exactMatchCi95.map(pct).join('-');
      const endsText = m.endsWhereItShould === undefined ? '' : `  ends where it should ${pct(m.endsWhereItShould)}`;
      console.log(`  ${mode}: next-line EM ${pct(m.exactMatch)} (95% CI ${ci})  edit similarity ${m.editSimilarity.toFixed(3)}${endsText}`);
    }
  }
  await engine.release();
  const out = arg('json');
  if (out) writeFileSync(out, JSON.stringify(results, null, 1) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
