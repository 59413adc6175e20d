// Layer 2 of the host side: the model runtime that the extension, the benches and the tests use (no vscode
// import). It runs one worker process at a time (worker-connection.ts) on a load spec, starts a new one and
// reloads the model when it crashes or stops answering (within a crash budget, then it stays stopped until
// started again), reports its state for a status bar (busy with tokens per second), logs what happened, and
// serves generate / resample / tokenize / score / memory. Another model is loaded in a second worker next to
// the one serving, so a folder that fails to load leaves the working model in place.
import type { Anatomy } from './anatomy';
import { RuntimeError } from './errors';
import type {
  GenerateResult,
  ModelInfo,
  Priority,
  ProviderReport,
  SamplingSettings,
  ScoredPosition,
  TokenStep,
  XrayReport,
} from './protocol';
import {
  type HostGenerateRequest,
  type LoadParams,
  type LoadResult,
  type LogLevel,
  type MemoryReport,
  WorkerConnection,
  type WorkerConnectionOptions,
} from './worker-connection';

/**
 * What the runtime is doing; extension/runtime-state.ts words it for the status bar. `notice`: something the
 * user should know while the model serves (it was restarted, or another model failed to load). `reason` of
 * 'stopped': the worker stopped by itself (the crash budget is spent) and waits for a restart.
 */
