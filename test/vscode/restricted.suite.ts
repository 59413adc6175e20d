// Runs in an untrusted workspace (Restricted Mode): the model folder from the workspace settings must be
// ignored, since a model is code-like input; the user's own setting still applies.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { tokenscope, waitFor } from './helpers';

describe('Restricted Mode', () => {
  it('ignores the workspace model folder and uses the user setting', async () => {
    assert.equal(vscode.workspace.isTrusted, false, 'the workspace opened in Restricted Mode');
    const api = await tokenscope();
    const cfg = vscode.workspace.getConfiguration('tokenscope');
    const file = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, '.vscode', 'settings.json');
    const workspaceValue = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(file)))[
      'tokenscope.model.path'
    ] as string;
    assert.ok(workspaceValue, 'the test workspace sets tokenscope.model.path');
    // VS Code itself withholds it (package.json lists it under restrictedConfigurations) ...
    assert.equal(cfg.inspect<string>('model.path')?.workspaceValue, undefined);
    // ... and Tokenscope reads only the user value of it.
    assert.equal(api.settings.value.modelPath, '');
    // Other workspace settings still apply (only the model folder is restricted).
    assert.equal(api.settings.value.completion.debounceMs, 0);
    await waitFor(() => api.modelDir() !== undefined, 'the worker start');
    assert.notEqual(api.modelDir(), workspaceValue);

    // The same folder set in the user settings is used.
    await cfg.update('model.path', workspaceValue, vscode.ConfigurationTarget.Global);
    try {
      await waitFor(() => api.settings.value.modelPath === workspaceValue, 'the user setting to apply');
      await waitFor(() => api.modelDir() === workspaceValue, 'the worker to restart on the user setting');
    } finally {
      await cfg.update('model.path', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
