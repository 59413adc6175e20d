// The folder `npm start` opens: a copy of samples/ with workspace settings that point at the model (when no
// default model is bundled) and keep VS Code's own chat out of sight, so the only chat on screen is Tokenscope's.
// Both chat settings are window-scoped in VS Code 1.139 (code-server 4.139.1), so a workspace may set them.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
/** `.vscode/settings.json` of the playground. `modelDir`: set when the extension has no bundled default model. */
export function playgroundSettings(modelDir) {
  return {
    // Hides the built-in chat (its view, title-bar and status-bar entries, the setup prompts).
    'chat.disableAIFeatures': true,
    // The secondary side bar (where the built-in chat lives) opens by default in a workspace: keep it closed.
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    ...(modelDir ? { 'tokenscope.model.path': modelDir } : {}),
  };
}

/** The `--port N` flag: a TCP port, or undefined for a free one; throws a plain message on a bad value. */
export function portFlag(argv) {
  const i = argv.indexOf('--port');
  if (i < 0) return undefined;
  const port = Number(argv[i + 1]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`--port needs a port number (1-65535), got ${argv[i + 1] ?? 'nothing'}`);
  return port;
}

/** Merges `settings` into a user settings.json (created when missing; an unreadable one is replaced). */
export function writeUserSettings(file, settings) {
  let current = {};
  try {
    current = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    current = {};
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...current, ...settings }, null, 2) + '\n');
}