export type RuntimeState =
  | { kind: 'stopped'; reason?: string }
  | { kind: 'loading'; modelDir: string }
  | { kind: 'ready'; model: ModelInfo; provider: ProviderReport; notice?: string }
  | { kind: 'busy'; model: ModelInfo; provider: ProviderReport; tokensPerSecond?: number; notice?: string }
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
  /** A worker loading another model while `worker` keeps serving; it replaces `worker` once loaded. */
  private candidate: WorkerConnection | undefined;
  private spec: LoadSpec | undefined;
  private loaded: LoadResult | undefined;
  private loading: Promise<LoadResult> | undefined;
  /** When the worker crashed and was restarted, within the restart window. */
  private restarts: number[] = [];
  /** Set when the crash budget is spent: why the worker stays stopped (requests fail with it). */
  private gaveUp: string | undefined;
  private notice: string | undefined;
  /** What became of a worker that died, appended to the errors of its in-flight requests. */
  private readonly outcomes = new WeakMap<WorkerConnection, string>();
  private active = 0;
  /** Tokens per second of the latest generation, shown while busy. */
  private rate: number | undefined;
  private _state: RuntimeState = { kind: 'stopped' };
  private readonly listeners = new Set<(state: RuntimeState) => void>();
  private _starts = 0;
  private startSeq = 0;

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

  /**
   * Loads `spec`; resolves when the model is loaded. With no model serving, a fresh worker starts on it. While a
   * model serves, `spec` loads in a second worker and replaces it only once loaded: a failed load rejects, leaves
   * the serving model in place and says so in the state's notice.
   */
  start(spec: LoadSpec): Promise<ModelInfo> {
    const mine = { ...spec, threads: spec.threads || undefined };
    const seq = ++this.startSeq;
    this.dropCandidate();
    this.gaveUp = undefined;
    const p = this.loaded && this.worker?.alive ? this.replace(mine) : this.fresh(mine);
    return p.then(
      (r) => {
        this.logLoaded(r);
        return r.model;
      },
      (e: Error) => {
        // Unless a newer start() replaced this one.
        if (seq === this.startSeq) this.opts.log?.('error', `loading ${spec.modelDir} failed: ${e.message}`);
        throw e;
      },
    );
  }

  restart(): Promise<ModelInfo> {
    if (!this.spec) return Promise.reject(new Error('No model to load yet.'));
    return this.start(this.spec);
  }

  /** The loaded model, waiting for a load in progress (including the reload after a crash). */
  async whenReady(): Promise<ModelInfo> {
    if (this.gaveUp) throw new RuntimeError('worker-crashed', this.gaveUp);
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

  /** The figures of a generation sent with deferred steps (GGUF's fast path): one model run over its tokens. */
  detail(generationId: number, topN: number): Promise<TokenStep[]> {
    return this.track((w) => w.detail(generationId, topN));
  }

  /**
   * What each layer predicts after `text` (or before a kept generation's step), and where attention goes (one run
   * of the X-ray session).
   */
  xray(what: string | { generationId: number; step: number }, topK: number): Promise<XrayReport> {
    return this.track((w) => w.xray(what, topK));
  }

  /** The loaded model's parts from its files (no model run). */
  anatomy(): Promise<Anatomy> {
    return this.track((w) => w.anatomy());
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
    this.dropCandidate();
    this.stopWorker();
    this._state = { kind: 'stopped' };
  }

  /** No model serving: a new worker on `spec`. */
  private fresh(spec: LoadSpec): Promise<LoadResult> {
    this.spec = spec;
    this.stopWorker();
    this.restarts = [];
    this.notice = undefined;
    return this.load(this.spawn(), spec);
  }

  /** A model serving: load `spec` in a second worker, then swap; on failure keep the serving one. */
  private async replace(spec: LoadSpec): Promise<LoadResult> {
    const next = new WorkerConnection(this.opts);
    this._starts++;
    this.candidate = next;
    this.setState({ kind: 'loading', modelDir: spec.modelDir });
    try {
      const r = await next.load(spec);
      if (this.candidate !== next || !next.alive) throw new RuntimeError('worker-crashed', 'the new model worker was stopped');
      this.candidate = undefined;
      this.stopWorker();
      this.adopt(next);
      this.spec = spec;
      this.restarts = [];
      this.notice = undefined;
      this.loaded = r;
      this.setState(this.serving());
      return r;
    } catch (e) {
      if (this.candidate === next) this.keepServing(next, spec, e as Error);
      throw e;
    }
  }

  /** The second worker failed to load its model: it goes, the serving model stays, the state says why. */
  private keepServing(next: WorkerConnection, spec: LoadSpec, e: Error): void {
    this.candidate = undefined;
    next.dispose();
    if (!this.loaded) return; // the serving worker died meanwhile: its crash handling owns the state
    this.notice = `loading ${spec.modelDir} failed (${e.message}); still using ${this.loaded.model.name}`;
    this.setState(this.serving());
  }

  private dropCandidate(): void {
    const c = this.candidate;
    this.candidate = undefined;
    c?.dispose();
  }

  private spawn(): WorkerConnection {
    this._starts++;
    return this.adopt(new WorkerConnection(this.opts));
  }

  private adopt(w: WorkerConnection): WorkerConnection {
    this.worker = w;
    w.onExit((_why, message) => this.onExit(w, message));
    return w;
  }

  /** A worker died or was killed for not answering: restart it and reload the model, unless it crashed too often lately. */
  private onExit(w: WorkerConnection, message: string): void {
    if (this.worker !== w) return;
    this.loaded = undefined;
    const now = Date.now();
    const windowMs = this.opts.restartWindowMs ?? 60_000;
    this.restarts = this.restarts.filter((t) => now - t < windowMs);
    if (this.restarts.length >= (this.opts.maxRestarts ?? 5)) return this.giveUp(w, message, windowMs);
    this.restarts.push(now);
    this.outcomes.set(w, 'restarted');
    this.opts.log?.('warn', `${message}; restarting`);
    this.notice = `${message}; restarted at ${new Date(now).toLocaleTimeString()}`;
    this.setState({ kind: 'error', message, restarting: true });
    const next = this.spawn();
    if (this.spec) void this.load(next, this.spec).catch(() => undefined);
  }

  /** The crash budget is spent: no new worker until start() or restart(); requests fail saying so. */
  private giveUp(w: WorkerConnection, message: string, windowMs: number): void {
    const crashes = this.restarts.length + 1;
    const stopped = `stopped after ${crashes} crash${crashes === 1 ? '' : 'es'}`;
    this.outcomes.set(w, `${stopped}; not restarted again`);
    this.gaveUp = `The model worker ${stopped} within ${Math.round(windowMs / 1000)} s (the last: ${message}). Restart it (Tokenscope: Restart Model Worker) after fixing the cause.`;
    this.worker = undefined;
    this.loading = undefined;
    this.opts.log?.('error', this.gaveUp);
    this.setState({ kind: 'stopped', reason: this.gaveUp });
  }

  private load(w: WorkerConnection, spec: LoadSpec): Promise<LoadResult> {
    this.loaded = undefined;
    this.setState({ kind: 'loading', modelDir: spec.modelDir });
    const p = w.load(spec).then(
      (r) => {
        if (this.worker === w) {
          this.loaded = r;
          this.setState(this.serving());
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
    if (this.loaded && this._state.kind === 'ready') this.setState(this.serving());
    try {
      return await f(w);
    } catch (e) {
      throw this.explain(w, e);
    } finally {
      this.active--;
      if (this.active === 0 && this.loaded && this._state.kind === 'busy') this.setState(this.serving());
    }
  }

  /** A request failed because its worker died: say what became of the worker (restarted, or stopped for good). */
  private explain(w: WorkerConnection, e: unknown): unknown {
    const outcome = this.outcomes.get(w);
    if (!(e instanceof RuntimeError) || e.code !== 'worker-crashed' || !outcome) return e;
    return new RuntimeError(e.code, `${e.message}; ${outcome}`);
  }

  /** Ready, or busy while requests run; with the notice, if any. */
  private serving(): RuntimeState {
    const r = this.loaded!;
    const notice = this.notice;
    return this.active > 0
      ? { kind: 'busy', model: r.model, provider: r.provider, tokensPerSecond: this.rate, notice }
      : { kind: 'ready', model: r.model, provider: r.provider, notice };
  }

  /** Every 8 tokens of a generation, the status bar's tokens per second. */
  private measure(tokens: number, started: number): void {
    const secs = (Date.now() - started) / 1000;
    if (tokens % 8 !== 0 || secs <= 0 || this._state.kind !== 'busy') return;
    this.rate = tokens / secs;
    this.setState({ ...this._state, tokensPerSecond: this.rate });
  }

  private live(): WorkerConnection {
    if (!this.worker) throw new Error(this.gaveUp ?? NOT_RUNNING);
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
