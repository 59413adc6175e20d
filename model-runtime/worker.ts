// The inference worker's entry point (bundled to dist/worker.js, started by the extension host as a child
// process with an IPC channel; it drives whichever engine load-engine.ts picks, through engine.ts). One model;
// requests queued by priority; a long normal/background request yields between steps to more urgent ones.
// Every message is checked first (request-checks.ts): whatever the host sends, the worker answers each request
// with an id exactly once and keeps running.
import type { Engine } from './engine';
import { RuntimeError, toRuntimeError } from './errors';
import { loadEngine } from './load-engine';
import { encodePieces } from './piece-encode';
import type { HostToWorker, Priority, WorkerState, WorkerToHost } from './protocol';
import { checkMessage, checkTokenIds } from './request-checks';
import { RequestQueue } from './request-queue';

type Job = Extract<HostToWorker, { type: 'load' | 'generate' | 'score' | 'detail' | 'xray' }>;

let engine: Engine | undefined;
let state: WorkerState = 'idle';
const queue = new RequestQueue<Job>();
/** Requests running now: one, or more when a long one yielded to more urgent ones (innermost last), and tokenize requests. */
const running = new Map<number, { cancelled: boolean }>();
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

/** Between steps of a long request: runs every queued request that outranks it. True when any ran. */
function yielder(p: Priority): () => Promise<boolean> {
  return async () => {
    let ran = false;
    while (queue.hasHigherThan(p)) {
      const job = queue.shift()!;
      if (job.type === 'load') {
        // A load replaces the engine under the running request; let it wait its turn instead.
        queue.push(job, 'interactive');
        break;
      }
      ran = true;
      await execute(job);
    }
    return ran;
  };
}

/**
 * Replaces the engine. The old one is released once the new folder checked out, before the new model takes
 * memory (one model in memory at a time); a folder that fails its checks leaves the old model serving.
 */
async function loadModel(job: Extract<Job, { type: 'load' }>): Promise<void> {
  setState('loading', job.modelDir);
  const old = engine;
  let released = false;
  const release = async () => {
    released = true;
    engine = undefined;
    await old?.release().catch(() => undefined);
  };
  try {
    engine = await loadEngine(job.modelDir, {
      providers: job.providers,
      threads: job.threads,
      onnxFile: job.onnxFile,
      draftTokens: job.draftTokens,
      remote: job.remote,
      fimFamily: job.fimFamily,
      beforeOpen: release,
    });
  } catch (e) {
    const why = toRuntimeError(e).message;
    if (old && !released) setState('ready', `kept ${old.info.name}: ${why}`);
    else setState('error', why);
    throw e;
  }
  if (job.firstGenerationId) engine.numberGenerationsFrom(job.firstGenerationId);
  for (const f of engine.provider.fallbacks)
    send({ type: 'log', level: 'info', message: `execution provider ${f.provider} not used: ${f.reason}` });
  send({ type: 'loaded', id: job.id, model: engine.info, provider: engine.provider });
}

async function runJob(job: Job, isCancelled: () => boolean): Promise<void> {
  if (job.type === 'load') return loadModel(job);
  const e = loaded();
  const yieldTo = job.priority === 'interactive' ? undefined : yielder(job.priority);
  if (job.type === 'generate') {
    // A remote engine (vocabSize 0: unknown here) checks the ids it is given itself.
    if (e.info.vocabSize > 0) checkTokenIds(job, e.info.vocabSize);
    // Token events are sent before generate() returns: they carry the id it is about to assign.
    const generationId = e.peekGenerationId();
    send({ type: 'started', id: job.id, generationId });
    const r = await e.generate(
      job,
      (step, textDelta) => send({ type: 'token', id: job.id, generationId, step, textDelta }),
      isCancelled,
      yieldTo,
    );
    send({ type: 'done', id: job.id, generationId: r.generationId, text: r.text, ids: r.ids, stats: r.stats });
    return;
  }
  if (job.type === 'xray') {
    if (!e.xray) throw new RuntimeError('unsupported', `${e.info.name}: this engine does not expose its layers`);
    if (job.at && !e.contextAt) throw new RuntimeError('unsupported', `${e.info.name}: this engine keeps no generations`);
    const tokens = job.at ? e.contextAt!(job.at.generationId, job.at.step) : e.tokenize(job.text);
    send({ type: 'xrayed', id: job.id, report: await e.xray(tokens, job.topK) });
    return;
  }
  if (job.type === 'detail') {
    if (!e.detail) throw new RuntimeError('unsupported', `${e.info.name}: this engine sends every step's figures with the step`);
    send({ type: 'detailed', id: job.id, steps: await e.detail(job.generationId, job.topN, isCancelled) });
    return;
  }
  const positions = await e.score(
    job.text,
    job.topN,
    isCancelled,
    (done, total) => send({ type: 'progress', id: job.id, done, total }),
    yieldTo,
  );
  send({ type: 'scored', id: job.id, positions });
}

