// Inspector commands: open it on a prompt typed in, or on the editor's selection (or the text before
// the cursor). Other features call openInspector() with a prompt or a finished generation's steps.
import * as vscode from 'vscode';
import { type InspectorDeps, InspectorPanel, type InspectorInput } from './inspector-panel';

let instance: InspectorPanel | undefined;

/** Opens (or reveals) the inspector. With steps it shows them; with a prompt alone it generates. */
export function openInspector(input?: InspectorInput): void {
  if (!instance) throw new Error('The Tokenscope inspector is not registered yet.');
  instance.show(input);
}

/** The live panel, for tests and for the chat view. */
export function inspectorPanel(): InspectorPanel | undefined {
  return instance;
}

/** The prompt for "inspect selection": the selection, or up to 2000 characters before the cursor. */
export function promptFromEditor(editor: vscode.TextEditor | undefined): string | undefined {
  if (!editor) return undefined;
  const doc = editor.document;
  const sel = editor.selection;
  if (!sel.isEmpty) return doc.getText(sel);
  const end = doc.offsetAt(sel.active);
  return doc.getText(new vscode.Range(doc.positionAt(Math.max(0, end - 2000)), sel.active));
}

export function registerInspector(context: vscode.ExtensionContext, deps: InspectorDeps): { openInspector: typeof openInspector } {
  instance = new InspectorPanel(context, deps);
  context.subscriptions.push(
    instance,
    vscode.commands.registerCommand('tokenscope.openInspector', async (arg?: string | InspectorInput) => {
      if (typeof arg === 'object' && arg) return openInspector(arg);
      const prompt =
        typeof arg === 'string'
          ? arg
          : await vscode.window.showInputBox({
              title: 'Tokenscope: Inspect a Prompt',
              prompt: 'Prompt to generate from',
              value: promptFromEditor(vscode.window.activeTextEditor)?.slice(-400) ?? '',
            });
      if (prompt === undefined) return;
      openInspector({ prompt });
    }),
    vscode.commands.registerCommand('tokenscope.inspectSelection', () => {
      const prompt = promptFromEditor(vscode.window.activeTextEditor);
      if (!prompt?.trim())
        return void vscode.window.showInformationMessage('Tokenscope: select some text (or place the cursor after some) to inspect.');
      openInspector({ prompt });
    }),
    // A window reload brings the panel back (with its generations) instead of closing it.
    vscode.window.registerWebviewPanelSerializer(InspectorPanel.viewType, {
      deserializeWebviewPanel: async (panel) => instance?.restore(panel),
    }),
    /** For tests: what the inspector has asked of the runtime. */
    vscode.commands.registerCommand('tokenscope.inspector.stats', () => instance?.stats()),
  );
  return { openInspector };
}
