// A bench peer in its own process (so its peak RSS is its own), driven by messages: the bench's side of it
// (childSide) and the child's loop (serveChild). transformers.js and bare llama.cpp both run this way.
import { fork } from 'node:child_process';
import type { BenchSide } from './llamacpp-side';

type Handlers = Record<string, (arg: never) => Promise<unknown>>;

/** Forks this bundle with `flag` (the child calls serveChild), loads with `loadArg`, and returns its side. */
export async function childSide(label: string, flag: string, loadArg: unknown): Promise<BenchSide> {
  const child = fork(__filename, [flag], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d).slice(-2000)));
  let seq = 0;
  const waiting = new Map<number, { res: (v: never) => void; rej: (e: Error) => void }>();
  child.on('message', (m: { seq: number; value?: unknown; error?: string }) => {
    const p = waiting.get(m.seq);
    waiting.delete(m.seq);
    if (m.error) p?.rej(new Error(m.error));
    else p?.res(m.value as never);
  });
  child.on('exit', (code) => {
    for (const p of waiting.values())
      p.rej(new Error(`${label} process exited (${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    waiting.clear();
  });
  const call = <T>(cmd: string, arg?: unknown): Promise<T> =>
    new Promise((res, rej) => {
      const id = ++seq;
      waiting.set(id, { res: res as (v: never) => void, rej });
      child.send({ seq: id, cmd, arg });
    });
  await call('load', loadArg);
  return {
    ttft: (tokens) => call('ttft', tokens),
    decode: (tokens, n) => call('decode', { tokens, n }),
    peakRssMb: () => call('rss'),
    close: () => child.kill(),
  };
}

/** The child's loop: each message runs one handler (load, ttft, decode, rss) and answers with its value or error. */
export function serveChild(handlers: Handlers): void {
  process.on('message', async (m: { seq: number; cmd: string; arg: never }) => {
    try {
      process.send!({ seq: m.seq, value: await handlers[m.cmd](m.arg) });
    } catch (e) {
      process.send!({ seq: m.seq, error: (e as Error).stack ?? String(e) });
    }
  });
}

/** The child's peak RSS in MB (its own process: the figure the bench compares). */
export async function childPeakRssMb(): Promise<number> {
  return (process.resourceUsage().maxRSS * 1024) / 2 ** 20;
}
