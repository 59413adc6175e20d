// Turns a stream of token bytes into text deltas that are always whole UTF-8 characters, and holds back
// text that might be the start of a stop sequence, so a client never shows text it will have to take back.

const strict = new TextDecoder('utf-8', { fatal: true });

/** True when the bytes are complete, valid UTF-8 on their own. */
export function isCompleteUtf8(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The token's own text when its bytes are whole characters, else ''. */
export function tokenText(bytes: Uint8Array): { text: string; partial: boolean } {
  try {
    return { text: strict.decode(bytes), partial: false };
  } catch {
    return { text: '', partial: true };
  }
}

export interface PushResult {
  /** New text safe to show (never a broken character, never part of a possible stop sequence). */
  delta: string;
  /** Set when a stop sequence completed: the text is final and the generation should end. */
  stopped?: string;
}

export class TextStream {
  private readonly decoder = new TextDecoder('utf-8');
  /** Everything decoded so far (complete characters only). */
  private decoded = '';
  /** How much of `decoded` has been emitted. */
  private emitted = 0;
  private stoppedAt = -1;

  constructor(private readonly stops: readonly string[] = []) {}

  /** True once a stop sequence completed: the text is final. */
  get stopped(): boolean {
    return this.stoppedAt >= 0;
  }

  /** Final text: up to (excluding) the stop sequence when one was hit. */
  get text(): string {
    return this.stoppedAt >= 0 ? this.decoded.slice(0, this.stoppedAt) : this.decoded;
  }

  push(bytes: Uint8Array): PushResult {
    if (this.stoppedAt >= 0) return { delta: '' };
    // stream: true keeps an incomplete trailing character inside the decoder until its last byte arrives.
    this.decoded += this.decoder.decode(bytes, { stream: true });
    // Search for a stop sequence that may straddle the boundary of what was emitted.
    for (const stop of this.stops) {
      if (!stop) continue;
      const at = this.decoded.indexOf(stop, Math.max(0, this.emitted - stop.length + 1));
      if (at >= 0 && (this.stoppedAt < 0 || at < this.stoppedAt)) this.stoppedAt = at;
    }
    if (this.stoppedAt >= 0) {
      const delta = this.decoded.slice(this.emitted, Math.max(this.emitted, this.stoppedAt));
      this.emitted = Math.max(this.emitted, this.stoppedAt);
      return { delta, stopped: this.decoded.slice(this.stoppedAt, this.stoppedAt + this.longestStopAt(this.stoppedAt)) };
    }
    let safe = this.decoded.length - this.heldBack();
    // Never split a surrogate pair.
    if (safe > 0 && safe < this.decoded.length && isHighSurrogate(this.decoded.charCodeAt(safe - 1))) safe--;
    const delta = safe > this.emitted ? this.decoded.slice(this.emitted, safe) : '';
    this.emitted = Math.max(this.emitted, safe);
    return { delta };
  }

  /** Flushes what was held back (the generation ended without completing a stop sequence). */
  end(): string {
    if (this.stoppedAt >= 0) return '';
    this.decoded += this.decoder.decode();
    const delta = this.decoded.slice(this.emitted);
    this.emitted = this.decoded.length;
    return delta;
  }

  /** Length of the longest suffix of the decoded text that is a proper prefix of some stop sequence. */
  private heldBack(): number {
    let hold = 0;
    for (const stop of this.stops) {
      for (let n = Math.min(stop.length - 1, this.decoded.length); n > hold; n--) {
        if (this.decoded.endsWith(stop.slice(0, n))) {
          hold = n;
          break;
        }
      }
    }
    return hold;
  }

  private longestStopAt(at: number): number {
    let len = 0;
    for (const s of this.stops) if (s && this.decoded.startsWith(s, at)) len = Math.max(len, s.length);
    return len;
  }
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
