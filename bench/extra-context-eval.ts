// `npm run bench:extra-context`: does the extra context (chunks of other files, tokenscope.context.extraChunks)
// help the model? Over positions in real files, the completion of the rest of a line is compared with the
// line's real text, once with the prompt alone and once with chunks of the neighbouring files in the ring
// buffer (as the extension fills it while the user works in them).
//   --dir D     folder of source files (default: extension/)   --ext .ts   --positions N (default 60)
//   --model DIR  --no-fim (prompt = code before the cursor only)  --json
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { readConfig } from '../extension/config';
import { CompletionEngine } from '../extension/completion/engine';
import { CancelSource } from '../extension/completion/debounce';
import { chunkAround } from '../extension/completion/extra-context';
import { defaultModelDir } from '../extension/model-location';
import { ModelRuntime } from '../model-runtime/runtime';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p, ext) : p.endsWith(ext) ? [p] : [];
  });
}

/** A deterministic pseudo-random sequence, so both variants see the same positions. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function main(): Promise<void> {
  const dir = resolve(opt('--dir') ?? 'extension');
  const ext = opt('--ext') ?? '.ts';
  const positions = Number(opt('--positions') ?? 60);
  const modelDir = resolve(opt('--model') ?? defaultModelDir(resolve('.')) ?? 'test/fixtures/models/gpt2-tiny');
  const all = files(dir, ext);
  const runtime = new ModelRuntime({ workerPath: join(__dirname, 'worker.js') });
  const model = await runtime.start({ modelDir });
  const rand = rng(42);
  // Positions: the middle of a non-trivial line, in a random file; the neighbours are the other files.
  const cases = Array.from({ length: positions }, () => {
    const file = all[Math.floor(rand() * all.length)];
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const candidates = lines.map((_, i) => i).filter((i) => lines[i].trim().length >= 12 && i > 3);
    const i = candidates[Math.floor(rand() * candidates.length)];
    const line = lines[i];
    const indent = line.length - line.trimStart().length;
    const cut = indent + Math.floor((line.length - indent) * (0.3 + 0.4 * rand()));
    const offset = lines.slice(0, i).join('\n').length + (i > 0 ? 1 : 0) + cut;
    const neighbours = all
      .filter((f) => f !== file)
      .sort(() => rand() - 0.5)
      .slice(0, 6);
    return { file, text, offset, expected: line.slice(cut), neighbours };
  });

  const results: Record<string, { exact: number; prefix_chars: number; shown: number }> = {};
  for (const extra of [false, true]) {
    const { config } = readConfig(
      {
        get: (k) =>
          (
            ({
              'completion.debounceMs': 0,
              'sampling.seed': 1,
              'context.extraChunks': extra,
              'completion.lineMode': 'singleLine',
              'completion.fillInTheMiddle': !args.includes('--no-fim'),
            }) as Record<string, unknown>
          )[k],
        userValue: () => undefined,
      },
      true,
    );
    let exact = 0;
    let prefixChars = 0;
    let shown = 0;
    for (const c of cases) {
      const engine = new CompletionEngine(runtime, () => config);
      for (const n of c.neighbours) {
        const t = readFileSync(n, 'utf8');
        const chunk = chunkAround(t, Math.floor(t.split('\n').length / 2), config.context.chunkLines);
        if (chunk) engine.ring.add({ doc: n, path: relative(dir, n), text: chunk });
      }
      const res = await engine.complete(
        { doc: c.file, languageId: 'typescript', before: c.text.slice(0, c.offset), after: c.text.slice(c.offset), explicit: false },
        new CancelSource().token,
      );
      const got = res?.texts[0] ?? '';
      if (got) shown++;
      if (got && got.trimEnd() === c.expected.trimEnd()) exact++;
      let k = 0;
      while (k < got.length && k < c.expected.length && got[k] === c.expected[k]) k++;
      prefixChars += k;
    }
    const name = extra ? 'with extra chunks' : 'prompt only';
    results[name] = { exact, prefix_chars: +(prefixChars / cases.length).toFixed(2), shown };
    console.log(
      `${name.padEnd(18)} exact line ${exact}/${cases.length}, matching chars per position ${results[name].prefix_chars}, ghost text on ${shown}/${cases.length}`,
    );
  }
  runtime.dispose();
  if (args.includes('--json')) console.log(JSON.stringify({ model: model.name, dir, positions, results }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
