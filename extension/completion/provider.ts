// The InlineCompletionItemProvider: turns a document and cursor into a CompletionEngine request and its
// answer into ghost text. VS Code itself gives Tab (accept), accept word, accept line, and Alt+] / Alt+[
// (cycling, for which it asks again with triggerKind Invoke: then we generate several candidates).
import * as vscode from 'vscode';
import type { Settings } from '../settings';
import type { CompletionEngine, CompletionResult } from './engine';
import { chunkAround } from './extra-context';
import type { LastCompletion } from './last-completion';
import type { CompletionReason } from './outcomes';

export const ACCEPTED_COMMAND = 'tokenscope.completionAccepted';

export class InlineProvider implements vscode.InlineCompletionItemProvider {
  /** Requests and their outcomes, for the log and tests. */
  readonly stats = { requests: 0, fromCache: 0, fromModel: 0, cancelled: 0, empty: 0 };
  private readonly subs: { dispose(): void }[] = [];
  private readonly didComplete = new vscode.EventEmitter<CompletionResult & { uri: string }>();
  /** Fires after each completion is returned (tests wait on it). */
  readonly onDidComplete = this.didComplete.event;

  constructor(
    private readonly engine: CompletionEngine,
    private readonly settings: Settings,
    private readonly last: LastCompletion,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // Every outcome goes to the log with its reason; failures at error level, the rest at debug (keystroke rate).
    this.subs.push(
      engine.outcomes.onRecord((doc, o) => {
        const line = `completion ${o.reason}${o.detail ? `: ${o.detail}` : ''} (${vscode.Uri.parse(doc).path.split('/').pop()})`;
        if (o.reason === 'error') this.log.error(line);
        else this.log.debug(line);
      }),
    );
  }

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const cfg = this.settings.value;
    const doc = document.uri.toString();
    const explicit = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
    if (!explicit && !cfg.completion.autoTrigger) return this.skip(doc, 'auto-trigger-off');
    // While the suggest widget is open its selection decides; our ghost text would fight it.
    if (context.selectedCompletionInfo && !explicit) return this.skip(doc, 'suggest-widget');
    this.stats.requests++;
    const offset = document.offsetAt(position);
    const text = document.getText();
    const started = Date.now();
    let result: CompletionResult | undefined;
    try {
      result = await this.engine.complete(
        {
          doc,
          languageId: document.languageId,
          before: text.slice(0, offset),
          after: text.slice(offset),
          explicit,
          path: vscode.workspace.asRelativePath(document.uri),
          repo: vscode.workspace.name,
        },
        token,
      );
    } catch (e) {
      this.engine.outcomes.record(doc, 'error', e instanceof Error ? e.message : String(e));
      return undefined;
    }
    if (!result || token.isCancellationRequested) {
      if (result) this.engine.outcomes.record(doc, 'cancelled');
      this.stats.cancelled++;
      return undefined;
    }
    if (result.source === 'cache') this.stats.fromCache++;
    else this.stats.fromModel++;
    if (result.texts.length === 0) this.stats.empty++;
    this.logTiming(result, started);
    return this.items(result, document, position, offset);
  }

  /** Records and logs why there is no completion. */
  private skip(doc: string, reason: CompletionReason): undefined {
    this.engine.outcomes.record(doc, reason);
    return undefined;
  }

  private logTiming(result: CompletionResult, started: number): void {
    const c0 = result.candidates[0];
    this.log.debug(
      `completion ${result.source} ${Date.now() - started} ms, ${result.texts.length} candidate(s)` +
        (result.source === 'model' && c0
          ? `, prompt ${c0.stats.promptTokens} tok (${c0.stats.reusedTokens} reused), ${c0.stats.generatedTokens} generated, ${c0.stats.stopReason}`
          : ''),
    );
  }

  private items(result: CompletionResult, document: vscode.TextDocument, position: vscode.Position, offset: number) {
    const id = this.last.remember({
      doc: document.uri.toString(),
      offset: offset - result.typed,
      candidates: result.candidates,
      prompt: result.prompt,
    });
    this.didComplete.fire({ ...result, uri: document.uri.toString() });
    return result.texts.map((t) => {
      const index = Math.max(
        0,
        result.candidates.findIndex((c) => c.text.slice(result.typed) === t),
      );
      const item = new vscode.InlineCompletionItem(t, new vscode.Range(position, position));
      item.command = { command: ACCEPTED_COMMAND, title: 'Accepted', arguments: [id, index, t, document.uri, offset] };
      return item;
    });
  }

  /** Feeds the extra-context ring buffer from an editor the user is working in. */
  observe(editor: vscode.TextEditor | undefined): void {
    if (!editor || editor.document.uri.scheme === 'output') return;
    const cfg = this.settings.value.context;
    if (!cfg.extraChunks) return;
    const doc = editor.document;
    const chunk = chunkAround(doc.getText(), editor.selection.active.line, cfg.chunkLines);
    if (chunk) this.engine.ring.add({ doc: doc.uri.toString(), path: vscode.workspace.asRelativePath(doc.uri), text: chunk });
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.didComplete.dispose();
  }
}
