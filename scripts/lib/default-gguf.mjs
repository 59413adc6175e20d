// The default model as a GGUF file (q8_0), for the bench's llama.cpp comparison and the real-VS-Code GGUF test:
// converted by training/convert_gguf.py into .artifacts/gguf/ on first use, and again when the model changes.
// Not shipped: the VSIX carries the ONNX model only.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The GGUF path, or an Error saying why it could not be made (no python3 with torch and onnx). */
export function defaultGguf(root, modelDir) {
  const out = join(root, '.artifacts', 'gguf', `${basename(modelDir)}-q8_0.gguf`);
  const source = join(modelDir, 'onnx', 'model_quantized.onnx');
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(source).mtimeMs) return out;
  const python = process.env.PYTHON || '/usr/bin/python3';
  const r = spawnSync(python, [join(root, 'training', 'convert_gguf.py'), '--model', modelDir, '--out', out, '--type', 'q8_0'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) return new Error(`training/convert_gguf.py failed: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
  return out;
}

// CLI (the bench): node scripts/lib/default-gguf.mjs <model folder>  ->  prints the GGUF path.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const out = defaultGguf(root, resolve(process.argv[2] ?? join(root, 'media', 'models', 'tokenscope-code')));
  if (out instanceof Error) {
    console.error(out.message);
    process.exit(1);
  }
  console.log(out);
}
