// The status bar item: what the model worker is doing. Text is short; the tooltip has the details, and links
// to act on when the worker stopped for good (Restart, Show Log).
import * as vscode from 'vscode';
import { describeState, type RuntimeState } from './runtime-state';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  /** Shown only while the chat has a model of its own. */
  private readonly chatItem: vscode.StatusBarItem;
  private chatShown = false;

  constructor() {
    this.item = vscode.window.createStatusBarItem('tokenscope.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Tokenscope';
    this.item.command = 'tokenscope.showMenu';
    this.item.show();
    this.chatItem = vscode.window.createStatusBarItem('tokenscope.chatStatus', vscode.StatusBarAlignment.Right, 99);
    this.chatItem.name = 'Tokenscope chat model';
    this.chatItem.command = 'tokenscope.chat.focus';
  }

  /** The chat's own model, or nothing when the chat shares the completion model. */
  updateChat(state: RuntimeState | undefined): void {
    this.chatShown = !!state;
    if (!state) return this.chatItem.hide();
    const d = describeState(state);
    this.chatItem.text = `$(comment-discussion) ${d.text.replace(/^\$\([^)]*\) /, '')}`;
    this.chatItem.tooltip = `Chat model: ${d.tooltip}`;
    this.chatItem.backgroundColor = d.severity ? new vscode.ThemeColor(`statusBarItem.${d.severity}Background`) : undefined;
    this.chatItem.show();
  }

  /** For tests: the chat item's text while shown. */
  get chatText(): string | undefined {
    return this.chatShown ? this.chatItem.text : undefined;
  }

  update(state: RuntimeState, autoTrigger: boolean): void {
    const d = describeState(state, autoTrigger);
    this.item.text = d.text;
    this.item.command = d.command ?? 'tokenscope.showMenu';
    this.item.tooltip = d.actions ? withActions(d.tooltip, d.actions) : d.tooltip;
    this.item.backgroundColor = d.severity ? new vscode.ThemeColor(`statusBarItem.${d.severity}Background`) : undefined;
  }

  /** For tests: what the item shows now, and what a click runs. */
  get text(): string {
    return this.item.text;
  }

  get command(): string | undefined {
    return typeof this.item.command === 'string' ? this.item.command : this.item.command?.command;
  }

  dispose(): void {
    this.item.dispose();
    this.chatItem.dispose();
  }
}

function withActions(text: string, actions: { title: string; command: string }[]): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendText(text);
  md.appendMarkdown(`\n\n${actions.map((a) => `[${a.title}](command:${a.command})`).join(' · ')}`);
  md.isTrusted = { enabledCommands: actions.map((a) => a.command) };
  return md;
}
