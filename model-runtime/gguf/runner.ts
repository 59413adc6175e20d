// The llama.cpp ModelRunner: model runs on a node-llama-cpp context sequence, whose keys/values llama.cpp keeps
// (on the GPU where it runs there). A rewind erases the dropped cells, which costs nothing like a re-prefill, so
// a keystroke that changes the end of the prompt feeds only the changed tokens. Logits come back raw (no
// sampler options), row by row, so every figure the views show is computed by our own sampling code.
import type { ControlledEvaluateInputItem, LlamaContext, LlamaContextSequence, Token } from 'node-llama-cpp';
import { RuntimeError } from '../errors';
import { type FeedPlan, type Logits, type ModelRunner, reusablePrefix, type SequenceCache } from '../model-runner';
import type { SamplingSettings } from '../protocol';

/** One token sequence of the context, with the tokens its cells hold. */
export class GgufCache implements SequenceCache {
  private held: number[] = [];

  constructor(
    readonly sequence: LlamaContextSequence,
    private readonly bytesPerToken: number,
    private readonly onRelease: (c: GgufCache) => void,
  ) {}

  get tokens(): readonly number[] {
    return this.held;
  }

  get length(): number {
    return this.held.length;
  }

  /** llama.cpp reuses erased cells, so no dead positions count against the context. */
  get slotCount(): number {
    return this.held.length;
  }

  get bytes(): number {
    return this.held.length * this.bytesPerToken;
  }

  async prepare(tokens: readonly number[], _limit: number): Promise<FeedPlan> {
    const common = reusablePrefix(this.held, tokens);
    // No dead cells to compact: when the rest does not fit, nothing would make it fit (prompts are cut to fit).
    const reuse = await this.rewind(common);
    return { reuse, feed: tokens.slice(reuse) };
  }

  async rewind(n: number): Promise<number> {
    if (n >= this.held.length) return this.held.length;
    const keep = Math.max(0, n);
    await this.sequence.eraseContextTokenRanges([{ start: keep, end: this.sequence.nextTokenIndex }]);
    this.held = this.held.slice(0, keep);
    return keep;
  }

  fit(n: number, limit: number): boolean {
    return this.held.length + n <= limit;
  }

  /** Takes the tokens llama.cpp holds after a native decode (it evaluated all but the last token it sampled). */
  sync(): void {
    this.held = [...this.sequence.contextTokens];
  }

  /** Called by the runner after a run appended `feed`. */
  appended(feed: readonly number[]): void {
    this.held.push(...feed);
  }

  release(): void {
    this.onRelease(this);
  }
}

type Penalties = Pick<SamplingSettings, 'repetitionPenalty' | 'presencePenalty' | 'frequencyPenalty'>;

export interface GgufRunnerOptions {
  contextLength: number;
  vocabSize: number;
  prefillChunk: number;
  /** Bytes of keys/values one token takes (memory reports). */
  bytesPerToken: number;
}

export class GgufRunner implements ModelRunner<GgufCache> {
  readonly contextLength: number;
  readonly prefillChunk: number;
  // A rejected draft would be erased cheaply, but one llama.cpp run of 5 tokens costs more than the accepted
  // drafts save on the CPU; kept off until the bench says otherwise.
  readonly draftTokens = 0;
  readonly cache: GgufCache;
  private readonly free: LlamaContextSequence[] = [];

  constructor(
    private readonly context: LlamaContext,
    private readonly opts: GgufRunnerOptions,
    /** Frees what the context does not own (the model's weights). */
    private readonly releaseModel: () => Promise<void> = async () => undefined,
  ) {
    this.contextLength = opts.contextLength;
    this.prefillChunk = opts.prefillChunk;
    this.cache = this.newCache();
  }

  /** The context was made with a fixed number of sequences: the shared cache and one for scoring windows. */
  newCache(): GgufCache {
    const sequence = this.free.pop() ?? this.context.getSequence();
    return new GgufCache(sequence, this.opts.bytesPerToken, (c) => {
      void c.sequence.clearHistory().then(() => this.free.push(c.sequence));
    });
  }

  async run(cache: GgufCache, feed: readonly number[], keep: number | boolean = 1): Promise<Logits> {
    const rows = keep === true || keep === 0 || keep === false ? feed.length : Math.min(keep, feed.length);
    const first = feed.length - rows;
    const input = feed.map(
      (t, i): ControlledEvaluateInputItem => (i >= first ? [t as Token, { generateNext: { logits: true } }] : (t as Token)),
    );
    const out = await cache.sequence.controlledEvaluate(input);
    cache.appended(feed);
    const V = this.opts.vocabSize;
    const data = new Float32Array(rows * V).fill(Number.NEGATIVE_INFINITY);
    for (let r = 0; r < rows; r++) {
      const logits = out[first + r]?.next?.logits;
      if (!logits) throw new Error(`llama.cpp returned no logits for position ${first + r} of a run of ${feed.length}`);
      const base = r * V;
      for (const [token, value] of logits) data[base + token] = value;
    }
    return { data, rows };
  }

  /** Runs tokens into the cache without taking logits, in chunks so a cancel lands between them. */
  async feed(cache: GgufCache, tokens: readonly number[], cancelled: () => boolean): Promise<void> {
    for (let at = 0; at < tokens.length; at += this.prefillChunk) {
      if (cancelled()) throw new RuntimeError('cancelled', 'cancelled');
      const part = tokens.slice(at, at + this.prefillChunk);
      await cache.sequence.controlledEvaluate(part.map((t) => t as Token));
      cache.appended(part);
    }
  }

  /**
   * llama.cpp's greedy decode from `last` (not yet in the cache): yields each token it picks, no logits exported.
   * The caller breaks out to stop, then calls cache.sync().
   */
  greedy(cache: GgufCache, last: number, s: Penalties, history: () => readonly number[]): AsyncGenerator<number> {
    const penalised = s.repetitionPenalty !== 1 || s.presencePenalty !== 0 || s.frequencyPenalty !== 0;
    const repeatPenalty = penalised
      ? {
          punishTokens: () => history() as Token[],
          penalty: s.repetitionPenalty,
          presencePenalty: s.presencePenalty,
          frequencyPenalty: s.frequencyPenalty,
        }
      : undefined;
    return cache.sequence.evaluate([last as Token], { temperature: 0, repeatPenalty }) as AsyncGenerator<number>;
  }

  async release(): Promise<void> {
    await this.context.dispose();
    await this.releaseModel();
  }
}
