// The host side of the worker protocol, with no vscode import (the extension, the bench and the tests use
// it alike).
// - WorkerClient: one worker process. Typed requests, streamed tokens, cancellation by AbortSignal, and
//   when the process dies every in-flight request fails with RuntimeError code 'worker-crashed'.
// - RuntimeClient: a WorkerClient that is restarted when it dies, reloads the last model, and keeps
//   serving; it reports its state (loading / ready / busy / error) for a status bar.
import { fork, type ChildProcess } from 'node:child_process';
import { RuntimeError } from './errors';
import type {
  ErrorCode,
  GenerationStats,
  HostToWorker,
  ModelInfo,
  Priority,
  Prompt,
  ProviderReport,
  SamplingSettings,
  ScoredPosition,
  TokenStep,
  WorkerState,
  WorkerToHost,
} from './protocol';

export { RuntimeError };

export interface WorkerClientOptions {
  /** Absolute path of dist/worker.js. */
  workerPath: string;
  /** Node binary (default: process.execPath; inside VS Code that is Electron, run as Node). */
  execPath?: string;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface LoadParams {
  modelDir: string;
  providers?: string[];
  onnxFile?: string;
  threads?: number;
  /** Prompt-lookup guesses per decode run (default 4; 0 turns speculative decoding off). */
  draftTokens?: number;
}

export interface LoadResult {
  model: ModelInfo;
  provider: ProviderReport;
}

export interface GenerateParams {
  prompt: Prompt;
  sampling: SamplingSettings;
  /** Alternatives per step (0: none, fastest). */
  topN: number;
  priority?: Priority;
  branch?: { generationId: number; step: number; forcedToken: number };
  signal?: AbortSignal;
  onToken?: (step: TokenStep, textDelta: string, generationId: number) => void;
}

export interface GenerateResult {
  generationId: number;
  text: string;
  ids: number[];
  stats: GenerationStats;
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

export class WorkerClient {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited: string | undefined;
  private readonly exitListeners = new Set<(info: string) => void>();
  private readonly logListeners = new Set<(level: 'info' | 'warn' | 'error', message: string) => void>();
  private readonly stateListeners = new Set<(state: WorkerState, detail?: string) => void>();
  private disposed = false;
  /** Resolves when the worker has said hello. */
  readonly ready: Promise<void>;

  constructor(readonly opts: WorkerClientOptions) {
    this.child = fork(opts.workerPath, [], {
      execPath: opts.execPath,
      execArgv: opts.execArgv ?? [],
      // Electron (VS Code) must run the worker as plain Node.
      env: { ...process.env, ...opts.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    let hello: () => void;
    let helloFail: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => {
      hello = res;
      helloFail = rej;
    });
    this.ready.catch(() => undefined);
    let stderr = '';
    this.child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    this.child.on('message', (m) => {
      const msg = m as WorkerToHost;
      if (msg.type === 'hello') return hello();
      if (msg.type === 'log') {
        for (const l of this.logListeners) l(msg.level, msg.message);
        return;
      }
      if (msg.type === 'state') {
        for (const l of this.stateListeners) l(msg.state, msg.detail);
        return;
      }
      const p = this.pending.get(msg.id);
      if (!p) return;
      if (msg.type === 'token' || msg.type === 'progress') return p.onMessage?.(msg);
      this.pending.delete(msg.id);
      if (msg.type === 'error') p.reject(new RuntimeError(msg.code, msg.message));
      else p.resolve(msg);
    });
    const onGone = (why: string) => {
      if (this.exited) return;
      this.exited = why;
      const tail = stderr.trim().split('\n').slice(-3).join(' | ');
      const message = this.disposed ? 'the model worker was stopped' : `the model worker crashed (${why})${tail ? `: ${tail}` : ''}`;
      helloFail(new RuntimeError('worker-crashed', message));
      for (const p of this.pending.values()) p.reject(new RuntimeError('worker-crashed', message));
      this.pending.clear();
      for (const l of this.exitListeners) l(why);
    };
    this.child.on('exit', (code, signal) => onGone(signal ? `signal ${signal}` : `exit code ${code}`));
    this.child.on('error', (e) => onGone(e.message));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return !this.exited;
  }

  onExit(listener: (info: string) => void): { dispose(): void } {
    this.exitListeners.add(listener);
    return { dispose: () => void this.exitListeners.delete(listener) };
  }

  onLog(listener: (level: 'info' | 'warn' | 'error', message: string) => void): { dispose(): void } {
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
    });
    if (m.type !== 'loaded') throw new RuntimeError('internal', `unexpected answer ${m.type}`);
    return { model: m.model, provider: m.provider };
  }

