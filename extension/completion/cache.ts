// LRU cache of finished completions. A lookup also matches when the user has typed part of a cached
// completion since it was made ("typing through"): the rest of it is returned without a model run.
// Pure, no vscode.

export interface CacheEntry<T = unknown> {
  /** Document identity (uri) and the text around the cursor when the completion was made. */
  doc: string;
  prefixTail: string;
  suffixHead: string;
  /** Candidate completions, best first. */
  texts: string[];
  /** Anything the caller wants back (per-token data for "explain"). */
  data?: T;
}

export interface CacheHit<T> {
  entry: CacheEntry<T>;
  /** The candidates with the typed-through part removed (only those that still match). */
  texts: string[];
  /** How many characters of the completion had been typed. */
  typed: number;
}

export class CompletionCache<T = unknown> {
  private entries: CacheEntry<T>[] = [];

  /** `tailChars`/`headChars`: how much text around the cursor identifies a position. */
  constructor(
    private readonly capacity = 64,
    readonly tailChars = 400,
    readonly headChars = 200,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  key(before: string, after: string): { prefixTail: string; suffixHead: string } {
    return { prefixTail: before.slice(-this.tailChars), suffixHead: after.slice(0, this.headChars) };
  }

  put(doc: string, before: string, after: string, texts: string[], data?: T): void {
    const k = this.key(before, after);
    this.entries = this.entries.filter((e) => !(e.doc === doc && e.prefixTail === k.prefixTail && e.suffixHead === k.suffixHead));
    this.entries.unshift({ doc, ...k, texts, data });
    if (this.entries.length > this.capacity) this.entries.length = this.capacity;
  }

  /** Finds a completion made here, or earlier on this line with its first characters typed since. */
  get(doc: string, before: string, after: string): CacheHit<T> | undefined {
    const suffixHead = after.slice(0, this.headChars);
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.doc !== doc || e.suffixHead !== suffixHead) continue;
      const hit = matchTyped(e, before);
      if (hit) {
        // Most recently used first.
        this.entries.splice(i, 1);
        this.entries.unshift(e);
        return hit;
      }
    }
    return undefined;
  }

  clear(): void {
    this.entries = [];
  }
}

function matchTyped<T>(e: CacheEntry<T>, before: string): CacheHit<T> | undefined {
  // `before` must be e.prefixTail + typed, where `typed` is a start of the first candidate.
  const maxTyped = Math.max(...e.texts.map((t) => t.length));
  for (let typed = 0; typed <= maxTyped && typed <= before.length; typed++) {
    const typedText = before.slice(before.length - typed);
    const head = before.slice(0, before.length - typed);
    if (!head.endsWith(e.prefixTail)) continue;
    const texts = e.texts.filter((t) => t.startsWith(typedText) && t.length > typed).map((t) => t.slice(typed));
    if (texts.length) return { entry: e, texts, typed };
  }
  return undefined;
}
