// Shared helpers for the extension-host suites (bundled into each suite).
import * as vscode from 'vscode';
import type { TokenscopeApi } from '../../extension/extension';

export const EXTENSION_ID = 'tokenscope.tokenscope';
/** The extension's folder (dist/, media/). */
export const EXTENSION_ROOT = vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath ?? '';

export async function tokenscope(): Promise<TokenscopeApi> {
  const ext = vscode.extensions.getExtension<TokenscopeApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed`);
  return ext.isActive ? ext.exports : ext.activate();
}

/** Polls until `fn` returns a truthy value. */
export async function waitFor<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 90_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function ready(api: TokenscopeApi): Promise<void> {
  await waitFor(
    () => api.runtime.state.kind === 'ready' || api.runtime.state.kind === 'busy',
    `the worker to be ready (state: ${JSON.stringify(api.runtime.state)})`,
  );
}

export function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder open');
  return vscode.Uri.joinPath(folder.uri, name);
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('tokenscope').update(key, value, vscode.ConfigurationTarget.Workspace);
}

export const automatic: vscode.InlineCompletionContext = {
  triggerKind: vscode.InlineCompletionTriggerKind.Automatic,
  selectedCompletionInfo: undefined,
};
export const invoked: vscode.InlineCompletionContext = {
  triggerKind: vscode.InlineCompletionTriggerKind.Invoke,
  selectedCompletionInfo: undefined,
};

export function tokenSource(): vscode.CancellationTokenSource {
  return new vscode.CancellationTokenSource();
}

/** Removes a value a command wrote to the user settings (model pickers write there as well as to the workspace). */
export async function clearUserSetting(key: string): Promise<void> {
  await vscode.workspace.getConfiguration('tokenscope').update(key, undefined, vscode.ConfigurationTarget.Global);
}
