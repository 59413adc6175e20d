// Sliding windows for scoring a text longer than the model's context. Each window after the first
// starts `overlap` characters before the part it is responsible for, so its first tokens have
// context; positions before `keepFrom` are dropped, so each character is coloured once. The worker
// scores at most a context's worth of tokens, so a window may come back short: the next window then
// starts where the scoring stopped, and a token cut by the window's end is scored again by the next.

export interface ScoreWindow {
  start: number;
  end: number;
  /** Absolute offset from which this window's positions are kept. */
  keepFrom: number;
}

export interface Positioned {
  offset: number;
  text: string;
}

export function windowAt(length: number, keepFrom: number, size: number, overlap: number): ScoreWindow {
  const sz = Math.max(16, size);
  const ov = Math.min(Math.max(0, overlap), Math.floor(sz / 2));
  const start = keepFrom > 0 ? Math.max(0, keepFrom - ov) : 0;
  return { start, end: Math.min(length, start + sz), keepFrom };
}

/**
 * Turns one window's scored positions (offsets relative to the window) into absolute ones to keep,
 * and says where the next window's responsibility starts (`length` when done).
 */
export function acceptWindow<T extends Positioned>(w: ScoreWindow, positions: readonly T[], length: number): { kept: T[]; next: number } {
  const abs = positions.map((p) => ({ ...p, offset: p.offset + w.start }));
  if (abs.length === 0) return { kept: [], next: Math.max(w.end, w.keepFrom + 1) };
  const last = abs[abs.length - 1];
  const complete = w.end >= length && last.offset + last.text.length >= length;
  if (complete) return { kept: abs.filter((p) => p.offset >= w.keepFrom), next: length };
  // The last token may be cut by the window's (or the context's) end: it belongs to the next window.
  const cut = last.offset;
  if (cut <= w.keepFrom) {
    // Nothing new fits before the cut (a context full of overlap): take what there is and move on.
    return { kept: abs.filter((p) => p.offset >= w.keepFrom), next: Math.max(last.offset + last.text.length, w.keepFrom + 1) };
  }
  return { kept: abs.filter((p) => p.offset >= w.keepFrom && p.offset < cut), next: cut };
}
