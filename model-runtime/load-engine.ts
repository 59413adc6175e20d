// Picks the engine for a load: a remote server when the load names one, else the model folder's format
// (the transformers.js ONNX layout, onnx/*.onnx; GGUF files will get their own engine here).
import type { Engine, EngineOptions } from './engine';
import { loadOnnxEngine } from './onnx/load';
import { loadRemoteEngine } from './remote/load';

export async function loadEngine(dir: string, opts: EngineOptions = {}): Promise<Engine> {
  if (opts.remote) {
    await opts.beforeOpen?.();
    return loadRemoteEngine(opts.remote);
  }
  return loadOnnxEngine(dir, opts);
}
