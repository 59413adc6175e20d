// Registers the chat view and its commands.
import * as vscode from 'vscode';
import type { InspectorInput } from '../inspector/inspector-panel';
import type { ViewDeps } from '../runtime-port';
import { CHAT_VIEW_ID, ChatViewProvider } from './chat-view';

let instance: ChatViewProvider | undefined;

export function chatView(): ChatViewProvider | undefined {
  return instance;
}

export function registerChat(
  context: vscode.ExtensionContext,
  deps: ViewDeps & { openInspector: (input: InspectorInput) => void },
): ChatViewProvider {
  instance = new ChatViewProvider(context, deps, deps.openInspector);
  context.subscriptions.push(
    vscode.window.registerWebviewViewProvider(CHAT_VIEW_ID, instance, { webviewOptions: { retainContextWhenHidden: true } }),
    vscode.commands.registerCommand('tokenscope.chat.clear', () => instance?.clear()),
    /** For tests: the conversation as stored. */
    vscode.commands.registerCommand('tokenscope.chat.history', () => instance?.history()),
  );
  return instance;
}
