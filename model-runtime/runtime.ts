// Layer 2 of the host side: the model runtime that the extension, the benches and the tests use (no vscode
// import). It runs one worker process at a time (worker-connection.ts) on a load spec, starts a new one and
// reloads the model when it crashes (within a crash budget), reports its state for a status bar (busy with
// tokens per second), logs what happened, and serves generate / resample / tokenize / score / memory.
import { RuntimeError } from './errors';
import type { GenerateResult, ModelInfo, Priority, ProviderReport, SamplingSettings, ScoredPosition, TokenStep } from './protocol';
import {
  type HostGenerateRequest,
  type LoadParams,
  type LoadResult,
  type LogLevel,
  type MemoryReport,
  WorkerConnection,
  type WorkerConnectionOptions,
} from './worker-connection';

/** What the runtime is doing; extension/runtime-state.ts words it for the status bar. */
export type RuntimeState =
  | { kind: 'stopped' }
  | { kind: 'loading'; modelDir: string }
  | { kind: 'ready'; model: ModelInfo; provider: ProviderReport }
  | { kind: 'busy'; model: ModelInfo; provider: ProviderReport; tokensPerSecond?: number }
  | { kind: 'error'; message: string; restarting?: boolean };

/** The model to run; kept, to reload it after a crash and for restart(). */
export type LoadSpec = LoadParams;

export interface ModelRuntimeOptions extends WorkerConnectionOptions {
  /** Restarts allowed within restartWindowMs before giving up (default 5 per minute). */
  maxRestarts?: number;
  restartWindowMs?: number;
  log?: (level: LogLevel, message: string) => void;
}

const NOT_RUNNING = 'The Tokenscope model worker is not running.';

export class ModelRuntime {
  private worker: WorkerConnection | undefined;
  private spec: LoadSpec | undefined;
  private loaded: LoadResult | undefined;
  private loading: Promise<LoadResult> | undefined;
  /** When the worker crashed and was restarted, within the restart window. */
  private restarts: number[] = [];
  private active = 0;
  /** Tokens per second of the latest generation, shown while busy. */
  private rate: number | undefined;
  private _state: RuntimeState = { kind: 'stopped' };
  private readonly listeners = new Set<(state: RuntimeState) => void>();
  private _starts = 0;

  constructor(private readonly opts: ModelRuntimeOptions) {}

  get state(): RuntimeState {
    return this._state;
  }

  /** Worker processes started so far (tests check that a killed one is replaced). */
  get starts(): number {
    return this._starts;
  }

  onDidChangeState(listener: (state: RuntimeState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  /** The loaded model, if any (name, folder, context length). */
  model(): ModelInfo | undefined {
    return this.loaded?.model;
  }

  provider(): ProviderReport | undefined {
    return this.loaded?.provider;
  }

  /** The worker's process id, while one runs. */
  pid(): number | undefined {
    return this.worker?.pid;
  }

  /** Starts a fresh worker on `spec` in the background; resolves when the model is loaded. */
  start(spec: LoadSpec): Promise<ModelInfo> {
    const mine = { ...spec, threads: spec.threads || undefined };
    this.spec = mine;
    this.stopWorker();
    this.restarts = [];
    const p = this.load(this.spawn(), mine).then((r) => {
      this.logLoaded(r);
      return r.model;
    });
    // Unless a newer start() replaced this one.
    p.catch((e: Error) => this.spec === mine && this.opts.log?.('error', `loading ${spec.modelDir} failed: ${e.message}`));
    return p;
  }

  restart(): Promise<ModelInfo> {
    if (!this.spec) return Promise.reject(new Error('No model to load yet.'));
    return this.start(this.spec);
  }

  /** The loaded model, waiting for a load in progress (including the reload after a crash). */
  async whenReady(): Promise<ModelInfo> {
    if (!this.worker) throw new Error(NOT_RUNNING);
    const r = this.loaded ?? (await this.loading);
    if (!r) throw new RuntimeError('not-loaded', 'no model is loaded');
    return r.model;
  }

  /** Streams tokens to onToken; aborting the signal resolves with stopReason 'cancelled'. */
  generate(req: HostGenerateRequest): Promise<GenerateResult> {
    return this.track(async (w) => {
      const started = Date.now();
      let tokens = 0;
      const res = await w.generate({
        ...req,
        onToken: (step, delta, generationId) => {
          this.measure(++tokens, started);
          req.onToken?.(step, delta, generationId);
        },
      });
      if (res.stats.decodeMs > 0 && res.stats.generatedTokens > 1) this.rate = (res.stats.generatedTokens * 1000) / res.stats.decodeMs;
      return res;
    });
  }

  /** Re-applies settings to one kept worker step's logits (no model run). */
  resample(generationId: number, step: number, sampling: SamplingSettings, topN: number): Promise<TokenStep> {
    return this.track((w) => w.resample(generationId, step, sampling, topN));
  }

  tokenize(text: string): Promise<{ id: number; text: string; bytes: number[] }[]> {
    return this.track((w) => w.tokenize(text));
  }

  /** Per-token surprise (the heatmap). Rejects with code 'cancelled' when the signal aborts. */
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
    return this.live().memory();
  }

  /** Kills the worker process, as a crash would (tests). */
  kill(): void {
    this.worker?.kill();
  }

  dispose(): void {
    this.listeners.clear();
    this.stopWorker();
    this._state = { kind: 'stopped' };
  }

  private spawn(): WorkerConnection {
    const w = new WorkerConnection(this.opts);
    this.worker = w;
    this._starts++;
    w.onExit((why) => this.onExit(w, why));
    return w;
  }

  /** A worker died: restart it and reload the model, unless it crashed too often lately. */
  private onExit(w: WorkerConnection, why: string): void {
    if (this.worker !== w) return;
    this.loaded = undefined;
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < (this.opts.restartWindowMs ?? 60_000));
    const restarting = this.restarts.length < (this.opts.maxRestarts ?? 5);
    const message = `the model worker crashed (${why})`;
    this.opts.log?.(
      restarting ? 'warn' : 'error',
      `${message}${restarting ? '; restarting' : '; not restarting again (run "Tokenscope: Restart Model Worker")'}`,
    );
    this.setState({ kind: 'error', message, restarting });
    if (!restarting) return;
    this.restarts.push(now);
    const next = this.spawn();
    if (this.spec) void this.load(next, this.spec).catch(() => undefined);
  }

