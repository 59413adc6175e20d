// The surprise heatmap: scores the editor's text (or selection) with the model and colours each token
// by its rank (GLTR buckets) or its probability, as editor decorations. A hover shows that position's
// alternatives and the colour key. Long files are scored in sliding windows. An edit clears the colours
// (they no longer match the text), says so, and re-colours the same part of the file once typing pauses.
import * as vscode from 'vscode';
import type { ScoredPosition } from '../../model-runtime/protocol';
import { probBand, RANK_BUCKET_LABELS, type RankBucket, rankBucket } from '../../webview/shared/colors';
import { formatProb } from '../../webview/shared/stats';
import { visibleText } from '../../webview/shared/token-text';
import type { ViewDeps } from '../runtime-port';
import { type HeatmapMode, legend, probDecorations, rankDecorations } from './heatmap-style';
import { type OffsetRange, shiftRange } from './scored-range';
import { acceptWindow, windowAt } from './windows';

export type { HeatmapMode };

/** Quiet time after the last edit before re-colouring. */
export const RECOLOUR_DELAY_MS = 1500;

interface Scored {
  positions: (ScoredPosition & { range: vscode.Range })[];
  mode: HeatmapMode;
  /** The part of the document that was scored, kept in step with edits. */
  span: OffsetRange;
}

export class Heatmap implements vscode.HoverProvider, vscode.Disposable {
  private readonly rankTypes = rankDecorations();
  private readonly probTypes = probDecorations();
  private readonly scored = new Map<string, Scored>();
  /** Documents edited since they were coloured: what to re-colour, and the pending timer. */
  private readonly stale = new Map<string, { mode: HeatmapMode; span: OffsetRange; timer?: ReturnType<typeof setTimeout> }>();
  private readonly recolouring = new Map<string, AbortController>();
  private readonly subs: vscode.Disposable[] = [];
  private message: vscode.Disposable | undefined;
  /** Fires when a document was re-coloured after an edit (tests wait on it). */
  readonly onDidRecolour = new vscode.EventEmitter<{ uri: string; count: number }>();

