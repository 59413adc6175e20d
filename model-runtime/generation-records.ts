// What is kept of each generation so a step can be resampled or branched without a model run: its prompt,
// tokens, seed and the model's logits at each step. Bounded twice: by bytes (the logits, 64 MB) and by count,
// because a generation that kept no logits (cancelled in prefill, maxTokens 0) still holds its prompt and
// would otherwise never be dropped. The oldest go first; the newest is always kept.
import { RuntimeError } from './errors';
import type { BranchFrom } from './protocol';

export interface GenerationRecord {
  id: number;
  prompt: number[];
  ids: number[];
  /** The model's logits at each step (before any processor). */
  logits: Float32Array[];
  seed: number;
}

export const KEPT_BYTES = 64 * 1024 * 1024;
export const KEPT_GENERATIONS = 256;

/** Bytes a record holds: its logits, and its token arrays (8 bytes a number). */
function recordBytes(r: GenerationRecord): number {
  let bytes = 8 * (r.prompt.length + r.ids.length);
  for (const l of r.logits) bytes += l.byteLength;
  return bytes;
}

export class GenerationRecords {
  private readonly kept = new Map<number, GenerationRecord>();
  private next = 1;

  constructor(
    private readonly maxBytes = KEPT_BYTES,
    private readonly maxCount = KEPT_GENERATIONS,
  ) {}

  /** Numbers the generations from `first` on (a range of ids the host gave this load). */
  numberFrom(first: number): void {
    this.next = first;
  }

  /** The id the next generation will get. */
  get nextId(): number {
    return this.next;
  }

  get size(): number {
    return this.kept.size;
  }

  /** Starts and keeps a record; older ones are dropped until both bounds hold. */
  start(prompt: number[], ids: number[], logits: Float32Array[], seed: number): GenerationRecord {
    const rec: GenerationRecord = { id: this.next++, prompt, ids, logits, seed };
    this.kept.set(rec.id, rec);
    this.evict(rec.id);
    return rec;
  }

  has(id: number): boolean {
    return this.kept.has(id);
  }

  get(id: number): GenerationRecord {
    const rec = this.kept.get(id);
    if (!rec) throw new RuntimeError('bad-request', `generation ${id} is no longer kept`);
    return rec;
  }

  /** The logits of one kept step. */
  logitsAt(id: number, step: number): Float32Array {
    const logits = this.get(id).logits[step];
    if (!logits) throw new RuntimeError('bad-request', `generation ${id} has no step ${step}`);
    return logits;
  }

  /** A new record holding a kept one's prompt, tokens before the branch step and logits up to it. */
  branch(b: BranchFrom, seed: number | undefined): GenerationRecord {
    const rec = this.get(b.generationId);
    if (b.step < 0 || b.step > rec.logits.length - 1) throw new RuntimeError('bad-request', `generation ${rec.id} has no step ${b.step}`);
    return this.start(rec.prompt, rec.ids.slice(0, b.step), rec.logits.slice(0, b.step + 1), seed ?? rec.seed);
  }

  // Rough bound, checked when a generation starts (its logits grow after that).
  private evict(newest: number): void {
    let bytes = 0;
    for (const r of this.kept.values()) bytes += recordBytes(r);
    for (const [id, r] of this.kept) {
      if (id === newest || (bytes <= this.maxBytes && this.kept.size <= this.maxCount)) break;
      bytes -= recordBytes(r);
      this.kept.delete(id);
    }
  }
}
