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
    vscode.commands.registerCommand('tokenscope.chat.askAboutSelection', askAboutSelection),
    /** For tests: the conversation as stored. */
    vscode.commands.registerCommand('tokenscope.chat.history', () => instance?.history()),
  );
  return instance;
}

/**
 * Sends the selection (or the whole file when nothing is selected) to the chat with a question, as one user
 * message: the question, then the code in a fenced block naming the file and lines.
 */
async function askAboutSelection(question?: string): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return void vscode.window.showInformationMessage('Tokenscope: open a file to ask about it.');
  const doc = editor.document;
  const sel = editor.selection;
  const range = sel.isEmpty ? new vscode.Range(0, 0, doc.lineCount, 0) : sel;
  const where = `${vscode.workspace.asRelativePath(doc.uri)}${sel.isEmpty ? '' : `:${sel.start.line + 1}-${sel.end.line + 1}`}`;
  const q = question ?? (await vscode.window.showInputBox({ title: `Tokenscope: ask about ${where}`, prompt: 'Your question' }));
  if (!q) return;
  await vscode.commands.executeCommand('tokenscope.chat.focus');
  const fence = '```';
  await instance?.send(`${q}\n\n${where}:\n${fence}${doc.languageId}\n${doc.getText(range).replace(/\n$/, '')}\n${fence}`);
}
