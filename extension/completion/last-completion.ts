// The completions most recently shown and accepted, kept with their per-token data so that
// "Explain This Completion" can hand them to the inspector. Pure, no vscode.
import type { Candidate } from './engine';
import type { BuiltPrompt } from './prompt';

export interface ShownCompletion {
  id: number;
  doc: string;
  /** Offset in the document where the ghost text starts. */
  offset: number;
  candidates: Candidate[];
  prompt: BuiltPrompt;
  /** `end`: the document offset just past the inserted text. */
  accepted?: { index: number; text: string; end: number };
}

export class LastCompletion {
  private shown: ShownCompletion[] = [];
  private nextId = 1;

  remember(entry: Omit<ShownCompletion, 'id'>): number {
    const id = this.nextId++;
    const e = { ...entry, id };
    // Accepting text makes VS Code ask again at its end at once (often a lone newline). That follow-up
    // is not what the user took: it queues behind the accepted one, which stays what "explain" means
    // until the user accepts another or a completion shows somewhere else.
    const top = this.shown[0];
    const followUp = top?.accepted && top.doc === e.doc && top.accepted.end === e.offset;
    if (followUp) this.shown.splice(1, 0, e);
    else this.shown.unshift(e);
    this.shown.length = Math.min(this.shown.length, 16);
    return id;
  }

  /** `end`: the document offset just past the inserted text (computed from the candidate if not given). */
  accept(id: number, index: number, text: string, end?: number): void {
    const e = this.shown.find((s) => s.id === id);
    if (!e) return;
    e.accepted = { index, text, end: end ?? e.offset + (e.candidates[index]?.text.length ?? text.length) };
    // An accepted completion is what "explain" means from now on, even if a follow-up was shown before
    // this acceptance was reported.
    this.shown = [e, ...this.shown.filter((s) => s !== e)];
  }

  /**
   * Acceptance seen from the document: text inserted at `offset` that is the rest of a shown candidate
   * (the item's command may run late, or not at all for some accept paths). Returns the entry's id.
   */
  noteInsertion(doc: string, offset: number, text: string): number | undefined {
    if (!text) return undefined;
    for (const e of this.shown) {
      if (e.doc !== doc || e.accepted) continue;
      const k = offset - e.offset;
      const index = k < 0 ? -1 : e.candidates.findIndex((c) => c.text.length > k && c.text.slice(k) === text);
      if (index < 0) continue;
      this.accept(e.id, index, text, offset + text.length);
      return e.id;
    }
    return undefined;
  }

  latest(): ShownCompletion | undefined {
    return this.shown[0];
  }

  /** A completion by id (the hover on accepted text names the one under the pointer). */
  get(id: number): ShownCompletion | undefined {
    return this.shown.find((s) => s.id === id);
  }

  /** The candidate to explain: the accepted one, else the first shown. */
  candidate(entry = this.latest()): Candidate | undefined {
    if (!entry) return undefined;
    return entry.candidates[entry.accepted?.index ?? 0] ?? entry.candidates[0];
  }
}

/** The prompt as one string for the inspector: the code before the cursor, and the hole if FIM. */
export function promptText(p: BuiltPrompt): string {
  if (p.prompt.fim) return p.prompt.fim.prefix;
  return p.prompt.text ?? '';
}
