// The status bar item: what the model worker is doing. Text is short; the tooltip has the details.
import * as vscode from 'vscode';
import { describeState, type RuntimeState } from './runtime-state';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('tokenscope.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'Tokenscope';
    this.item.command = 'tokenscope.showMenu';
    this.item.show();
  }

  update(state: RuntimeState, autoTrigger: boolean): void {
    const d = describeState(state, autoTrigger);
    this.item.text = d.text;
    this.item.tooltip = d.tooltip;
    this.item.backgroundColor = state.kind === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }

  /** For tests: what the item shows now. */
  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
