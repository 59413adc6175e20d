// The bench's peer: bare llama.cpp (node-llama-cpp, the same npm binaries the GGUF engine uses) on the default
// model's weights converted to GGUF, in its own process so its peak RSS is its own, fed the same token ids.
// It does what llama.cpp does without us: greedy decode by its own sampler, prefix reuse by erasing the cells
// after the common prefix.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { LlamaContextSequence, Token } from 'node-llama-cpp';
import { openLlama } from '../model-runtime/gguf/binding';
import { childPeakRssMb, childSide, serveChild } from './child-side';

export interface BenchSide {
  ttft(tokens: number[]): Promise<number>;
  decode(tokens: number[], n: number): Promise<{ rate: number; count: number; ids: number[] }>;
  peakRssMb(): Promise<number>;
  close(): void;
  /** Prompt tokens the last request reused from the cache (our worker only). */
  lastReused?: () => number;
}

/** The default model as GGUF (converted once by scripts/lib/default-gguf.mjs), or why not. */
export function defaultGgufFile(modelDir: string): string | Error {
  const r = spawnSync(process.execPath, [resolve('scripts/lib/default-gguf.mjs'), modelDir], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : new Error(r.stderr.trim() || 'conversion failed');
}

export function llamaCppSide(file: string, threads: number, contextSize: number): Promise<BenchSide> {
  return childSide('llama.cpp', '--llamacpp-child', { file, threads, contextSize });
}

/** The child process: llama.cpp on the CPU with the bench's thread count. */
export function llamaCppChild(): void {
  let seqn: LlamaContextSequence;
  // What llama.cpp's server does on a new prompt: keep the common prefix, erase the rest, evaluate the new part.
  const greedy = async function* (tokens: number[]) {
    const held = seqn.contextTokens;
    let common = 0;
    while (common < held.length && common < tokens.length - 1 && held[common] === tokens[common]) common++;
    await seqn.eraseContextTokenRanges([{ start: common, end: seqn.nextTokenIndex }]);
    for await (const t of seqn.evaluate(tokens.slice(common) as Token[], { temperature: 0 })) yield t as number;
  };
  const handlers: Record<string, (arg: never) => Promise<unknown>> = {
    async load({ file, threads, contextSize }: { file: string; threads: number; contextSize: number }) {
      const { llama } = await openLlama(['cpu']);
      const model = await llama.loadModel({ modelPath: file });
      const ctx = await model.createContext({ contextSize, threads });
      seqn = ctx.getSequence();
      return true;
    },
    async ttft(tokens: number[]) {
      const t0 = performance.now();
      for await (const _ of greedy(tokens)) break;
      return performance.now() - t0;
    },
    async decode({ tokens, n }: { tokens: number[]; n: number }) {
      const times: number[] = [];
      const ids: number[] = [];
      for await (const t of greedy(tokens)) {
        times.push(performance.now());
        ids.push(t);
        if (ids.length >= n) break;
      }
      return { rate: (times.length - 1) / ((times[times.length - 1] - times[0]) / 1000), count: times.length, ids };
    },
    rss: childPeakRssMb,
  };
  serveChild(handlers);
}
