// Loads a GGUF file as an engine: llama.cpp (node-llama-cpp) on the best backend the machine has, the file's
// own tokenizer, and a RunnerEngine over a GgufRunner, so prompts, stopping rules, kept generations, scoring
// and every sampling figure are the same code as for ONNX models.
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { Engine, EngineOptions } from '../engine';
import { RuntimeError } from '../errors';
import { FIM_FAMILIES } from '../fim-families';
import type { EmbeddedChatTemplate, ModelInfo, ProviderReport } from '../protocol';
import { endOfSequenceIds } from '../stopping';
import { ggufAnatomy } from './anatomy';
import { type Llama, openLlama, takeLlamaErrors } from './binding';
import { GgufEngine } from './gguf-engine';
import { GgufRunner } from './runner';
import { type Tokenizer, withFimFamily } from '../tokenizer';
import { GgufTokenizer } from './tokenizer';

/** Contexts beyond this are not allocated up front (a 32 k context of a 1.5 B model is ~1 GB of keys/values). */
export const GGUF_MAX_CONTEXT = 8192;

/** A .gguf file, or a file that starts with GGUF's magic (Ollama's blobs have no extension). */
export function isGgufPath(p: string): boolean {
  if (/\.gguf$/i.test(p)) return true;
  try {
    if (!statSync(p).isFile()) return false;
    const fd = openSync(p, 'r');
    try {
      const magic = Buffer.alloc(4);
      readSync(fd, magic, 0, 4, 0);
      return magic.toString('latin1') === 'GGUF';
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

export async function loadGgufEngine(file: string, opts: EngineOptions = {}): Promise<Engine> {
  checkFile(file);
  await opts.beforeOpen?.();
  const { llama, provider } = await openLlama(opts.providers);
  const model = await loadModel(llama, file);
  const own = new GgufTokenizer(model);
  const override = opts.fimFamily ? withFimFamily(own, opts.fimFamily) : undefined;
  const tokenizer = override?.tokenizer ?? own;
  const meta = model.fileInfo.metadata as unknown as Record<string, unknown>;
  const contextLength = Math.min(model.trainContextSize, GGUF_MAX_CONTEXT);
  // The anatomy reads the architecture's shape from the metadata once; the engine's facts come from it.
  const anatomy = ggufAnatomy(file, meta, model.fileInfo.tensorInfo ?? [], contextLength);
  const shape = anatomy.shape;
  const context = await model.createContext({
    contextSize: contextLength,
    sequences: 2,
    batchSize: 256,
    // Not 0 ("all the hardware supports"): measured here it ran 20x slower than the core count.
    threads: opts.threads ?? availableParallelism(),
  });
  const runner = new GgufRunner(
    context,
    {
      contextLength,
      vocabSize: tokenizer.vocabSize,
      prefillChunk: opts.prefillChunk ?? 256,
      bytesPerToken: shape.layers * shape.kvHeads * shape.headDim * 2 * 2, // keys and values, f16
    },
    () => model.dispose(),
  );
  const ggml = (meta.tokenizer as { ggml?: Record<string, unknown> } | undefined)?.ggml ?? {};
  const num = (k: string) => (typeof ggml[k] === 'number' ? (ggml[k] as number) : undefined);
  const eos = [num('eos_token_id'), num('eot_token_id'), num('eom_token_id')].filter((x): x is number => x !== undefined);
  const info: ModelInfo = {
    name: basename(file).replace(/\.gguf$/i, ''),
    dir: file,
    architecture: shape.architecture,
    layers: shape.layers,
    contextLength,
    vocabSize: tokenizer.vocabSize,
    supportsFim: !!tokenizer.fim,
    onnxFile: basename(file),
    heads: shape.heads,
    kvHeads: shape.kvHeads,
    headDim: shape.headDim,
    eosIds: endOfSequenceIds(eos, tokenizer),
    bosId: num('bos_token_id'),
    padId: num('padding_token_id'),
    fim: tokenizer.fim,
    fimLayout: override?.layout ?? FIM_FAMILIES.find((f) => f.name === tokenizer.fim?.family)?.layout ?? 'psm',
    tokenizer: tokenizer.kind,
    chatTemplate: embeddedTemplate(meta, tokenizer, num),
  };
  const addBos = ggml.add_bos_token === true;
  return new GgufEngine({ info, provider: withNotes(provider, llama), tokenizer, runner, addBos, anatomy });
}

/** tokenizer.chat_template with the text of its BOS and EOS tokens (templates print them). */
function embeddedTemplate(
  meta: Record<string, unknown>,
  tokenizer: Pick<Tokenizer, 'decode'>,
  num: (k: string) => number | undefined,
): EmbeddedChatTemplate | undefined {
  const template = (meta.tokenizer as { chat_template?: unknown } | undefined)?.chat_template;
  if (typeof template !== 'string' || !template.trim()) return undefined;
  const text = (id: number | undefined) => (id === undefined ? '' : tokenizer.decode([id]));
  return { template, bos: text(num('bos_token_id')), eos: text(num('eos_token_id')) };
}

function checkFile(file: string): void {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new Error('not a file');
    size = st.size;
  } catch (e) {
    throw new RuntimeError('model-folder', `${file}: cannot be read (${(e as Error).message})`, file);
  }
  if (size < 32) throw new RuntimeError('model-folder', `${file}: too short to be a GGUF file (${size} bytes)`, file);
}

async function loadModel(llama: Llama, file: string) {
  takeLlamaErrors();
  try {
    return await llama.loadModel({ modelPath: file, gpuLayers: 'auto' });
  } catch (e) {
    // llama.cpp's log lines reach JavaScript after the rejection: give them a moment.
    await new Promise((r) => setTimeout(r, 50));
    const cause = takeLlamaErrors().find((l) => /error/i.test(l) && !/failed to load model/i.test(l)) ?? (e as Error).message;
    throw new RuntimeError('model-folder', `${file}: llama.cpp cannot load it (${cause.replace(/^.*?error loading model:\s*/, '')})`, file);
  }
}

function withNotes(p: ProviderReport, llama: Llama): ProviderReport {
  const notes = [`llama.cpp ${llama.gpu ? `on ${llama.gpu}` : 'on the CPU'}; keys/values kept by llama.cpp`];
  return { ...p, notes };
}
