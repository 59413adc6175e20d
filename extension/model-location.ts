// Where the bundled default model lives: media/models/<name>/ (config.json + onnx/). No vscode import.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A folder with config.json and at least one .onnx file under onnx/ (a model still being exported has none). */
export function isModelFolder(dir: string): boolean {
  const onnx = join(dir, 'onnx');
  return existsSync(join(dir, 'config.json')) && existsSync(onnx) && readdirSync(onnx).some((f) => f.endsWith('.onnx'));
}

/** The bundled model folder, or undefined when the build has none. A folder named "default" wins. */
export function defaultModelDir(extensionPath: string): string | undefined {
  const root = join(extensionPath, 'media', 'models');
  if (!existsSync(root)) return undefined;
  const names = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isModelFolder(join(root, d.name)))
    .map((d) => d.name)
    .sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
  return names.length ? join(root, names[0]) : undefined;
}
