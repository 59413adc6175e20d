// Where the bundled default model lives: media/models/<name>/ (config.json + onnx/). No vscode import.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The bundled model folder, or undefined when the build has none. A folder named "default" wins. */
export function defaultModelDir(extensionPath: string): string | undefined {
  const root = join(extensionPath, 'media', 'models');
  if (!existsSync(root)) return undefined;
  const names = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'config.json')) && existsSync(join(root, d.name, 'onnx')))
    .map((d) => d.name)
    .sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
  return names.length ? join(root, names[0]) : undefined;
}
