// Why a completion request ended the way it did: every return of the inline-completion pipeline records a
// named reason per document, the provider logs it, and "Tokenscope: Why No Completion?" words the last one.
// Pure, no vscode.

export type CompletionReason =
  /** A completion was shown: from the model, or from the cache (typing through an earlier one). */
  | 'shown'
  | 'cached'
  /** Automatic completions are off (tokenscope.completion.autoTrigger). */
  | 'auto-trigger-off'
  /** Off for this language (tokenscope.completion.disabledLanguages). */
  | 'disabled-language'
  /** VS Code's suggest widget is open: its selection decides. */
  | 'suggest-widget'
  | 'no-model'
  /** In the middle of a word (only an explicit request completes there). */
  | 'mid-word'
  /** A newer keystroke replaced the request while it waited (debounce). */
  | 'debounced'
  /** Cancelled by VS Code while the model ran (the cursor moved, typing went on). */
  | 'cancelled'
  /** The model wrote something, and a filter removed all of it (detail: which). */
  | 'filtered'
  /** The model wrote nothing but whitespace (or stopped at once). */
  | 'empty'
  | 'error';

export interface CompletionOutcome {
  reason: CompletionReason;
  detail?: string;
  /** When (ms since the epoch). */
  at: number;
}

/** The last outcome per document (bounded), with a listener for the log. */
export class CompletionOutcomes {
  private readonly byDoc = new Map<string, CompletionOutcome>();
  private readonly listeners = new Set<(doc: string, outcome: CompletionOutcome) => void>();

  constructor(
    private readonly capacity = 64,
    private readonly now: () => number = Date.now,
  ) {}

  record(doc: string, reason: CompletionReason, detail?: string): CompletionOutcome {
    const outcome: CompletionOutcome = { reason, detail, at: this.now() };
    this.byDoc.delete(doc);
    this.byDoc.set(doc, outcome);
    if (this.byDoc.size > this.capacity) this.byDoc.delete(this.byDoc.keys().next().value!);
    for (const l of this.listeners) l(doc, outcome);
    return outcome;
  }

  last(doc: string): CompletionOutcome | undefined {
    return this.byDoc.get(doc);
  }

  onRecord(listener: (doc: string, outcome: CompletionOutcome) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => void this.listeners.delete(listener) };
  }
}

const SENTENCES: Record<CompletionReason, string> = {
  shown: 'a completion was shown',
  cached: 'a completion was shown from the cache (the rest of an earlier one you were typing through)',
  'auto-trigger-off':
    'automatic completions are off (tokenscope.completion.autoTrigger); Complete Here (Ctrl+Alt+Space) still asks for one',
  'disabled-language':
    'completions are off for this language (tokenscope.completion.disabledLanguages); Complete Here (Ctrl+Alt+Space) still asks for one',
  'suggest-widget': "VS Code's suggestion list was open: its selection takes precedence over ghost text",
  'no-model': 'no model is loaded yet (see the Tokenscope status bar item)',
  'mid-word': 'the cursor was in the middle of a word; only Complete Here (Ctrl+Alt+Space) completes there',
  debounced: 'you kept typing: the request was replaced by a newer one before the model ran',
  cancelled: 'VS Code cancelled the request while the model ran (the cursor moved or typing went on)',
  filtered: 'the model wrote a completion and a filter removed all of it',
  empty: 'the model wrote nothing but whitespace here',
  error: 'the request failed',
};

/** One sentence for a person: what happened to the last request, and when. */
export function explainOutcome(o: CompletionOutcome | undefined, now = Date.now()): string {
  if (!o)
    return 'Tokenscope has not been asked for a completion in this editor yet. VS Code asks as you type (unless editor.inlineSuggest.enabled is off); Complete Here (Ctrl+Alt+Space) asks at once.';
  const ago = Math.max(0, Math.round((now - o.at) / 1000));
  return `Last completion request (${ago} s ago): ${SENTENCES[o.reason]}${o.detail ? `: ${o.detail}` : ''}.`;
}
