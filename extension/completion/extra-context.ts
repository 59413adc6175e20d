// Extra context from other files, kept as llama.vscode does: a small ring buffer of line chunks taken
// from files the user opens, edits or saves. Near-duplicate chunks replace each other, so the buffer
// holds varied code. Pure, no vscode.
import type { ExtraChunk } from './prompt';

export interface RingChunk extends ExtraChunk {
  /** Document identity (uri), so the current file's own chunks can be left out. */
  doc: string;
}

/** Jaccard similarity of two chunks' sets of trimmed, non-blank lines. */
export function similarity(a: string, b: string): number {
  const set = (t: string) =>
    new Set(
      t
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean),
    );
  const sa = set(a);
  const sb = set(b);
  if (sa.size === 0 && sb.size === 0) return 1;
  let common = 0;
  for (const l of sa) if (sb.has(l)) common++;
  return common / (sa.size + sb.size - common);
}

/** The chunk of `lines` lines centred on `line` (0-based) of `text`; undefined if it is nearly empty. */
export function chunkAround(text: string, line: number, lines: number): string | undefined {
  const all = text.split('\n');
  const start = Math.max(0, Math.min(line - Math.floor(lines / 2), all.length - lines));
  const chunk = all.slice(start, start + lines).join('\n');
  return chunk.replace(/\s/g, '').length < 16 ? undefined : chunk;
}

export class ChunkRing {
  private chunks: RingChunk[] = [];

  constructor(
    private capacity: number,
    private readonly duplicateAbove = 0.9,
  ) {}

  setCapacity(capacity: number): void {
    this.capacity = capacity;
    if (this.chunks.length > capacity) this.chunks.splice(0, this.chunks.length - capacity);
  }

  /** Adds a chunk (newest last); near-duplicates of it are removed first, the oldest falls out when full. */
  add(chunk: RingChunk): void {
    this.chunks = this.chunks.filter((c) => similarity(c.text, chunk.text) < this.duplicateAbove);
    this.chunks.push(chunk);
    if (this.chunks.length > this.capacity) this.chunks.splice(0, this.chunks.length - this.capacity);
  }

  /** Chunks from other documents, oldest first (a stable order keeps the worker's prefix cache warm). */
  forPrompt(currentDoc: string): ExtraChunk[] {
    return this.chunks.filter((c) => c.doc !== currentDoc).map(({ path, text }) => ({ path, text }));
  }

  get size(): number {
    return this.chunks.length;
  }
}
