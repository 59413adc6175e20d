// Tokenscope: Choose GGUF Model…: the GGUF files already on this machine (Ollama, LM Studio, the Hugging Face
// cache; model-runtime/gguf/discover.ts) and any .gguf the user points at, for the completion model or the chat's.
import * as vscode from 'vscode';
import { type FoundModel, findGgufModels } from '../../model-runtime/gguf/discover';
import { formatBytes } from '../hub/progress-text';
import { applyChoice } from '../settings';

const SOURCE_LABEL: Record<FoundModel['source'], string> = { ollama: 'Ollama', 'lm-studio': 'LM Studio', 'hf-cache': 'Hugging Face cache' };

type Item = vscode.QuickPickItem & { path?: string; browse?: true };

export function registerGgufPicker(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('tokenscope.chooseGgufModel', async (role?: 'completion' | 'chat') => {
      const path = await pickGguf(log);
      if (!path) return;
      const target = role ?? (await pickRole());
      if (!target) return;
      const cfg = vscode.workspace.getConfiguration('tokenscope');
      await applyChoice(target === 'chat' ? 'chat.modelPath' : 'model.path', path);
      if (target === 'completion' && cfg.get('model.backend') === 'remote') await applyChoice('model.backend', 'local');
      log.info(`gguf: tokenscope.${target === 'chat' ? 'chat.modelPath' : 'model.path'} = ${path}`);
    }),
  );
}

/** A found model or a browsed file; undefined when the user dismissed the picker. */
async function pickGguf(log: vscode.LogOutputChannel): Promise<string | undefined> {
  const found = findGgufModels();
  log.info(`gguf: found ${found.length} GGUF model(s) on this machine`);
  const items: Item[] = [
    { label: '$(file) Browse for a .gguf File…', browse: true },
    ...found.map((m) => ({
      label: m.name,
      description: `${SOURCE_LABEL[m.source]} · ${formatBytes(m.bytes)}`,
      detail: m.path,
      path: m.path,
    })),
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Tokenscope: GGUF model (runs on llama.cpp)',
    placeHolder: found.length ? 'Models found in Ollama, LM Studio and the Hugging Face cache' : 'No GGUF models found on this machine',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!pick?.browse) return pick?.path;
  const files = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: false,
    filters: { 'GGUF model': ['gguf'] },
    title: 'Tokenscope: GGUF model file',
  });
  return files?.[0]?.fsPath;
}

async function pickRole(): Promise<'completion' | 'chat' | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      {
        label: 'Completions',
        description: 'tokenscope.model.path: inline completions and the inspector (a base model)',
        role: 'completion' as const,
      },
      { label: 'Chat', description: 'tokenscope.chat.modelPath: the chat panel (an instruct model)', role: 'chat' as const },
    ],
    { title: 'Tokenscope: use this model for' },
  );
  return pick?.role;
}
