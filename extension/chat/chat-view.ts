// Host side of the chat view: the conversation (kept per workspace), streaming a reply from the
// runtime, stop/regenerate/clear, copy and insert-at-cursor for code blocks, and opening any reply
// in the inspector.
import * as vscode from 'vscode';
import type { Prompt, TokenStep } from '../../model-runtime/protocol';
import type { ChatHostToView, ChatMessage, ChatViewToHost } from '../../webview/protocol';
import { TOP_N, type InspectorInput } from '../inspector/inspector-panel';
import type { ViewDeps } from '../runtime-port';
import { webviewHtml, webviewOptions } from '../webview-html';
import {
  chatFormatFor,
  chatPrompt,
  cleanReply,
  formatLabel,
  templateErrorMessage,
  transcriptFormat,
} from '../../model-runtime/chat-template';

const STORE_KEY = 'tokenscope.chat.messages';
export const CHAT_VIEW_ID = 'tokenscope.chat';

export class ChatViewProvider implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  private messages: ChatMessage[];
  private busy: AbortController | undefined;
  /** Per-token data of this session's replies, by generation id, for the inspector. */
  private readonly traces = new Map<number, { prompt: string; steps: TokenStep[] }>();
  readonly onDidPost = new vscode.EventEmitter<ChatHostToView>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly deps: ViewDeps,
    private readonly openInspector: (input: InspectorInput) => void,
  ) {
    this.messages = context.workspaceState.get<ChatMessage[]>(STORE_KEY) ?? [];
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.webview.options = webviewOptions(this.context.extensionUri);
    view.webview.html = webviewHtml(view.webview, this.context.extensionUri, 'chat', 'Tokenscope Chat');
    view.webview.onDidReceiveMessage((m: ChatViewToHost) => void this.onMessage(m));
    view.onDidDispose(() => (this.view = undefined));
  }

  history(): ChatMessage[] {
    return [...this.messages];
  }

  private post(msg: ChatHostToView): void {
    void this.view?.webview.postMessage(msg);
    this.onDidPost.fire(msg);
  }

  private format() {
    const model = this.deps.runtime.model();
    return chatFormatFor(model?.dir, model?.chatTemplate);
  }

  /** A remote server applies its own chat template: it gets the messages, not a rendered prompt. */
  private remote(): boolean {
    return this.deps.runtime.model()?.architecture === 'remote';
  }

  private postHistory(): void {
    const templateName = this.remote() ? "the server's chat template" : formatLabel(this.format(), this.deps.runtime.model()?.name);
    this.post({ type: 'history', messages: this.messages, busy: !!this.busy, templateName });
  }

  private async save(): Promise<void> {
    await this.context.workspaceState.update(STORE_KEY, this.messages);
  }

  async send(text: string): Promise<void> {
    if (!text.trim() || this.busy) return;
    this.messages.push({ role: 'user', content: text });
    await this.save();
    this.postHistory();
    await this.reply();
  }

  private async reply(): Promise<void> {
    const abort = new AbortController();
    this.busy = abort;
    this.post({ type: 'reply-start' });
    let failure: string | undefined;
    try {
      // Inside the try: a template may raise (raise_exception in jinja), and the chat must say so.
      let req: ReturnType<typeof chatPrompt>;
      try {
        req = chatPrompt(this.deps.runtime.model(), this.messages);
      } catch (e) {
        failure = templateErrorMessage(e);
        return;
      }
      await this.stream(req.prompt, req.stop, abort);
    } catch (err) {
      failure = err instanceof Error ? err.message : String(err);
    } finally {
      this.busy = undefined;
      this.postHistory();
      // After the history, which clears the view's error box.
      if (failure) this.post({ type: 'error', message: failure });
    }
  }

  /** Generates the reply to `prompt`, streaming it to the view; keeps it and its token trace. */
  private async stream(prompt: Prompt, stop: string[], abort: AbortController): Promise<void> {
    const base = this.deps.sampling();
    const sampling = { ...base, maxTokens: Math.max(base.maxTokens, 192), stop: [...base.stop, ...stop] };
    const steps: TokenStep[] = [];
    let raw = '';
    const result = await this.deps.runtime.generate({
      prompt,
      sampling,
      topN: TOP_N,
      priority: 'interactive',
      signal: abort.signal,
      onToken: (step, delta) => {
        steps.push(step);
        raw += delta;
        // Show the text only up to a stop sequence that may be forming.
        this.post({ type: 'reply-delta', text: cleanReply(raw, stop) });
      },
    });
    const message: ChatMessage = { role: 'assistant', content: cleanReply(result.text || raw, stop), generationId: result.generationId };
    this.traces.set(result.generationId, { prompt: prompt.text ?? transcriptFormat().render(prompt.chat ?? []), steps });
    this.messages.push(message);
    await this.save();
    this.post({ type: 'reply-done', message, stopReason: result.stats.stopReason });
  }

  private async onMessage(m: ChatViewToHost): Promise<void> {
    switch (m.type) {
      case 'ready':
        return this.postHistory();
      case 'send':
        return this.send(m.text);
      case 'stop':
        this.busy?.abort();
        return;
      case 'regenerate': {
        if (this.busy) return;
        while (this.messages.length && this.messages[this.messages.length - 1].role === 'assistant') this.messages.pop();
        if (!this.messages.length) return this.postHistory();
        await this.save();
        this.postHistory();
        return this.reply();
      }
      case 'clear':
        return this.clear();
      case 'copy':
        await vscode.env.clipboard.writeText(m.text);
        void vscode.window.setStatusBarMessage('Tokenscope: code copied', 2000);
        return;
      case 'insert': {
        const editor =
          vscode.window.visibleTextEditors.find((e) => e === vscode.window.activeTextEditor) ?? vscode.window.visibleTextEditors[0];
        if (!editor) return void vscode.window.showWarningMessage('Tokenscope: open an editor to insert the code into.');
        await editor.edit((b) => {
          for (const s of editor.selections) b.replace(s, m.text);
        });
        return;
      }
      case 'inspect':
        return this.inspect(m.index);
    }
  }

  async clear(): Promise<void> {
    this.busy?.abort();
    this.messages = [];
    await this.save();
    this.postHistory();
  }

  inspect(index: number): void {
    const msg = this.messages[index];
    if (msg?.role !== 'assistant') return;
    const trace = msg.generationId !== undefined ? this.traces.get(msg.generationId) : undefined;
    if (trace)
      this.openInspector({
        prompt: trace.prompt,
        steps: trace.steps,
        generationId: msg.generationId,
        origin: 'chat',
        keeper: this.deps.runtime,
      });
    // A reply from an earlier session kept its text but not its token data: regenerate it in the inspector.
    else {
      try {
        this.openInspector({ prompt: this.format().render(this.messages.slice(0, index)) });
      } catch (e) {
        this.post({ type: 'error', message: templateErrorMessage(e) });
      }
    }
  }
}
