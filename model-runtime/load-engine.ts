// Picks the engine for a load: a remote server when the load names one, a GGUF file on llama.cpp, else the
// model folder in the transformers.js ONNX layout (onnx/*.onnx) on onnxruntime.
import type { Engine, EngineOptions } from './engine';
import { isGgufPath, loadGgufEngine } from './gguf/load';
import { loadOnnxEngine } from './onnx/load';
import { loadRemoteEngine } from './remote/load';

export async function loadEngine(dir: string, opts: EngineOptions = {}): Promise<Engine> {
  if (opts.remote) {
    await opts.beforeOpen?.();
    return loadRemoteEngine(opts.remote);
  }
  if (isGgufPath(dir)) return loadGgufEngine(dir, opts);
  return loadOnnxEngine(dir, opts);
}
