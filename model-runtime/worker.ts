// The inference worker's entry point (bundled to dist/worker.js, started by client.ts as a child process
// with an IPC channel). One model, one request running at a time, the rest queued by priority.
import { toRuntimeError, RuntimeError } from './errors';
import { Engine } from './generate';
import type { HostToWorker, Priority, WorkerState, WorkerToHost } from './protocol';
import { RequestQueue } from './request-queue';

type Job = Extract<HostToWorker, { type: 'load' | 'generate' | 'score' }>;

let engine: Engine | undefined;
let state: WorkerState = 'idle';
const queue = new RequestQueue<Job>();
let running: { id: number; cancelled: boolean } | undefined;
let pumping = false;

function send(msg: WorkerToHost): void {
  process.send?.(msg);
}

function setState(s: WorkerState, detail?: string): void {
  if (s === state && !detail) return;
  state = s;
  send({ type: 'state', state: s, detail });
}

function fail(id: number, err: unknown): void {
  const e = toRuntimeError(err);
  send({ type: 'error', id, code: e.code, message: e.message });
}

function priorityOf(job: Job): Priority {
  return job.type === 'load' ? 'interactive' : job.priority;
}

async function runJob(job: Job, isCancelled: () => boolean): Promise<void> {
  if (job.type === 'load') {
    setState('loading', job.modelDir);
    const old = engine;
    engine = undefined;
    await old?.release().catch(() => undefined);
    try {
      engine = await Engine.load(job.modelDir, { providers: job.providers, threads: job.threads, onnxFile: job.onnxFile });
    } catch (e) {
      setState('error', toRuntimeError(e).message);
      throw e;
    }
    for (const f of engine.provider.fallbacks) send({ type: 'log', level: 'info', message: `execution provider ${f.provider} not used: ${f.reason}` });
    send({ type: 'loaded', id: job.id, model: engine.info, provider: engine.provider });
    return;
  }
  if (!engine) throw new RuntimeError('not-loaded', 'no model is loaded');
  if (job.type === 'generate') {
    const r = await engine.generate(
      { prompt: job.prompt, sampling: job.sampling, topN: job.topN, branch: job.branch },
      (step, textDelta) => send({ type: 'token', id: job.id, generationId: r0.id, step, textDelta }),
      isCancelled,
    );
    send({ type: 'done', id: job.id, generationId: r.generationId, text: r.text, ids: r.ids, stats: r.stats });
    return;
  }
  const positions = await engine.score(job.text, job.topN, isCancelled, (done, total) => send({ type: 'progress', id: job.id, done, total }));
  send({ type: 'scored', id: job.id, positions });
}

// The generation id is assigned inside Engine.generate; token events carry the one it will report.
const r0 = { id: 0 };

async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  try {
    for (let job = queue.shift(); job; job = queue.shift()) {
      const run = { id: job.id, cancelled: false };
      running = run;
      if (job.type !== 'load' && engine) setState('busy');
      if (job.type === 'generate' && engine) r0.id = engine.peekGenerationId();
      try {
        await runJob(job, () => run.cancelled);
      } catch (e) {
        fail(job.id, e);
      } finally {
        running = undefined;
      }
      if (engine && queue.size === 0) setState('ready');
    }
  } finally {
    pumping = false;
  }
}

function handle(msg: HostToWorker): void {
  try {
    switch (msg.type) {
      case 'load':
      case 'generate':
      case 'score':
        queue.push(msg, priorityOf(msg));
        void pump();
        return;
      case 'resample':
        if (!engine) throw new RuntimeError('not-loaded', 'no model is loaded');
        send({ type: 'resampled', id: msg.id, step: engine.resample(msg.generationId, msg.step, msg.sampling, msg.topN) });
        return;
      case 'tokenize': {
        if (!engine) throw new RuntimeError('not-loaded', 'no model is loaded');
        const tk = engine.tokenizer;
        const dec = new TextDecoder('utf-8');
        const tokens = engine.tokenize(msg.text).map((id) => {
          const bytes = tk.tokenBytes(id);
          return { id, text: dec.decode(bytes), bytes: Array.from(bytes) };
        });
        send({ type: 'tokens', id: msg.id, tokens });
        return;
      }
      case 'memory': {
        const mem = process.memoryUsage();
        send({ type: 'memory', id: msg.id, rss: mem.rss, peakRss: process.resourceUsage().maxRSS * 1024, kvCacheBytes: engine?.cache.bytes ?? 0, cachedTokens: engine?.cache.length ?? 0 });
        return;
      }
      case 'cancel': {
        if (running && running.id === msg.id) {
          running.cancelled = true;
          return;
        }
        const job = queue.remove(msg.id);
        if (job?.type === 'generate') {
          send({
            type: 'done',
            id: job.id,
            generationId: 0,
            text: '',
            ids: [],
            stats: { promptTokens: 0, reusedTokens: 0, generatedTokens: 0, prefillMs: 0, decodeMs: 0, stopReason: 'cancelled', seed: job.sampling.seed ?? 0 },
          });
        } else if (job) fail(job.id, new RuntimeError('cancelled', 'cancelled before it started'));
        return;
      }
      case 'shutdown':
        void (async () => {
          await engine?.release().catch(() => undefined);
          process.exit(0);
        })();
        return;
      default:
        throw new RuntimeError('bad-request', `unknown request ${JSON.stringify((msg as { type?: unknown }).type)}`);
    }
  } catch (e) {
    fail((msg as { id?: number }).id ?? -1, e);
  }
}

process.on('message', (m) => handle(m as HostToWorker));
// The host going away ends the worker: nothing else would.
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (e) => {
  send({ type: 'log', level: 'error', message: `uncaught: ${e.stack ?? e.message}` });
  process.exit(70);
});
send({ type: 'hello', pid: process.pid });
