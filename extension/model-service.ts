// The model worker as the extension uses it: model-runtime/client.ts's RuntimeClient (which restarts a
// crashed worker and reloads the model), started in the background on the configured model, its state
// mapped for the status bar (with tokens per second while busy), offered to every feature as one
// RuntimePort. No vscode import.
import type { ModelInfo, ProviderReport, SamplingSettings, ScoredPosition, TokenStep } from '../model-runtime/protocol';
import { RuntimeClient, type ClientState, type RuntimeClientOptions } from '../model-runtime/client';
import type { GenerateOptions, GenerateResult, RuntimePort } from './runtime-port';
import type { RuntimeState } from './runtime-state';

export interface LoadSpec {
  modelDir: string;
  providers?: string[];
  threads?: number;
}

export interface ModelServiceOptions extends Partial<RuntimeClientOptions> {
  /** Path of dist/worker.js. */
  workerPath: string;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

type Listener = (state: RuntimeState) => void;

export class ModelService implements RuntimePort {
  private client: RuntimeClient | undefined;
  private spec: LoadSpec | undefined;
  private readonly listeners = new Set<Listener>();
  private _state: RuntimeState = { kind: 'stopped' };
  private rate: number | undefined;
  /** Worker processes started, by every client so far (tests check that a killed one is replaced). */
  private earlierStarts = 0;

  constructor(private readonly opts: ModelServiceOptions) {}

  get state(): RuntimeState {
    return this._state;
  }

  get starts(): number {
    return this.earlierStarts + (this.client?.starts ?? 0);
  }

  onDidChangeState(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }

  model(): ModelInfo | undefined {
    return this.client?.model?.model;
  }

  provider(): ProviderReport | undefined {
    return this.client?.model?.provider;
  }

  /** The worker's process id, while one runs. */
  pid(): number | undefined {
    return this.client?.pid;
  }

  /** Starts a fresh worker on `spec` in the background; resolves when the model is loaded. */
  start(spec: LoadSpec): Promise<ModelInfo> {
    this.spec = spec;
    this.stopClient();
    const client = new RuntimeClient({ ...this.opts, workerPath: this.opts.workerPath });
    this.client = client;
    client.onState((s) => {
      if (this.client === client) this.onClientState(s);
    });
    const p = client.load({ modelDir: spec.modelDir, providers: spec.providers, threads: spec.threads || undefined }).then((r) => {
      this.opts.log?.(
        'info',
        `loaded ${r.model.name} (${r.model.architecture}, ${r.model.layers} layers, context ${r.model.contextLength}, FIM ${r.model.supportsFim}) on ${r.provider.active}`,
      );
      for (const f of r.provider.fallbacks) this.opts.log?.('warn', `execution provider ${f.provider} not used: ${f.reason}`);
      return r.model;
    });
    p.catch((e: Error) => this.client === client && this.opts.log?.('error', `loading ${spec.modelDir} failed: ${e.message}`));
    return p;
  }

  restart(): Promise<ModelInfo> {
    if (!this.spec) return Promise.reject(new Error('No model to load yet.'));
    return this.start(this.spec);
  }

  /** The loaded model, waiting for a load in progress. */
  async whenReady(): Promise<ModelInfo> {
    if (!this.client) throw new Error('The Tokenscope model worker is not running.');
    return (await this.client.whenReady()).model;
  }

  private onClientState(s: ClientState): void {
    switch (s.kind) {
      case 'starting':
        return this.setState({ kind: 'loading', modelDir: this.spec?.modelDir ?? '' });
      case 'stopped':
        return this.setState({ kind: 'stopped' });
      case 'loading':
        return this.setState({ kind: 'loading', modelDir: s.modelDir });
      case 'ready':
        return this.setState({ kind: 'ready', model: s.model, provider: s.provider });
      case 'busy':
        return this.setState({ kind: 'busy', model: s.model, provider: s.provider, tokensPerSecond: this.rate });
      case 'error':
        if (s.code === 'worker-crashed')
          this.opts.log?.(
            s.restarting ? 'warn' : 'error',
            `${s.message}${s.restarting ? '; restarting' : '; not restarting again (run "Tokenscope: Restart Model Worker")'}`,
          );
        return this.setState({ kind: 'error', message: s.message, restarting: s.restarting });
    }
  }

  private live(): RuntimeClient {
    if (!this.client) throw new Error('The Tokenscope model worker is not running.');
    return this.client;
  }

  async generate(opts: GenerateOptions): Promise<GenerateResult> {
    const started = Date.now();
    let tokens = 0;
    const res = await this.live().generate({
      ...opts,
      onToken: (step: TokenStep, delta: string, generationId: number) => {
        tokens++;
        const secs = (Date.now() - started) / 1000;
        if (tokens % 8 === 0 && secs > 0 && this._state.kind === 'busy') {
          this.rate = tokens / secs;
          this.setState({ ...this._state, tokensPerSecond: this.rate });
        }
        opts.onToken?.(step, delta, generationId);
      },
    });
    if (res.stats.decodeMs > 0 && res.stats.generatedTokens > 1) this.rate = (res.stats.generatedTokens * 1000) / res.stats.decodeMs;
    return res;
  }

  resample(generationId: number, step: number, sampling: SamplingSettings, topN: number): Promise<TokenStep> {
    return this.live().resample(generationId, step, sampling, topN);
  }

  tokenize(text: string): Promise<{ id: number; text: string; bytes: number[] }[]> {
    return this.live().tokenize(text);
  }

  score(text: string, topN: number, onProgress?: (done: number, total: number) => void, signal?: AbortSignal): Promise<ScoredPosition[]> {
    return this.live().score(text, topN, onProgress, signal);
  }

  /** Kills the worker process, as a crash would (tests). */
  kill(): void {
    this.client?.kill();
  }

  private setState(state: RuntimeState): void {
    this._state = state;
    for (const l of [...this.listeners]) l(state);
  }

  private stopClient(): void {
    const c = this.client;
    if (!c) return;
    this.earlierStarts += c.starts;
    this.client = undefined;
    c.dispose();
  }

  dispose(): void {
    this.stopClient();
    this.listeners.clear();
  }
}
