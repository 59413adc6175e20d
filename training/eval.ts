// Evaluates a model folder on the held-out test split, through the runtime that ships it (so the
// figures are those of the quantized ONNX file users get, not of a training checkpoint):
//   - bits per byte and next-token accuracy on test token windows, per language;
//   - exact match of the next line, greedy, left-to-right (prefix only) and fill-in-the-middle
//     (prefix + suffix), per language.
// The test split is the one build-corpus.mjs holds out by package (test.{tsjs,py}.bin, test.jsonl).
//
// usage: node dist/eval.js --model DIR [--onnx model_quantized.onnx] --corpus DIR [--windows 24] [--lines 60]
//        [--json results.json]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOnnxEngine, type OnnxEngine } from '../model-runtime/onnx/load';
import { DEFAULT_SAMPLER } from '../sampling/sampler';
import type { SamplingSettings } from '../model-runtime/protocol';

const arg = (name: string, dflt?: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};

const GREEDY: SamplingSettings = { ...DEFAULT_SAMPLER, maxTokens: 48, stop: ['\n'] };

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

/** Lines worth predicting: at least 8 non-blank characters, after at least 200 characters of the file. */
function pickLines(docs: Doc[], n: number, seed: number): { prefix: string; line: string; suffix: string; source: string }[] {
  const rand = rng(seed);
  const picks = [];
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
    picks.push({ prefix: doc.text.slice(Math.max(0, s - 3000), s), line, suffix: doc.text.slice(e, e + 1500), source: doc.source });
  }
  return picks;
}

async function lineMatch(engine: OnnxEngine, docs: Doc[], n: number, seed: number, fim: boolean) {
  let exact = 0;
  const examples: { expected: string; got: string }[] = [];
  for (const p of pickLines(docs, n, seed)) {
    const prompt = fim ? { fim: { prefix: p.prefix, suffix: p.suffix } } : { text: p.prefix };
    const r = await engine.generate(
      { prompt, sampling: GREEDY, topN: 0 },
      () => undefined,
      () => false,
    );
    const got = r.text.replace(/\n.*$/s, '');
    if (got.trimEnd() === p.line.trimEnd()) exact++;
    if (examples.length < 5) examples.push({ expected: p.line, got });
  }
  return { exactMatch: exact / n, samples: n, examples };
}

async function main(): Promise<void> {
  const modelDir = arg('model');
  const corpus = arg('corpus');
  if (!modelDir || !corpus) throw new Error('usage: --model DIR --corpus DIR');
  const onnxFile = arg('onnx');
  const windows = Number(arg('windows', '24'));
  const lines = Number(arg('lines', '60'));
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
    const ltr = await lineMatch(engine, langDocs, lines, 2, false);
    const fim = await lineMatch(engine, langDocs, lines, 2, true);
    results[lang] = {
      ...t,
      nextLineExactMatchLtr: ltr.exactMatch,
      nextLineExactMatchFim: fim.exactMatch,
      lineSamples: lines,
      examplesLtr: ltr.examples,
      examplesFim: fim.examples,
    };
    console.log(
      `${lang}: bits/byte ${t.bitsPerByte.toFixed(3)}  next-token acc ${(100 * t.nextTokenAccuracy).toFixed(1)}%  ` +
        `next-line EM: LTR ${(100 * ltr.exactMatch).toFixed(1)}%  FIM ${(100 * fim.exactMatch).toFixed(1)}%`,
    );
  }
  await engine.release();
  const out = arg('json');
  if (out) writeFileSync(out, JSON.stringify(results, null, 1) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
