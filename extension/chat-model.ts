// The chat's model. By default the chat shares the completion model's worker; tokenscope.chat.modelPath names
// a folder for a second worker (an instruct model for the chat beside a base model for completions). The chat
// view talks to this port and never needs to know which worker answers.
import type { ModelRuntime, RuntimeState } from '../model-runtime/runtime';
import type { TokenscopeConfig } from './config';
import type { RuntimePort } from './runtime-port';

export class ChatModel implements RuntimePort {
  private own: ModelRuntime | undefined;
  private ownDir = '';

  constructor(
    private readonly shared: ModelRuntime,
    private readonly create: () => ModelRuntime,
    /** The chat worker's state (undefined: the chat shares the completion model). */
    private readonly onState: (state: RuntimeState | undefined) => void,
  ) {}

  /** The worker that answers the chat now. */
  get runtime(): ModelRuntime {
    return this.own ?? this.shared;
  }

  /** Whether the chat has a worker of its own. */
  get separate(): boolean {
    return !!this.own;
  }

  /** Starts, switches or stops the chat's own worker for the settings; rejects when its folder fails to load. */
  async apply(cfg: TokenscopeConfig, providers: string[] | undefined): Promise<void> {
    const dir = cfg.backend === 'local' ? cfg.chatModelPath : '';
    if (!dir) return this.stop();
    if (this.own && dir === this.ownDir) return;
    if (!this.own) {
      this.own = this.create();
      this.own.onDidChangeState((s) => this.onState(s));
    }
    this.ownDir = dir;
    await this.own.start({ modelDir: dir, providers, threads: cfg.threads });
  }

  stop(): void {
    this.own?.dispose();
    this.own = undefined;
    this.ownDir = '';
    this.onState(undefined);
  }

  generate: RuntimePort['generate'] = (r) => this.runtime.generate(r);
  resample: RuntimePort['resample'] = (...a) => this.runtime.resample(...a);
  detail: RuntimePort['detail'] = (...a) => this.runtime.detail(...a);
  tokenize: RuntimePort['tokenize'] = (t) => this.runtime.tokenize(t);
  score: RuntimePort['score'] = (...a) => this.runtime.score(...a);
  xray: RuntimePort['xray'] = (...a) => this.runtime.xray(...a);
  model: RuntimePort['model'] = () => this.runtime.model();
}