  constructor(private readonly deps: ViewDeps) {
    this.subs.push(
      vscode.languages.registerHoverProvider({ scheme: '*' }, this),
      vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length && this.edited(e.document, e.contentChanges)),
      vscode.window.onDidChangeVisibleTextEditors(() => this.repaint()),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri.toString())),
    );
  }

  /** How many positions are coloured in a document (for tests and the status message). */
  count(doc: vscode.TextDocument): number {
    return this.scored.get(doc.uri.toString())?.positions.length ?? 0;
  }

  /** Colours the editor's selection, or its whole text; says how many tokens and what the colours mean. */
  async show(editor: vscode.TextEditor, mode: HeatmapMode): Promise<number> {
    const doc = editor.document;
    this.forget(doc.uri.toString());
    // An older message (another file's count) must not stand for this run's.
    this.message?.dispose();
    const span = editor.selection.isEmpty
      ? { start: 0, end: doc.getText().length }
      : { start: doc.offsetAt(editor.selection.start), end: doc.offsetAt(editor.selection.end) };
    const n = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Tokenscope: scoring surprise', cancellable: true },
      (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        return this.colour(doc, mode, span, abort.signal, progress);
      },
    );
    this.say(`Tokenscope: coloured ${n} tokens by ${legend(mode)}; hover a token for its alternatives`);
    return n;
  }

  /** Scores `span` of `doc` window by window and paints the result; returns the number of tokens coloured. */
  private async colour(
    doc: vscode.TextDocument,
    mode: HeatmapMode,
    span: OffsetRange,
    signal: AbortSignal,
    progress?: vscode.Progress<{ message?: string; increment?: number }>,
  ): Promise<number> {
    const version = doc.version;
    const text = doc.getText().slice(span.start, span.end);
    // About 2.5 characters per token keeps a window inside the context for code.
    const windowChars = Math.max(256, Math.floor((this.deps.runtime.model()?.contextLength ?? 1024) * 2.5));
    const positions: Scored['positions'] = [];
    let keepFrom = 0;
    let reported = 0;
    for (let i = 1; keepFrom < text.length && !signal.aborted; i++) {
      const w = windowAt(text.length, keepFrom, windowChars, Math.floor(windowChars / 4));
      progress?.report({ message: `window ${i} (${Math.round((100 * keepFrom) / text.length)}%)` });
      const scored = await this.deps.runtime.score(text.slice(w.start, w.end), 10, undefined, signal, progress ? undefined : 'background');
      const { kept, next } = acceptWindow(w, scored, text.length);
      keepFrom = next;
      const pct = (100 * keepFrom) / text.length;
      progress?.report({ increment: pct - reported });
      reported = pct;
      for (const p of kept) {
        // The first token of the whole text has nothing before it to predict it from.
        if (p.rank === 0 || p.text.length === 0) continue;
        const range = new vscode.Range(doc.positionAt(span.start + p.offset), doc.positionAt(span.start + p.offset + p.text.length));
        positions.push({ ...p, range });
      }
    }
    // Edited while scoring: these positions no longer match the text; the edit has scheduled another run.
    if (doc.version !== version || signal.aborted) return 0;
    this.scored.set(doc.uri.toString(), { positions, mode, span });
    this.repaint();
    return positions.length;
  }

  /** An edit in a coloured document: clear its colours (they would sit on the wrong text), say so, re-colour later. */
  private edited(doc: vscode.TextDocument, changes: readonly vscode.TextDocumentContentChangeEvent[]): void {
    const uri = doc.uri.toString();
    const before = this.scored.get(uri) ?? this.stale.get(uri);
    if (!before) return;
    const span = shiftRange(before.span, changes);
    this.recolouring.get(uri)?.abort();
    clearTimeout(this.stale.get(uri)?.timer);
    this.scored.delete(uri);
    this.repaint();
    const timer = setTimeout(() => void this.recolour(doc), RECOLOUR_DELAY_MS);
    this.stale.set(uri, { mode: before.mode, span, timer });
    this.say('Tokenscope: surprise colours cleared by the edit; re-colouring when you pause');
  }

  private async recolour(doc: vscode.TextDocument): Promise<void> {
    const uri = doc.uri.toString();
    const st = this.stale.get(uri);
    if (!st || doc.isClosed) return;
    const abort = new AbortController();
    this.recolouring.set(uri, abort);
    try {
      const n = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Tokenscope: re-colouring' }, () =>
        this.colour(doc, st.mode, st.span, abort.signal),
      );
      if (abort.signal.aborted || !this.scored.has(uri)) return;
      this.stale.delete(uri);
      this.say(`Tokenscope: re-coloured ${n} tokens after the edit (${legend(st.mode)})`);
      this.onDidRecolour.fire({ uri, count: n });
    } catch (err) {
      if (abort.signal.aborted) return;
      this.say(
        `Tokenscope: surprise colours are stale after the edit (${err instanceof Error ? err.message : String(err)}); colour again to refresh`,
      );
    } finally {
      if (this.recolouring.get(uri) === abort) this.recolouring.delete(uri);
    }
  }

  private say(text: string): void {
    this.message?.dispose();
    this.message = vscode.window.setStatusBarMessage(text, 8000);
  }

  private forget(uri: string): void {
    this.recolouring.get(uri)?.abort();
    clearTimeout(this.stale.get(uri)?.timer);
    this.stale.delete(uri);
  }

  private repaint(): void {
    for (const editor of vscode.window.visibleTextEditors) {
      const s = this.scored.get(editor.document.uri.toString());
      const byRank = new Map<RankBucket, vscode.Range[]>([...this.rankTypes.keys()].map((k) => [k, []]));
      const byProb: vscode.Range[][] = this.probTypes.map(() => []);
      for (const p of s?.positions ?? []) {
        if (s!.mode === 'rank') byRank.get(rankBucket(p.rank))!.push(p.range);
        else byProb[probBand(p.prob)].push(p.range);
      }
      for (const [b, t] of this.rankTypes) editor.setDecorations(t, byRank.get(b)!);
      for (const [i, t] of this.probTypes.entries()) editor.setDecorations(t, byProb[i]);
    }
  }

  clear(doc?: vscode.TextDocument): void {
    for (const uri of doc ? [doc.uri.toString()] : [...this.scored.keys(), ...this.stale.keys()]) this.forget(uri);
    if (doc) this.scored.delete(doc.uri.toString());
    else this.scored.clear();
    this.repaint();
  }

  provideHover(doc: vscode.TextDocument, pos: vscode.Position): vscode.Hover | undefined {
    const s = this.scored.get(doc.uri.toString());
    const p = s?.positions.find((x) => x.range.contains(pos));
    if (!p) return undefined;
    const md = new vscode.MarkdownString();
    md.appendText(
      `Tokenscope: ${JSON.stringify(p.text)} was rank ${p.rank} (${RANK_BUCKET_LABELS[rankBucket(p.rank)]}), p ${formatProb(p.prob)}, entropy ${p.entropy.toFixed(2)} nats\n`,
    );
    // Token text is untrusted: it goes in a code block, never as markdown.
    md.appendCodeblock(
      p.alternatives
        .slice(0, 10)
        .map((a) => `${formatProb(a.rawProb).padStart(7)}  ${visibleText(a.text)}${a.id === p.id ? '   ← actual' : ''}`)
        .join('\n'),
      'text',
    );
    md.appendText(`Colours by ${legend(s!.mode)}`);
    return new vscode.Hover(md, p.range);
  }

  dispose(): void {
    for (const uri of [...this.stale.keys(), ...this.recolouring.keys()]) this.forget(uri);
    this.message?.dispose();
    for (const t of this.rankTypes.values()) t.dispose();
    for (const t of this.probTypes) t.dispose();
    for (const s of this.subs) s.dispose();
    this.onDidRecolour.dispose();
  }
}
