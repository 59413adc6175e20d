// Registers the tokenizer view and the command that reveals it.
import * as vscode from 'vscode';
import type { ViewDeps } from '../runtime-port';
import { TOKENIZER_VIEW_ID, TokenizerViewProvider } from './tokenizer-view';

export function registerTokenizerView(context: vscode.ExtensionContext, deps: ViewDeps): TokenizerViewProvider {
  const provider = new TokenizerViewProvider(context, deps);
  context.subscriptions.push(
    provider,
    vscode.window.registerWebviewViewProvider(TOKENIZER_VIEW_ID, provider),
    vscode.commands.registerCommand('tokenscope.showTokenizer', async () => {
      await vscode.commands.executeCommand(`${TOKENIZER_VIEW_ID}.focus`);
      await provider.fromEditor();
    }),
  );
  return provider;
}