async function execute(job: Job): Promise<void> {
  const run = { cancelled: false };
  running.set(job.id, run);
  if (job.type !== 'load' && engine) setState('busy');
  try {
    await runJob(job, () => run.cancelled);
  } catch (e) {
    fail(job.id, e);
  } finally {
    running.delete(job.id);
  }
}

async function pump(): Promise<void> {
  if (pumping) return;
  pumping = true;
  try {
    for (let job = queue.shift(); job; job = queue.shift()) {
      await execute(job);
      if (engine && queue.size === 0 && running.size === 0) setState('ready');
    }
  } finally {
    pumping = false;
  }
}

function loaded(): Engine {
  if (!engine) throw new RuntimeError('not-loaded', 'no model is loaded');
  return engine;
}

/** Runs next to the queue (it needs no model run); a long text is tokenized in pieces, and a cancel lands between them. */
async function tokenize(id: number, text: string): Promise<void> {
  const run = { cancelled: false };
  running.set(id, run);
  try {
    const e = loaded();
    const ids = await encodePieces({ encode: (t) => e.tokenize(t) }, text, () => run.cancelled);
    const dec = new TextDecoder('utf-8');
    const tokens = ids.map((t) => {
      const bytes = e.tokenBytes(t);
      return { id: t, text: dec.decode(bytes), bytes: Array.from(bytes) };
    });
    send({ type: 'tokens', id, tokens });
  } catch (err) {
    fail(id, err);
  } finally {
    running.delete(id);
  }
}

function memory(id: number): void {
  const mem = process.memoryUsage();
  const figures = engine?.memory() ?? { kvCacheBytes: 0, cachedTokens: 0 };
  send({ type: 'memory', id, rss: mem.rss, peakRss: process.resourceUsage().maxRSS * 1024, ...figures });
}

/** A running request stops within one step; a queued one is dropped (a generation reports 'done', cancelled). */
function cancel(id: number): void {
  const run = running.get(id);
  if (run) {
    run.cancelled = true;
    return;
  }
  const job = queue.remove(id);
  if (job?.type === 'generate') {
    const stats = { promptTokens: 0, reusedTokens: 0, generatedTokens: 0, prefillMs: 0, decodeMs: 0 };
    send({
      type: 'done',
      id: job.id,
      generationId: 0,
      text: '',
      ids: [],
      stats: { ...stats, stopReason: 'cancelled', seed: job.sampling.seed ?? 0 },
    });
  } else if (job) fail(job.id, new RuntimeError('cancelled', 'cancelled before it started'));
}

/** Checks a raw message: a bad one with a usable id is answered 'bad-request', any other is logged and dropped. */
function receive(raw: unknown): void {
  const checked = checkMessage(raw);
  if (!checked.ok) {
    if (checked.id !== undefined) fail(checked.id, new RuntimeError('bad-request', checked.problem));
    else send({ type: 'log', level: 'warn', message: `ignored a malformed message: ${checked.problem}` });
    return;
  }
  const msg = checked.msg;
  // An id still in flight would get two answers under one id, and its cancel would hit either.
  if ('id' in msg && msg.type !== 'cancel' && (running.has(msg.id) || queue.has(msg.id)))
    return fail(msg.id, new RuntimeError('bad-request', `request id ${msg.id} is already in flight`));
  handle(msg);
}

function handle(msg: HostToWorker): void {
  try {
    switch (msg.type) {
      case 'load':
      case 'generate':
      case 'score':
      case 'detail':
      case 'xray':
        queue.push(msg, priorityOf(msg));
        void pump();
        return;
      case 'resample':
        send({ type: 'resampled', id: msg.id, step: loaded().resample(msg.generationId, msg.step, msg.sampling, msg.topN) });
        return;
      case 'tokenize':
        void tokenize(msg.id, msg.text);
        return;
      case 'memory':
        return memory(msg.id);
      case 'anatomy': {
        const e = loaded();
        if (!e.anatomy) throw new RuntimeError('unsupported', `${e.info.name}: a remote model's files are not here to read`);
        send({ type: 'anatomy', id: msg.id, anatomy: e.anatomy() });
        return;
      }
      case 'cancel':
        return cancel(msg.id);
      case 'shutdown':
        void (async () => {
          await engine?.release().catch(() => undefined);
          process.exit(0);
        })();
        return;
    }
  } catch (e) {
    if ('id' in msg) fail(msg.id, e);
  }
}

process.on('message', receive);
// The host going away ends the worker: nothing else would.
process.on('disconnect', () => process.exit(0));
process.on('uncaughtException', (e) => {
  send({ type: 'log', level: 'error', message: `uncaught: ${e.stack ?? e.message}` });
  process.exit(70);
});
send({ type: 'hello', pid: process.pid });
