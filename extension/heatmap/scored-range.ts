// Which part of a document the heatmap coloured, in offsets, kept in step with edits so that a re-colour
// after an edit scores the same text (the whole file, or the selection it was asked for). Pure: no vscode.

export interface OffsetRange {
  start: number;
  end: number;
}

export interface TextChange {
  rangeOffset: number;
  rangeLength: number;
  text: string;
}

/** The range after `changes` (applied in the order given): edits before it shift it, edits inside it resize it. */
export function shiftRange(r: OffsetRange, changes: readonly TextChange[]): OffsetRange {
  let { start, end } = r;
  for (const c of changes) {
    const delta = c.text.length - c.rangeLength;
    const cEnd = c.rangeOffset + c.rangeLength;
    if (cEnd <= start && c.rangeOffset < start) {
      start += delta;
      end += delta;
    } else if (c.rangeOffset <= end) {
      // An edit overlapping the start pulls the start to the edit; the end moves by what was added.
      start = Math.min(start, c.rangeOffset);
      end = Math.max(start, Math.max(end, cEnd) + delta);
    }
  }
  return { start, end };
}
