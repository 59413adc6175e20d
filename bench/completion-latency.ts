// `npm run bench:completion`: keystroke-to-ghost-text latency (p50/p95) of the real completion pipeline
// (extension/completion/engine.ts + the worker) over a scripted typing session on a real file: lines of the
// file are deleted and typed back one character at a time, each keystroke asking for a completion.
// Three runs: everything on; the completion cache off; and the worker's prefix reuse defeated as well
// (a changing first line makes every prompt new).
//   --model DIR  (default: the bundled default model, else the largest fixture)
//   --file F     (default: samples/sample.ts)   --keys N (default 120)   --json
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readConfig } from '../extension/config';
import { CompletionEngine } from '../extension/completion/engine';
import { CancelSource } from '../extension/completion/debounce';
import { defaultModelDir } from '../extension/model-location';
import { ModelRuntime } from '../model-runtime/runtime';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const pct = (xs: number[], p: number) =>
  xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] : NaN;

function modelDir(): string {
  const explicit = opt('--model');
  if (explicit) return resolve(explicit);
  const bundled = defaultModelDir(resolve('.'));
  if (bundled) return bundled;
  const root = resolve('test/fixtures/models');
  return readdirSync(root)
    .map((n) => join(root, n))
    .filter((d) => existsSync(join(d, 'onnx')))
    .sort((a, b) => size(b) - size(a))[0];
}
const size = (d: string) => readdirSync(join(d, 'onnx')).reduce((s, f) => s + statSync(join(d, 'onnx', f)).size, 0);

/** Keystrokes: for each of a few non-blank lines, the document with that line typed up to each character. */
function* session(text: string, keys: number): Generator<{ before: string; after: string }> {
  const lines = text.split('\n');
  const targets = lines.map((_, i) => i).filter((i) => lines[i].trim().length > 8 && i > 2);
  let n = 0;
  for (let t = 0; n < keys && targets.length; t++) {
    const i = targets[(t * 7) % targets.length];
    const line = lines[i];
    const head = lines.slice(0, i).join('\n') + '\n';
    const tail = '\n' + lines.slice(i + 1).join('\n');
    const indent = line.length - line.trimStart().length;
    for (let c = indent; c <= line.length && n < keys; c++, n++) yield { before: head + line.slice(0, c), after: tail };
  }
}

async function main(): Promise<void> {
  const dir = modelDir();
  const file = resolve(opt('--file') ?? 'samples/sample.ts');
  const keys = Number(opt('--keys') ?? 120);
  const text = readFileSync(file, 'utf8');
  const runtime = new ModelRuntime({ workerPath: join(__dirname, 'worker.js') });
  const model = await runtime.start({ modelDir: dir });
  const { config } = readConfig({ get: (k) => ({ 'completion.debounceMs': 0, 'sampling.seed': 1 })[k], userValue: () => undefined }, true);
  const results: Record<string, { p50_ms: number; p95_ms: number; model_runs: number; cache_hits: number; shown: number }> = {};

  for (const variant of ['cache+prefix-reuse', 'no-cache', 'no-cache-no-prefix-reuse'] as const) {
    const engine = new CompletionEngine(runtime, () => config);
    const lat: number[] = [];
    let hits = 0;
    let shown = 0;
    let k = 0;
    for (const key of session(text, keys)) {
      if (variant !== 'cache+prefix-reuse') engine.cache.clear();
      // A first line that changes on every keystroke leaves the worker no prefix to reuse.
      const before = variant === 'no-cache-no-prefix-reuse' ? `// ${k++} ${Math.random()}\n${key.before}` : key.before;
      const t0 = performance.now();
      const res = await engine.complete(
        { doc: file, languageId: 'typescript', before, after: key.after, explicit: false },
        new CancelSource().token,
      );
      lat.push(performance.now() - t0);
      if (res?.source === 'cache') hits++;
      if (res?.texts.length) shown++;
    }
    results[variant] = {
      p50_ms: +pct(lat, 50).toFixed(1),
      p95_ms: +pct(lat, 95).toFixed(1),
      model_runs: engine.runs,
      cache_hits: hits,
      shown,
    };
    console.log(
      `${variant.padEnd(26)} p50 ${results[variant].p50_ms} ms  p95 ${results[variant].p95_ms} ms  (${engine.runs} model runs, ${hits} cache hits, ghost text on ${shown}/${lat.length} keys)`,
    );
  }
  runtime.dispose();
  const out = { model: model.name, provider: runtime.provider()?.active, file, keys, results };
  if (args.includes('--json')) console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
