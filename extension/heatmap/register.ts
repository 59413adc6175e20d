// Heatmap commands: colour by rank (GLTR), colour by probability, clear. After an edit the heatmap
// re-colours by itself (heatmap.ts).
import * as vscode from 'vscode';
import type { ViewDeps } from '../runtime-port';
import { Heatmap, type HeatmapMode } from './heatmap';

let instance: Heatmap | undefined;

export function heatmap(): Heatmap | undefined {
  return instance;
}

export function registerHeatmap(context: vscode.ExtensionContext, deps: ViewDeps): Heatmap {
  instance = new Heatmap(deps);
  const run = async (mode: HeatmapMode) => {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return void vscode.window.showInformationMessage('Tokenscope: open a file to colour by surprise.');
    try {
      // show() says in the status bar how many tokens it coloured and what the colours mean.
      return await instance!.show(editor, mode);
    } catch (err) {
      void vscode.window.showErrorMessage(`Tokenscope heatmap: ${err instanceof Error ? err.message : String(err)}`);
      return 0;
    }
  };
  context.subscriptions.push(
    instance,
    vscode.commands.registerCommand('tokenscope.heatmap.show', () => run('rank')),
    vscode.commands.registerCommand('tokenscope.heatmap.showProbability', () => run('probability')),
    vscode.commands.registerCommand('tokenscope.heatmap.clear', () => instance?.clear(vscode.window.activeTextEditor?.document)),
    /** For tests: how many positions are coloured in the active editor. */
    vscode.commands.registerCommand('tokenscope.heatmap.count', () =>
      vscode.window.activeTextEditor ? instance?.count(vscode.window.activeTextEditor.document) : 0,
    ),
  );
  return instance;
}
