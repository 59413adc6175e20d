// Tokenscope: X-ray at Cursor: what each layer of the model would predict for the token after the cursor (the
// logit lens), and where each head's attention goes, from one run of the worker's X-ray session. On demand:
// the decode path never pays for it.
import * as vscode from 'vscode';
import type { XrayReport } from '../../model-runtime/protocol';
import type { XrayHostToView, XrayViewToHost } from '../../webview/protocol';
import { webviewHtml, webviewOptions } from '../webview-html';

const MAX_CHARS = 4000;

export interface XraySource {
  /** After a text, or before a kept generation's step. */
  xray(what: string | { generationId: number; step: number }, topK: number): Promise<XrayReport>;
}

export class XrayPanel implements vscode.Disposable {
  static readonly viewType = 'tokenscope.xray';
  private panel: vscode.WebviewPanel | undefined;
  private pending: XrayHostToView | undefined;
  /** What the panel last showed (tests read it). */
  last: XrayHostToView | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly source: XraySource,
  ) {}

  /** X-rays the position at the active editor's cursor. */
  async atCursor(): Promise<XrayHostToView | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('Tokenscope: open an editor and put the cursor where the next token goes.');
      return undefined;
    }
    const doc = editor.document;
    const end = doc.offsetAt(editor.selection.active);
    const text = doc.getText().slice(Math.max(0, end - MAX_CHARS), end);
    return this.run(text, `${vscode.workspace.asRelativePath(doc.uri)}:${editor.selection.active.line + 1}`);
  }

  /**
   * X-rays the token a kept generation drew at `step` (the inspector's selection): the context the model saw then,
   * asked of the worker that keeps the generation (the chat's own model for a chat reply).
   */
  atStep(keeper: XraySource, generationId: number, step: number, label: string): Promise<XrayHostToView> {
    return this.run({ generationId, step }, label, keeper);
  }

  private async run(what: Parameters<XraySource['xray']>[0], source: string, from = this.source): Promise<XrayHostToView> {
    this.show();
    this.post({ type: 'busy', source });
    try {
      return this.post({ type: 'xray', report: await from.xray(what, 5), source });
    } catch (e) {
      return this.post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  }

  private show(): void {
    if (this.panel) return this.panel.reveal(undefined, true);
    const panel = vscode.window.createWebviewPanel(
      XrayPanel.viewType,
      'X-ray',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      webviewOptions(this.context.extensionUri),
    );
    this.panel = panel;
    panel.webview.html = webviewHtml(panel.webview, this.context.extensionUri, 'xray', 'Tokenscope X-ray');
    const subs = [
      panel.webview.onDidReceiveMessage((m: XrayViewToHost) => {
        if (m.type === 'ready' && this.pending) void panel.webview.postMessage(this.pending);
      }),
      panel.onDidDispose(() => {
        this.panel = undefined;
        for (const s of subs) s.dispose();
      }),
    ];
  }

  private post(m: XrayHostToView): XrayHostToView {
    this.last = m;
    this.pending = m;
    void this.panel?.webview.postMessage(m);
    return m;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}

export function registerXray(context: vscode.ExtensionContext, source: XraySource): XrayPanel {
  const panel = new XrayPanel(context, source);
  context.subscriptions.push(
    panel,
    vscode.commands.registerCommand('tokenscope.xrayAtCursor', () => panel.atCursor()),
  );
  return panel;
}
