// Layer 1 of the host side: a connection to one worker process, with no vscode import. It spawns the
// worker, sends the typed requests of protocol.ts, streams tokens back, cancels on an AbortSignal, and
// when the process dies fails every in-flight request with RuntimeError code 'worker-crashed'. A worker
// that stops answering (watchdog.ts: heartbeat, per-request deadlines) is killed, and counts as crashed.
// runtime.ts builds the model runtime (restarts, reload, state) on top of it.
import { fork, type ChildProcess } from 'node:child_process';
import type { Anatomy } from './anatomy';
import { RuntimeError } from './errors';
import type { RemoteSpec } from './remote/types';
import { type RequestKind, seconds, Watchdog, type WatchdogOptions } from './watchdog';
import type {
  GenerateRequest,
  GenerateResult,
  GenerationStats,
  HostToWorker,
  ModelInfo,
  Priority,
  ProviderReport,
  SamplingSettings,
  ScoredPosition,
  TokenStep,
  WorkerState,
  WorkerToHost,
  XrayReport,
} from './protocol';

export { RuntimeError };

/** Generation ids per load: more than any session makes, few enough loads to stay far below 2^53. */
const GENERATION_RANGE = 1_000_000;
let loads = 0;

/**
 * The first generation id of the next load, unique in this process: every worker and every model it loads numbers
 * its generations in a range of its own, so a view that kept an id (the inspector, a chat reply) cannot reach
 * another model's generation with it; a stale id is "no longer kept".
 */
function nextGenerationRange(): number {
  loads++;
  return loads * GENERATION_RANGE + 1;
}

export type LogLevel = 'info' | 'warn' | 'error';

export interface WorkerConnectionOptions {
  /** Absolute path of dist/worker.js. */
  workerPath: string;
  /** Node binary (default: process.execPath; inside VS Code that is Electron, run as Node). */
  execPath?: string;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** When a worker counts as stuck (defaults: generous; tests use short ones). */
  watchdog?: WatchdogOptions;
}

export interface LoadParams {
  modelDir: string;
  providers?: string[];
  onnxFile?: string;
  threads?: number;
  /** Prompt-lookup guesses per decode run (default 4; 0 turns speculative decoding off). */
  draftTokens?: number;
  /** A remote server instead of a model folder (modelDir then names its base URL). */
  remote?: RemoteSpec;
  /** Fill-in-the-middle tokens of this family instead of the detected ones. */
  fimFamily?: string;
}

export interface LoadResult {
  model: ModelInfo;
  provider: ProviderReport;
}

/** A generation request as the host makes it: the protocol's request plus what cannot cross the process
 * boundary (cancellation, and a callback per streamed token). */
export interface HostGenerateRequest extends GenerateRequest {
  signal?: AbortSignal;
  onToken?: (step: TokenStep, textDelta: string, generationId: number) => void;
  /** The generation's id once the worker starts on it, before its prompt is read. */
  onStart?: (generationId: number) => void;
}

export interface MemoryReport {
  rss: number;
  peakRss: number;
  kvCacheBytes: number;
  cachedTokens: number;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Request = DistributiveOmit<Extract<HostToWorker, { id: number }>, 'id'>;

interface Pending {
  resolve: (msg: WorkerToHost) => void;
  reject: (e: Error) => void;
  onMessage?: (msg: WorkerToHost) => void;
}

/** One worker process. */
export class WorkerConnection {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited: string | undefined;
  /** Why the watchdog killed the worker, when it did. */
  private stuck: string | undefined;
  private readonly exitListeners = new Set<(info: string, message: string) => void>();
  private readonly logListeners = new Set<(level: LogLevel, message: string) => void>();
  private readonly stateListeners = new Set<(state: WorkerState, detail?: string) => void>();
  private disposed = false;
  private stderr = '';
  private readonly watchdog: Watchdog;
  private readonly heartbeats = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private helloed = false;
  private hello!: () => void;
  private helloFail!: (e: Error) => void;
  /** Resolves when the worker has said hello. */
  readonly ready: Promise<void>;

