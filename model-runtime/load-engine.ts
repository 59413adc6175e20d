// Picks the engine for a model folder. Only the transformers.js ONNX layout (onnx/*.onnx) exists today;
// GGUF files (llama.cpp) and remote servers will each be recognised here and get their own engine.
import type { Engine, EngineOptions } from './engine';
import { loadOnnxEngine } from './onnx/load';

export async function loadEngine(dir: string, opts: EngineOptions = {}): Promise<Engine> {
  return loadOnnxEngine(dir, opts);
}
