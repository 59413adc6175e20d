// The "Tokenscope" log output channel (View > Output > Tokenscope; the level is set from its menu).
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Tokenscope', { log: true });
  return channel;
}

/** The channel for activate(); disposed with the extension. */
export function createLog(context: vscode.ExtensionContext): vscode.LogOutputChannel {
  const c = log();
  context.subscriptions.push(c, { dispose: () => (channel = undefined) });
  return c;
}
