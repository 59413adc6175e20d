// Loads llama.cpp through node-llama-cpp on the best backend this machine has, and says why each better one
// was not used (like the onnxruntime providers). Only prebuilt binaries are used: building llama.cpp from
// source needs a compiler and the network, which an editor must never start on its own.
import type { ProviderReport } from '../protocol';

export type NodeLlamaCpp = typeof import('node-llama-cpp');
export type Llama = Awaited<ReturnType<NodeLlamaCpp['getLlama']>>;
type GpuType = 'cuda' | 'vulkan' | 'metal';

/** node-llama-cpp is an ES module; the worker bundle is CommonJS, so it is imported at run time. */
export function importNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  // A plain import() would be rewritten to require() by the bundler, which cannot load an ES module on Node 20.
  const dynamicImport = new Function('s', 'return import(s)') as (s: string) => Promise<NodeLlamaCpp>;
  return dynamicImport('node-llama-cpp');
}

const GPU_ORDER: readonly GpuType[] = ['metal', 'cuda', 'vulkan'];

// llama.cpp says why a file fails only in its log ("tensor ... data is not within the file bounds"); the last
// error lines are kept so a load error can name the cause instead of "Failed to load model".
const recentErrors: string[] = [];

/** llama.cpp's error lines since the last call (most recent last), and forgets them. */
export function takeLlamaErrors(): string[] {
  return recentErrors.splice(0);
}

/** The backends to try, best first: the caller's list where it names llama.cpp backends, else every GPU then CPU. */
export function backendOrder(requested: readonly string[] | undefined, supported: readonly string[]): (GpuType | 'cpu')[] {
  const known = new Set<string>([...GPU_ORDER, 'cpu']);
  const asked = (requested ?? []).filter((p) => known.has(p)) as (GpuType | 'cpu')[];
  const order = asked.length > 0 ? asked : [...GPU_ORDER, 'cpu' as const];
  return order.filter((b) => b === 'cpu' || supported.includes(b));
}

type Opened = { llama: Llama; provider: ProviderReport };
// One llama.cpp per backend choice for the life of the process: its native library loads once, and a second
// instance would take over the log callback of the first.
const opened = new Map<string, Promise<Opened>>();

/** Opens llama.cpp on the first backend that loads; the report names each one skipped and why. */
export function openLlama(requested?: readonly string[]): Promise<Opened> {
  const key = (requested ?? []).join(',');
  let p = opened.get(key);
  if (!p) {
    p = open(requested);
    opened.set(key, p);
    p.catch(() => opened.delete(key));
  }
  return p;
}

async function open(requested?: readonly string[]): Promise<Opened> {
  const lib = await importNodeLlamaCpp();
  // 'supported' checks the drivers and runtimes each GPU binary needs, without loading it (a failed load costs ~1 s).
  const supported = (await lib.getLlamaGpuTypes('supported')).filter((t) => t !== false);
  const fallbacks: ProviderReport['fallbacks'] = [];
  for (const t of await lib.getLlamaGpuTypes('allValid')) {
    if (t !== false && !supported.includes(t))
      fallbacks.push({ provider: t, reason: `its driver or runtime was not found on this machine` });
  }
  for (const backend of backendOrder(requested, supported)) {
    try {
      const llama = await lib.getLlama({
        gpu: backend === 'cpu' ? false : backend,
        build: 'never',
        logLevel: lib.LlamaLogLevel.error,
        logger: (level, message) => {
          if (level !== lib.LlamaLogLevel.error && level !== lib.LlamaLogLevel.fatal) return;
          recentErrors.push(message.trim());
          if (recentErrors.length > 8) recentErrors.shift();
        },
        vramPadding: 0,
      });
      return { llama, provider: { active: backend, fallbacks } };
    } catch (e) {
      // The driver is there but the build is not (the VSIX leaves CUDA out for its size): say how to get it.
      const missing = (e as Error).name === 'NoBinaryFoundError' && backend === 'cuda';
      const reason = missing
        ? 'no CUDA build installed: run "Tokenscope: Download llama.cpp CUDA Backend…"'
        : firstLine((e as Error).message);
      fallbacks.push({ provider: backend, reason });
    }
  }
  throw new Error(`llama.cpp could not start on any backend: ${fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')}`);
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 300);
}
