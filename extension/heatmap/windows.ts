// Sliding windows for scoring a text longer than the model's context. Each window after the first
// starts `overlap` characters before the previous one ended, so its first tokens have context; only
// positions from `keepFrom` on are kept, so each character is scored once.

export interface ScoreWindow {
  start: number;
  end: number;
  /** Absolute offset from which this window's positions are kept. */
  keepFrom: number;
}

export function planWindows(length: number, windowChars: number, overlap: number): ScoreWindow[] {
  if (length <= 0) return [];
  const size = Math.max(16, windowChars);
  const ov = Math.min(Math.max(0, overlap), Math.floor(size / 2));
  const out: ScoreWindow[] = [];
  let keepFrom = 0;
  while (keepFrom < length) {
    const start = Math.max(0, keepFrom - (out.length ? ov : 0));
    const end = Math.min(length, start + size);
    out.push({ start, end, keepFrom });
    keepFrom = end;
  }
  return out;
}

export interface Positioned {
  offset: number;
  text: string;
}

/** Shifts a window's positions to absolute offsets and keeps those at or after keepFrom. */
export function keepPositions<T extends Positioned>(w: ScoreWindow, positions: readonly T[]): T[] {
  return positions.map((p) => ({ ...p, offset: p.offset + w.start })).filter((p) => p.offset >= w.keepFrom);
}
