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
  accepted?: { index: number; text: string };
}

export class LastCompletion {
  private shown: ShownCompletion[] = [];
  private nextId = 1;

  remember(entry: Omit<ShownCompletion, 'id'>): number {
    const id = this.nextId++;
    this.shown.unshift({ ...entry, id });
    this.shown.length = Math.min(this.shown.length, 16);
    return id;
  }

  accept(id: number, index: number, text: string): void {
    const e = this.shown.find((s) => s.id === id);
    if (!e) return;
    e.accepted = { index, text };
    // An accepted completion is what "explain" means from now on.
    this.shown = [e, ...this.shown.filter((s) => s !== e)];
  }

  latest(): ShownCompletion | undefined {
    return this.shown[0];
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
