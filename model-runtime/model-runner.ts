// The engine-specific part of an engine: running tokens through a model over a cache of keys/values and
// getting logits back. Everything else an engine does (the decode loop with speculation, stopping rules,
// prompt building, TokenSteps, kept generations, scoring) is written against this, so a new backend
// (llama.cpp, a remote server) supplies only a runner. onnx/runner.ts is the onnxruntime one.

/** What to run through the model for a sequence, given what its cache already holds. */
export interface FeedPlan {
  /** Cached tokens kept. */
  reuse: number;
  /** Tokens to run through the model. */
  feed: number[];
}

/**
 * How many of the cached `held` tokens a request for `tokens` keeps: their common prefix, but never all of
 * `tokens`, because the next token's logits come from running the last one (an identical prompt re-runs it).
 */
export function reusablePrefix(held: readonly number[], tokens: readonly number[]): number {
  const max = Math.min(held.length, tokens.length - 1);
  let i = 0;
  while (i < max && held[i] === tokens[i]) i++;
  return i;
}

/** The keys/values of one token sequence, and the tokens they belong to. */
export interface SequenceCache {
  /** Tokens whose keys/values are held (live), in order. */
  readonly tokens: readonly number[];
  /** Live tokens: the position the next token takes. */
  readonly length: number;
  /** Positions taken, dead ones left by a rewind included: what counts against the context. */
  readonly slotCount: number;
  /** Approximate bytes held (memory reports). */
  readonly bytes: number;
  /**
   * Keeps the common prefix with `tokens` and says what to feed (at least their last token, whose run gives
   * the next logits); starts over when the rest would not fit within `limit` positions.
   */
  prepare(tokens: readonly number[], limit: number): Promise<FeedPlan>;
  /** Keeps only the first n live tokens; returns how many are kept (0 when it had to start over). */
  rewind(n: number): Promise<number>;
  /** Whether n more positions fit within `limit` without preparing again. */
  fit(n: number, limit: number): boolean;
  /** Frees what the cache holds outside the JS heap (GPU buffers, native sequences). */
  release(): void;
}

/** The logits of the last `rows` positions fed, row after row (rows x vocabulary). */
export interface Logits {
  data: Float32Array;
  rows: number;
}

export interface ModelRunner<C extends SequenceCache = SequenceCache> {
  readonly contextLength: number;
  /** Tokens per model run while prefilling (a cancel or a more urgent request lands between runs). */
  readonly prefillChunk: number;
  /** Prompt-lookup drafts fed with each decoded token (0 where a rejected draft would cost a re-prefill). */
  readonly draftTokens: number;
  /** The cache generations share, so the next request reuses their common prefix. */
  readonly cache: C;
  /** A cache of its own (scoring windows, tests). */
  newCache(): C;
  /**
   * Runs `feed` after the cache's tokens and appends them to it; returns the logits of the last `keep`
   * positions (0 or true: all of them; a runner may return more rows than asked, never fewer).
   */
  run(cache: C, feed: readonly number[], keep?: number | boolean): Promise<Logits>;
  release(): Promise<void>;
}

/** Row `j` of a run's logits as its own array (the data itself when there is one row). */
export function logitsRow(out: Logits, j: number): Float32Array {
  if (out.rows === 1) return out.data;
  const V = out.data.length / out.rows;
  return out.data.slice(j * V, (j + 1) * V);
}