  constructor(readonly opts: WorkerConnectionOptions) {
    this.child = fork(opts.workerPath, [], {
      execPath: opts.execPath,
      execArgv: opts.execArgv ?? [],
      // Electron (VS Code) must run the worker as plain Node.
      env: { ...process.env, ...opts.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.ready = new Promise<void>((res, rej) => {
      this.hello = res;
      this.helloFail = rej;
    });
    this.ready.catch(() => undefined);
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.child.on('message', (m) => this.onMessage(m as WorkerToHost));
    this.child.on('exit', (code, signal) => this.onGone(signal ? `signal ${signal}` : `exit code ${code}`));
    this.child.on('error', (e) => this.onGone(e.message));
    this.watchdog = new Watchdog(opts.watchdog);
    this.watchdog.started(0, 'start');
    if (this.watchdog.enabled) {
      this.timer = setInterval(() => this.tick(), this.watchdog.heartbeatMs);
      this.timer.unref();
    }
  }

  private onMessage(msg: WorkerToHost): void {
    if (msg.type === 'hello') {
      this.helloed = true;
      this.watchdog.finished(0);
      return this.hello();
    }
    if (msg.type === 'log') {
      for (const l of this.logListeners) l(msg.level, msg.message);
      return;
    }
    if (msg.type === 'state') {
      for (const l of this.stateListeners) l(msg.state, msg.detail);
      return;
    }
    if (this.heartbeats.delete(msg.id)) return this.watchdog.heartbeatAnswered();
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'token' || msg.type === 'progress' || msg.type === 'started') {
      this.watchdog.progressed(msg.id);
      return p.onMessage?.(msg);
    }
    this.pending.delete(msg.id);
    this.watchdog.finished(msg.id);
    if (msg.type === 'error') p.reject(new RuntimeError(msg.code, msg.message));
    else p.resolve(msg);
  }

  /** The process is gone: every waiting request fails, listeners hear why. */
  private onGone(why: string): void {
    if (this.exited) return;
    this.exited = this.stuck ?? why;
    clearInterval(this.timer);
    const tail = this.stderr.trim().split('\n').slice(-3).join(' | ');
    const message = this.disposed
      ? 'the model worker was stopped'
      : this.stuck
        ? `the model worker ${this.stuck}`
        : `the model worker crashed (${why})${tail ? `: ${tail}` : ''}`;
    this.helloFail(new RuntimeError('worker-crashed', message));
    for (const p of this.pending.values()) p.reject(new RuntimeError('worker-crashed', message));
    this.pending.clear();
    for (const l of this.exitListeners) l(this.exited, message);
  }

  /** Every heartbeatMs: kill a worker the watchdog judges stuck, else ask for the next heartbeat. */
  private tick(): void {
    if (this.exited || this.disposed) return;
    const verdict = this.watchdog.check();
    if (verdict) {
      this.stuck = `stopped answering for ${seconds(verdict.silentMs)} (${verdict.what})`;
      for (const l of this.logListeners) l('error', `the model worker ${this.stuck}: killing it`);
      this.child.kill('SIGKILL');
      return;
    }
    // Before hello the worker is not listening yet: its start has its own deadline.
    if (!this.helloed || !this.watchdog.heartbeatDue() || !this.child.connected) return;
    const id = this.nextId++;
    this.heartbeats.add(id);
    this.watchdog.heartbeatSent();
    this.post({ type: 'memory', id });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** After the process ended: `info` says how (exit code, signal, or how long it had stopped answering), `message` is
   * what the failed requests were told. */
  onExit(listener: (info: string, message: string) => void): { dispose(): void } {
    this.exitListeners.add(listener);
    return { dispose: () => void this.exitListeners.delete(listener) };
  }

  onLog(listener: (level: LogLevel, message: string) => void): { dispose(): void } {
    this.logListeners.add(listener);
    return { dispose: () => void this.logListeners.delete(listener) };
  }

  /** The worker's own state (idle, loading, ready, busy, error). */
  onState(listener: (state: WorkerState, detail?: string) => void): { dispose(): void } {
    this.stateListeners.add(listener);
    return { dispose: () => void this.stateListeners.delete(listener) };
  }

  private request(req: Request, onMessage?: (msg: WorkerToHost) => void, signal?: AbortSignal): Promise<WorkerToHost> {
    const id = this.nextId++;
    if (this.exited) return Promise.reject(new RuntimeError('worker-crashed', `the model worker is not running (${this.exited})`));
    // Already cancelled: never reaches the worker.
    if (signal?.aborted) return Promise.reject(new RuntimeError('cancelled', 'cancelled before it was sent'));
    return new Promise<WorkerToHost>((resolve, reject) => {
      const onAbort = () => this.post({ type: 'cancel', id });
      const cleanup = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (m) => {
          cleanup();
          resolve(m);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
        onMessage,
      });
      this.watchdog.started(id, req.type as RequestKind);
      this.post({ ...req, id } as HostToWorker);
      if (signal) {
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  private post(msg: HostToWorker): void {
    if (this.exited || !this.child.connected) return;
    this.child.send(msg);
  }

  async load(p: LoadParams): Promise<LoadResult> {
    const m = await this.request({
      type: 'load',
      modelDir: p.modelDir,
      providers: p.providers,
      onnxFile: p.onnxFile,
      threads: p.threads,
      draftTokens: p.draftTokens,
      remote: p.remote,
      fimFamily: p.fimFamily,
      firstGenerationId: nextGenerationRange(),
    });
    if (m.type !== 'loaded') throw new RuntimeError('internal', `unexpected answer ${m.type}`);
    return { model: m.model, provider: m.provider };
  }

  /** Streams tokens to onToken; resolves when done. Aborting the signal ends it within one decode step
   * and resolves with stopReason 'cancelled' and the text so far. */
  async generate(p: HostGenerateRequest): Promise<GenerateResult> {
    if (p.signal?.aborted) {
      const stats: GenerationStats = {
        promptTokens: 0,
        reusedTokens: 0,
        generatedTokens: 0,
        prefillMs: 0,
        decodeMs: 0,
        stopReason: 'cancelled',
        seed: p.sampling.seed ?? 0,
      };
      return { generationId: 0, text: '', ids: [], stats };
    }
    const m = await this.request(
      {
        type: 'generate',
        prompt: p.prompt,
        sampling: p.sampling,
        topN: p.topN,
        priority: p.priority ?? 'normal',
        branch: p.branch,
        detail: p.detail,
      },
      (msg) => {
        if (msg.type === 'token') p.onToken?.(msg.step, msg.textDelta, msg.generationId);
        else if (msg.type === 'started') p.onStart?.(msg.generationId);
      },
      p.signal,
    );
    if (m.type !== 'done') throw new RuntimeError('internal', `unexpected answer ${m.type}`);
    return { generationId: m.generationId, text: m.text, ids: m.ids, stats: m.stats };
  }

  async resample(generationId: number, step: number, sampling: SamplingSettings, topN: number): Promise<TokenStep> {
    const m = await this.request({ type: 'resample', generationId, step, sampling, topN });
    if (m.type !== 'resampled') throw new RuntimeError('internal', `unexpected answer ${m.type}`);
    return m.step;
  }

  /** The figures of a generation sent with deferred steps (one model run over its tokens). */
  async detail(generationId: number, topN: number, priority: Priority = 'interactive'): Promise<TokenStep[]> {
    const m = await this.request({ type: 'detail', generationId, topN, priority });
    if (m.type !== 'detailed') throw new RuntimeError('internal', `unexpected answer ${m.type}`);
    return m.steps;
  }

  async xray(what: string | { generationId: number; step: number }, topK: number, priority: Priority = 'interactive'): Promise<XrayReport> {
    const at = typeof what === 'string' ? {} : { at: what };
    const m = await this.request({ type: 'xray', text: typeof what === 'string' ? what : '', ...at, topK, priority });
    if (m.type !== 'xrayed') throw new RuntimeError('internal', `unexpected answer ${m.type}`);
    return m.report;
  }

  async anatomy(): Promise<Anatomy> {
    const m = await this.request({ type: 'anatomy' });
    if (m.type !== 'anatomy') throw new RuntimeError('internal', `unexpected answer ${m.type}`);
    return m.anatomy;
  }

  async tokenize(text: string): Promise<{ id: number; text: string; bytes: number[] }[]> {
    const m = await this.request({ type: 'tokenize', text });
    if (m.type !== 'tokens') throw new RuntimeError('internal', `unexpected answer ${m.type}`);
    return m.tokens;
  }

  /** Per-token surprise. Rejects with code 'cancelled' when the signal aborts. */
  async score(
    text: string,
    topN: number,
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
    priority: Priority = 'background',
  ): Promise<ScoredPosition[]> {
    const m = await this.request(
      { type: 'score', text, topN, priority },
      (msg) => {
        if (msg.type === 'progress') onProgress?.(msg.done, msg.total);
      },
      signal,
    );
    if (m.type !== 'scored') throw new RuntimeError('internal', `unexpected answer ${m.type}`);
    return m.positions;
  }

  async memory(): Promise<MemoryReport> {
    const m = await this.request({ type: 'memory' });
    if (m.type !== 'memory') throw new RuntimeError('internal', `unexpected answer ${m.type}`);
    return { rss: m.rss, peakRss: m.peakRss, kvCacheBytes: m.kvCacheBytes, cachedTokens: m.cachedTokens };
  }

  /** Kills the worker process (tests use it to simulate a crash). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearInterval(this.timer);
    this.post({ type: 'shutdown' });
    // Give it a moment to release the session, then make sure it is gone.
    const t = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    t.unref();
    this.child.once('exit', () => clearTimeout(t));
    if (!this.child.connected) this.child.kill('SIGKILL');
    else this.child.disconnect();
  }
}