  /** Streams tokens to onToken; resolves when done. Aborting the signal ends it within one decode step
   * and resolves with stopReason 'cancelled' and the text so far. */
  async generate(p: GenerateParams): Promise<GenerateResult> {
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
      { type: 'generate', prompt: p.prompt, sampling: p.sampling, topN: p.topN, priority: p.priority ?? 'normal', branch: p.branch },
      (msg) => {
        if (msg.type === 'token') p.onToken?.(msg.step, msg.textDelta, msg.generationId);
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
    this.post({ type: 'shutdown' });
    // Give it a moment to release the session, then make sure it is gone.
    const t = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    t.unref();
    this.child.once('exit', () => clearTimeout(t));
    if (!this.child.connected) this.child.kill('SIGKILL');
    else this.child.disconnect();
  }
}

export type ClientState =
  | { kind: 'starting' }
  | { kind: 'loading'; modelDir: string }
  | { kind: 'ready'; model: ModelInfo; provider: ProviderReport }
  | { kind: 'busy'; model: ModelInfo; provider: ProviderReport }
  | { kind: 'error'; code: ErrorCode; message: string; restarting: boolean }
  | { kind: 'stopped' };

export interface RuntimeClientOptions extends WorkerClientOptions {
  /** Restarts allowed within restartWindowMs before giving up (default 5 per minute). */
  maxRestarts?: number;
  restartWindowMs?: number;
}

/** A worker that is restarted when it dies, reloads the last model, and keeps serving. */
export class RuntimeClient {
  private worker: WorkerClient;
  private lastLoad: LoadParams | undefined;
  private loaded: LoadResult | undefined;
  private loading: Promise<LoadResult> | undefined;
  private restarts: number[] = [];
  private active = 0;
  private stopped = false;
  private _state: ClientState = { kind: 'starting' };
  private readonly listeners = new Set<(s: ClientState) => void>();
  /** How many worker processes were started (the first included). */
  starts = 0;

  constructor(private readonly opts: RuntimeClientOptions) {
    this.worker = this.spawn();
  }

  get state(): ClientState {
    return this._state;
  }

  get pid(): number | undefined {
    return this.worker.pid;
  }

  get model(): LoadResult | undefined {
    return this.loaded;
  }

  onState(listener: (s: ClientState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  private setState(s: ClientState): void {
    this._state = s;
    for (const l of [...this.listeners]) l(s);
  }

  private spawn(): WorkerClient {
    const w = new WorkerClient(this.opts);
    this.starts++;
    w.onExit((why) => {
      if (this.worker !== w || this.stopped) return;
      this.loaded = undefined;
      const now = Date.now();
      this.restarts = this.restarts.filter((t) => now - t < (this.opts.restartWindowMs ?? 60_000));
      const restarting = this.restarts.length < (this.opts.maxRestarts ?? 5);
      this.setState({ kind: 'error', code: 'worker-crashed', message: `the model worker crashed (${why})`, restarting });
      if (!restarting) return;
      this.restarts.push(now);
      this.worker = this.spawn();
      if (this.lastLoad) void this.load(this.lastLoad).catch(() => undefined);
    });
    return w;
  }

  /** Loads a model (and remembers it, to reload after a crash). */
  load(p: LoadParams): Promise<LoadResult> {
    this.lastLoad = p;
    this.loaded = undefined;
    this.setState({ kind: 'loading', modelDir: p.modelDir });
    const w = this.worker;
    const pr = w.load(p).then(
      (r) => {
        if (this.worker === w) {
          this.loaded = r;
          this.setState({ kind: 'ready', ...r });
        }
        return r;
      },
      (e: RuntimeError) => {
        if (this.worker === w && e.code !== 'worker-crashed')
          this.setState({ kind: 'error', code: e.code, message: e.message, restarting: false });
        throw e;
      },
    );
    this.loading = pr;
    pr.catch(() => undefined).finally(() => {
      if (this.loading === pr) this.loading = undefined;
    });
    return pr;
  }

  /** Waits for a load in progress (including the reload after a crash). */
  async whenReady(): Promise<LoadResult> {
    if (this.loaded) return this.loaded;
    if (this.loading) return this.loading;
    throw new RuntimeError('not-loaded', 'no model is loaded');
  }

  private async track<T>(f: (w: WorkerClient) => Promise<T>): Promise<T> {
    await this.whenReady();
    const w = this.worker;
    this.active++;
    if (this.loaded && this._state.kind === 'ready') this.setState({ kind: 'busy', ...this.loaded });
    try {
      return await f(w);
    } finally {
      this.active--;
      if (this.active === 0 && this.loaded && this._state.kind === 'busy') this.setState({ kind: 'ready', ...this.loaded });
    }
  }

  generate(p: GenerateParams): Promise<GenerateResult> {
    return this.track((w) => w.generate(p));
  }

  resample(generationId: number, step: number, sampling: SamplingSettings, topN: number): Promise<TokenStep> {
    return this.track((w) => w.resample(generationId, step, sampling, topN));
  }

  tokenize(text: string): Promise<{ id: number; text: string; bytes: number[] }[]> {
    return this.track((w) => w.tokenize(text));
  }

  score(
    text: string,
    topN: number,
    onProgress?: (done: number, total: number) => void,
    signal?: AbortSignal,
    priority?: Priority,
  ): Promise<ScoredPosition[]> {
    return this.track((w) => w.score(text, topN, onProgress, signal, priority));
  }

  memory(): Promise<MemoryReport> {
    return this.worker.memory();
  }

  /** Simulates a crash (tests). */
  kill(): void {
    this.worker.kill();
  }

  dispose(): void {
    this.stopped = true;
    this.worker.dispose();
    this.setState({ kind: 'stopped' });
    this.listeners.clear();
  }
}
