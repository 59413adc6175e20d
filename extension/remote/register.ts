// Commands for models that run elsewhere, and for lending ours: point Tokenscope at a remote server (its API
// key in SecretStorage, never in settings), go back to the local model, and start or stop Tokenscope's own
// OpenAI-compatible server on the extension's model worker (server/http-server.ts).
import * as vscode from 'vscode';
import { REMOTE_FLAVOURS, type RemoteSpec } from '../../model-runtime/remote/types';
import type { ModelRuntime } from '../../model-runtime/runtime';
import { type RunningServer, startServer } from '../../server/http-server';
import type { TokenscopeConfig } from '../config';
import type { Settings } from '../settings';

export const REMOTE_KEY_SECRET = 'tokenscope.remote.apiKey';
export const SERVER_KEY_SECRET = 'tokenscope.server.apiKey';

/** The load spec's remote part for the current settings, with the stored key. */
export async function remoteSpec(cfg: TokenscopeConfig, secrets: vscode.SecretStorage): Promise<RemoteSpec> {
  const r = cfg.remote;
  const apiKey = (await secrets.get(REMOTE_KEY_SECRET)) || undefined;
  return { flavour: r.flavour, baseUrl: r.baseUrl, model: r.model, apiKey, timeoutMs: r.timeoutMs, fimFamily: r.fimFamily || undefined };
}

async function setKey(secrets: vscode.SecretStorage, secret: string, what: string): Promise<void> {
  const key = await vscode.window.showInputBox({
    title: `Tokenscope: ${what} API key`,
    prompt: 'Empty removes the stored key.',
    password: true,
    ignoreFocusOut: true,
  });
  if (key === undefined) return;
  if (key) await secrets.store(secret, key);
  else await secrets.delete(secret);
}

/** Asks for the URL, the server's kind and the model, then switches the backend to it. */
async function useRemote(): Promise<void> {
  const cfg = vscode.workspace.getConfiguration('tokenscope');
  const baseUrl = await vscode.window.showInputBox({
    title: 'Tokenscope: remote server URL',
    value: cfg.get<string>('remote.baseUrl') || 'http://127.0.0.1:8080',
    validateInput: (v) => (/^https?:\/\/[^\s]+$/.test(v.trim()) ? undefined : 'An http:// or https:// URL'),
  });
  if (!baseUrl) return;
  const flavour = await vscode.window.showQuickPick([...REMOTE_FLAVOURS], { title: 'Tokenscope: which server is it?' });
  if (!flavour) return;
  const model = await vscode.window.showInputBox({
    title: 'Tokenscope: model name on the server (empty: the only one it serves)',
    value: cfg.get<string>('remote.model') ?? '',
  });
  if (model === undefined) return;
  const g = vscode.ConfigurationTarget.Global;
  await cfg.update('remote.baseUrl', baseUrl.trim(), g);
  await cfg.update('remote.flavour', flavour, g);
  await cfg.update('remote.model', model.trim(), g);
  await cfg.update('model.backend', 'remote', g);
}

/** Returns the running server's URL, if one runs (tests read it). */
export function registerRemote(
  context: vscode.ExtensionContext,
  deps: { runtime: ModelRuntime; settings: Settings; log: vscode.LogOutputChannel },
): { serverUrl(): string | undefined } {
  let server: RunningServer | undefined;
  const stop = async () => {
    await server?.close();
    server = undefined;
  };
  const start = async () => {
    await stop();
    const { host, port } = deps.settings.value.server;
    const apiKey = (await context.secrets.get(SERVER_KEY_SECRET)) || undefined;
    try {
      server = await startServer({ runtime: deps.runtime, host, port, apiKey, log: (m) => deps.log.error(`server: ${m}`) });
    } catch (e) {
      void vscode.window.showErrorMessage(`Tokenscope could not start its server on ${host}:${port}: ${(e as Error).message}`);
      return;
    }
    const url = server.url;
    deps.log.info(`server listening at ${url}${apiKey ? ' (API key required)' : ''}`);
    // Not awaited: the command is done once the server listens, whatever the user does with the message.
    void vscode.window.showInformationMessage(`Tokenscope serves its model at ${url}/v1`, 'Copy URL', 'Stop').then(async (pick) => {
      if (pick === 'Copy URL') await vscode.env.clipboard.writeText(`${url}/v1`);
      else if (pick === 'Stop' && server?.url === url) await stop();
    });
  };
  context.subscriptions.push(
    { dispose: () => void stop() },
    // A new or removed key applies at once: the running server restarts with it.
    context.secrets.onDidChange((e) => e.key === SERVER_KEY_SECRET && server && void start()),
    vscode.commands.registerCommand('tokenscope.useRemoteServer', useRemote),
    vscode.commands.registerCommand('tokenscope.useLocalModel', () =>
      vscode.workspace.getConfiguration('tokenscope').update('model.backend', 'local', vscode.ConfigurationTarget.Global),
    ),
    vscode.commands.registerCommand('tokenscope.setRemoteApiKey', () => setKey(context.secrets, REMOTE_KEY_SECRET, 'remote server')),
    vscode.commands.registerCommand('tokenscope.setServerApiKey', () => setKey(context.secrets, SERVER_KEY_SECRET, "Tokenscope server's")),
    vscode.commands.registerCommand('tokenscope.startServer', start),
    vscode.commands.registerCommand('tokenscope.stopServer', stop),
  );
  return { serverUrl: () => server?.url };
}
