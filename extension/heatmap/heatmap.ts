// The surprise heatmap: scores the editor's text (or selection) with the model and colours each token
// by its rank (GLTR buckets) or its probability, as editor decorations. A hover shows that position's
// alternatives. Long files are scored in sliding windows under a progress notification.
import * as vscode from 'vscode';
import type { ScoredPosition } from '../../model-runtime/protocol';
import { probBand, rankBucket, RANK_BUCKET_LABELS, type RankBucket } from '../../webview/shared/colors';
import { formatProb } from '../../webview/shared/stats';
import { visibleText } from '../../webview/shared/token-text';
import type { ViewDeps } from '../runtime-port';
import { acceptWindow, windowAt } from './windows';

export type HeatmapMode = 'rank' | 'probability';

const RANK_COLORS: Record<RankBucket, string> = {
  top10: 'rgba(46, 160, 67, 0.28)',
  top100: 'rgba(210, 170, 0, 0.35)',
  top1000: 'rgba(230, 60, 60, 0.38)',
  rest: 'rgba(150, 80, 210, 0.45)',
};
const PROB_COLORS = [
  'rgba(46, 160, 67, 0.30)',
  'rgba(46, 160, 67, 0.14)',
  'rgba(210, 170, 0, 0.30)',
  'rgba(230, 130, 30, 0.35)',
  'rgba(230, 60, 60, 0.42)',
];

interface Scored {
  version: number;
  positions: (ScoredPosition & { range: vscode.Range })[];
  mode: HeatmapMode;
}

export class Heatmap implements vscode.HoverProvider, vscode.Disposable {
  private readonly rankTypes = new Map<RankBucket, vscode.TextEditorDecorationType>();
  private readonly probTypes: vscode.TextEditorDecorationType[];
  private readonly scored = new Map<string, Scored>();
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly deps: ViewDeps) {
    for (const [b, color] of Object.entries(RANK_COLORS) as [RankBucket, string][])
      this.rankTypes.set(b, vscode.window.createTextEditorDecorationType({ backgroundColor: color, borderRadius: '2px' }));
    this.probTypes = PROB_COLORS.map((c) => vscode.window.createTextEditorDecorationType({ backgroundColor: c, borderRadius: '2px' }));
    this.subs.push(
      vscode.languages.registerHoverProvider({ scheme: '*' }, this),
      vscode.workspace.onDidChangeTextDocument((e) => {
        // Edits shift the text under the colours: drop them rather than show stale scores.
        if (e.contentChanges.length && this.scored.has(e.document.uri.toString())) this.clear(e.document);
      }),
      vscode.window.onDidChangeVisibleTextEditors(() => this.repaint()),
    );
  }

  /** How many positions are coloured in a document (for tests and the status message). */
  count(doc: vscode.TextDocument): number {
    return this.scored.get(doc.uri.toString())?.positions.length ?? 0;
  }

  async show(editor: vscode.TextEditor, mode: HeatmapMode): Promise<number> {
    const doc = editor.document;
    const range = editor.selection.isEmpty
      ? new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length))
      : new vscode.Range(editor.selection.start, editor.selection.end);
    const base = doc.offsetAt(range.start);
    const text = doc.getText(range);
    const model = this.deps.runtime.model();
    // About 2.5 characters per token keeps a window inside the context for code.
    const windowChars = Math.max(256, Math.floor((model?.contextLength ?? 1024) * 2.5));
    const positions: Scored['positions'] = [];
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Tokenscope: scoring surprise', cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        let keepFrom = 0;
        let reported = 0;
        for (let i = 1; keepFrom < text.length && !token.isCancellationRequested; i++) {
          const w = windowAt(text.length, keepFrom, windowChars, Math.floor(windowChars / 4));
          progress.report({ message: `window ${i} (${Math.round((100 * keepFrom) / text.length)}%)` });
          const scored = await this.deps.runtime.score(text.slice(w.start, w.end), 10, undefined, abort.signal);
          const { kept, next } = acceptWindow(w, scored, text.length);
          keepFrom = next;
          const pct = (100 * keepFrom) / text.length;
          progress.report({ increment: pct - reported });
          reported = pct;
          for (const p of kept) {
            // The first token of the whole text has nothing before it to predict it from.
            if (p.rank === 0 || p.text.length === 0) continue;
            const start = doc.positionAt(base + p.offset);
            const end = doc.positionAt(base + p.offset + p.text.length);
            positions.push({ ...p, range: new vscode.Range(start, end) });
          }
        }
      },
    );
    this.scored.set(doc.uri.toString(), { version: doc.version, positions, mode });
    this.repaint();
    return positions.length;
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
    return new vscode.Hover(md, p.range);
  }

  dispose(): void {
    for (const t of this.rankTypes.values()) t.dispose();
    for (const t of this.probTypes) t.dispose();
    for (const s of this.subs) s.dispose();
  }
}