  private load(w: WorkerConnection, spec: LoadSpec): Promise<LoadResult> {
    this.loaded = undefined;
    this.setState({ kind: 'loading', modelDir: spec.modelDir });
    const p = w.load(spec).then(
      (r) => {
        if (this.worker === w) {
          this.loaded = r;
          this.setState({ kind: 'ready', ...r });
        }
        return r;
      },
      (e: RuntimeError) => {
        if (this.worker === w && e.code !== 'worker-crashed') this.setState({ kind: 'error', message: e.message, restarting: false });
        throw e;
      },
    );
    this.loading = p;
    p.catch(() => undefined).finally(() => {
      if (this.loading === p) this.loading = undefined;
    });
    return p;
  }

  private logLoaded({ model: m, provider }: LoadResult): void {
    this.opts.log?.(
      'info',
      `loaded ${m.name} (${m.architecture}, ${m.layers} layers, context ${m.contextLength}, FIM ${m.supportsFim}) on ${provider.active}`,
    );
    for (const f of provider.fallbacks) this.opts.log?.('warn', `execution provider ${f.provider} not used: ${f.reason}`);
  }

  /** Runs a request on the live worker once the model is loaded; busy while any request runs. */
  private async track<T>(f: (w: WorkerConnection) => Promise<T>): Promise<T> {
    await this.whenReady();
    const w = this.live();
    this.active++;
    if (this.loaded && this._state.kind === 'ready') this.setState({ kind: 'busy', ...this.loaded, tokensPerSecond: this.rate });
    try {
      return await f(w);
    } finally {
      this.active--;
      if (this.active === 0 && this.loaded && this._state.kind === 'busy') this.setState({ kind: 'ready', ...this.loaded });
    }
  }

  /** Every 8 tokens of a generation, the status bar's tokens per second. */
  private measure(tokens: number, started: number): void {
    const secs = (Date.now() - started) / 1000;
    if (tokens % 8 !== 0 || secs <= 0 || this._state.kind !== 'busy') return;
    this.rate = tokens / secs;
    this.setState({ ...this._state, tokensPerSecond: this.rate });
  }

  private live(): WorkerConnection {
    if (!this.worker) throw new Error(NOT_RUNNING);
    return this.worker;
  }

  private setState(state: RuntimeState): void {
    this._state = state;
    for (const l of [...this.listeners]) l(state);
  }

  private stopWorker(): void {
    const w = this.worker;
    if (!w) return;
    this.worker = undefined;
    this.loaded = undefined;
    this.loading = undefined;
    w.dispose();
  }
}
