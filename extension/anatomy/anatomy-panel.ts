// Tokenscope: Show Model Anatomy: a panel that draws the loaded model from its files (model-runtime/anatomy.ts,
// computed in the worker): the stack, each part's parameters, bytes and number format, the positional scheme.
// Redrawn when another model loads; restored after a reload by its serializer.
import * as vscode from 'vscode';
import type { Anatomy } from '../../model-runtime/anatomy';
import type { AnatomyHostToView, AnatomyViewToHost } from '../../webview/protocol';
import { webviewHtml, webviewOptions } from '../webview-html';

export interface AnatomySource {
  anatomy(): Promise<Anatomy>;
  /** Fires when another model finished loading. */
  onDidLoad(listener: () => void): { dispose(): void };
}

export class AnatomyPanel implements vscode.Disposable {
  static readonly viewType = 'tokenscope.anatomy';
  private panel: vscode.WebviewPanel | undefined;
  private readonly subs: { dispose(): void }[] = [];
  /** What the panel last showed (tests read it). */
  last: AnatomyHostToView | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly source: AnatomySource,
  ) {
    this.subs.push(source.onDidLoad(() => this.panel && void this.refresh()));
  }

  show(): void {
    if (this.panel) return this.panel.reveal();
    this.adopt(
      vscode.window.createWebviewPanel(
        AnatomyPanel.viewType,
        'Model Anatomy',
        vscode.ViewColumn.Beside,
        webviewOptions(this.context.extensionUri),
      ),
    );
  }

  /** Takes a new or restored panel: its HTML, its messages, its end. */
  adopt(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.options = webviewOptions(this.context.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.context.extensionUri, 'anatomy', 'Tokenscope Model Anatomy');
    const subs = [
      panel.webview.onDidReceiveMessage(
        (m: AnatomyViewToHost) => void (m.type === 'ready' || m.type === 'refresh' ? this.refresh() : undefined),
      ),
      panel.onDidDispose(() => {
        this.panel = undefined;
        for (const s of subs) s.dispose();
      }),
    ];
  }

  async refresh(): Promise<AnatomyHostToView> {
    let m: AnatomyHostToView;
    try {
      m = { type: 'anatomy', anatomy: await this.source.anatomy() };
    } catch (e) {
      m = { type: 'error', message: e instanceof Error ? e.message : String(e) };
    }
    this.last = m;
    void this.panel?.webview.postMessage(m);
    return m;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const s of this.subs) s.dispose();
  }
}

export function registerAnatomy(context: vscode.ExtensionContext, source: AnatomySource): AnatomyPanel {
  const panel = new AnatomyPanel(context, source);
  context.subscriptions.push(
    panel,
    vscode.commands.registerCommand('tokenscope.showAnatomy', async () => {
      panel.show();
      return panel.refresh();
    }),
    vscode.window.registerWebviewPanelSerializer(AnatomyPanel.viewType, {
      deserializeWebviewPanel: async (restored) => panel.adopt(restored),
    }),
  );
  return panel;
}
