// Host side of the tokenizer view: tokenizes the editor selection (or the current line) with the
// model's tokenizer and shows the pieces, their ids and byte tokens. Follows the selection.
import * as vscode from 'vscode';
import type { TokenizerHostToView, TokenizerViewToHost } from '../../webview/protocol';
import type { ViewDeps } from '../runtime-port';
import { webviewHtml, webviewOptions } from '../webview-html';

export const TOKENIZER_VIEW_ID = 'tokenscope.tokenizer';
const MAX_CHARS = 4000;

export class TokenizerViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly subs: vscode.Disposable[] = [];
  readonly onDidPost = new vscode.EventEmitter<TokenizerHostToView>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly deps: ViewDeps,
  ) {
    this.subs.push(
      vscode.window.onDidChangeTextEditorSelection(() => this.schedule()),
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = webviewOptions(this.context.extensionUri);
    view.webview.html = webviewHtml(view.webview, this.context.extensionUri, 'tokenizer', 'Tokenscope Tokenizer');
    view.webview.onDidReceiveMessage((m: TokenizerViewToHost) => {
      if (m.type === 'ready') this.schedule(0);
      else void this.tokenize(m.text, 'typed text');
    });
    view.onDidChangeVisibility(() => view.visible && this.schedule(0));
    view.onDidDispose(() => (this.view = undefined));
  }

  private post(m: TokenizerHostToView): void {
    void this.view?.webview.postMessage(m);
    this.onDidPost.fire(m);
  }

  private schedule(ms = 150): void {
    if (!this.view?.visible) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.fromEditor(), ms);
  }

  async fromEditor(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return this.post({ type: 'empty', reason: 'Open a file and select some text to see its tokens.' });
    const sel = editor.selection;
    const text = sel.isEmpty ? editor.document.lineAt(sel.active.line).text : editor.document.getText(sel);
    if (!text) return this.post({ type: 'empty', reason: 'Select some text to see how the model splits it into tokens.' });
    await this.tokenize(text.slice(0, MAX_CHARS), sel.isEmpty ? `line ${sel.active.line + 1}` : 'selection');
  }

  async tokenize(text: string, source: string): Promise<void> {
    try {
      const tokens = await this.deps.runtime.tokenize(text);
      this.post({ type: 'tokens', source, text, tokens });
    } catch (err) {
      this.post({ type: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const s of this.subs) s.dispose();
    this.onDidPost.dispose();
  }
}
