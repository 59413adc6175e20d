// Reads extension/config.ts's settings from vscode, keeps the current value, and warns once about each
// invalid value. Workspace Trust: in Restricted Mode the model folder comes from user settings only.
import * as vscode from 'vscode';
import { readConfig, SECTION, type TokenscopeConfig } from './config';

export class Settings implements vscode.Disposable {
  private current: TokenscopeConfig;
  private warned = new Set<string>();
  private readonly emitter = new vscode.EventEmitter<{ previous: TokenscopeConfig; current: TokenscopeConfig }>();
  readonly onDidChange = this.emitter.event;
  private readonly subs: vscode.Disposable[] = [];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.current = this.read();
    this.subs.push(
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration(SECTION) && this.reload()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.reload()),
    );
  }

  get value(): TokenscopeConfig {
    return this.current;
  }

  private read(): TokenscopeConfig {
    const cfg = vscode.workspace.getConfiguration(SECTION);
    const { config, warnings } = readConfig(
      { get: (k) => cfg.get(k), userValue: (k) => cfg.inspect(k)?.globalValue },
      vscode.workspace.isTrusted,
    );
    for (const w of warnings) {
      if (this.warned.has(w)) continue;
      this.warned.add(w);
      this.log.warn(w);
      void vscode.window.showWarningMessage(`Tokenscope: ${w}`);
    }
    if (!vscode.workspace.isTrusted && cfg.inspect('model.path')?.workspaceValue) {
      this.log.warn('Restricted Mode: ignoring tokenscope.model.path from the workspace settings (a model is code-like input).');
    }
    return config;
  }

  private reload(): void {
    const previous = this.current;
    this.current = this.read();
    this.emitter.fire({ previous, current: this.current });
  }

  dispose(): void {
    this.emitter.dispose();
    for (const s of this.subs) s.dispose();
  }
}

/**
 * Sets a setting the user chose in a command (a model picked, a backend switched): in the user settings, and
 * also where a workspace sets it, since a workspace value would otherwise hide the choice.
 */
export async function applyChoice(key: string, value: unknown): Promise<void> {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  await cfg.update(key, value, vscode.ConfigurationTarget.Global);
  const where = cfg.inspect(key);
  if (where?.workspaceValue !== undefined) await cfg.update(key, value, vscode.ConfigurationTarget.Workspace);
  if (where?.workspaceFolderValue !== undefined) await cfg.update(key, value, vscode.ConfigurationTarget.WorkspaceFolder);
}
