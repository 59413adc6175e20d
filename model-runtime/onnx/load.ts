// Loads a model folder in the transformers.js ONNX layout as an engine: the folder and tokenizer, the
// architecture checked against the ONNX graph (before anything is sized by config.json's layer count), an
// onnxruntime session on the first execution provider that works (keys/values left on the GPU where two
// chained steps prove it works), the signature, and a RunnerEngine over an OnnxRunner.
import type { EngineOptions } from '../engine';
import { RuntimeError } from '../errors';
import { checkVocabulary, type ModelFolder, readModelFolder } from '../model-folder';
import type { ModelInfo } from '../protocol';
import { RunnerEngine } from '../runner-engine';
import { endOfSequenceIds } from '../stopping';
import { loadTokenizer, type Tokenizer, withFimFamily } from '../tokenizer';
import { probeGpuChain } from './gpu-probe';
import { checkGraphFacts } from './graph-facts';
import { type GraphIo, readGraphIo } from './graph-io';
import * as ort from 'onnxruntime-node';
import { onnxAnatomy } from './anatomy';
import { OnnxXray } from './xray';
import type { OnnxCache } from './kv-cache';
import { OnnxRunner } from './runner';
import { GPU_BUFFER_PROVIDERS, type OpenSession, openSession } from './session';
import { checkSignature, maskHoles, type SignatureInfo } from './signature';

export type OnnxEngine = RunnerEngine<OnnxCache> & { readonly runner: OnnxRunner };

export async function loadOnnxEngine(dir: string, opts: EngineOptions = {}): Promise<OnnxEngine> {
  const folder = readModelFolder(dir, { onnxFile: opts.onnxFile });
  const loaded = loadTokenizer(folder);
  const override = opts.fimFamily ? withFimFamily(loaded, opts.fimFamily) : undefined;
  const tokenizer = override?.tokenizer ?? loaded;
  if (override) folder.fimLayout = override.layout;
  checkVocabulary(folder, tokenizer);
  const io = checkGraph(folder);
  const anatomy = onnxAnatomy(folder, io);
  // The folder checked out: only now may the caller free the model it replaces.
  await opts.beforeOpen?.();
  const { session, provider } = await openModel(folder, opts, io.outputs.includes('present_rows.0.key'));
  let signature: SignatureInfo;
  try {
    signature = {
      ...checkSignature(folder.onnxPath, folder.arch, session.inputNames, session.outputNames, session.inputMetadata),
      maskHoles: maskHoles(io),
    };
  } catch (e) {
    await session.release().catch(() => undefined);
    throw e;
  }
  const info = modelInfo(folder, tokenizer);
  const a = folder.arch;
  const runner = new OnnxRunner(session, signature, {
    contextLength: info.contextLength,
    // 256 tokens per run: a cancel lands between runs, so this bounds how long a stale prefill can block
    // the queue; it costs little (attention over a chunk even computes less than the full square).
    prefillChunk: opts.prefillChunk ?? (signature.logitsToKeep ? 256 : 128),
    // 4 drafts: a run of 5 tokens costs about 1.5 runs of one on the CPU, so one accepted draft pays for it.
    // On a GPU the keys/values cannot be cut back, so a rejected draft would cost a re-prefill: off there.
    draftTokens: GPU_BUFFER_PROVIDERS.has(provider.active) ? 0 : Math.max(0, Math.floor(opts.draftTokens ?? 4)),
    kv: { layers: a.layers, kvHeads: a.kvHeads, headDim: a.headDim },
  });
  const addBos = folder.tokenizerConfig.add_bos_token === true;
  const c = folder.config;
  const eps = [c.rms_norm_eps, c.layer_norm_epsilon].find((e): e is number => typeof e === 'number') ?? 1e-5;
  const openXray = () => OnnxXray.open(ort, folder.onnxPath, { layers: a.layers, kvHeads: a.kvHeads, headDim: a.headDim, eps });
  return new RunnerEngine({ info, provider, tokenizer, runner, addBos, anatomy, openXray }) as OnnxEngine;
}

/**
 * config.json's architecture against the graph's own inputs and outputs, read from the file: a layer or head
 * count that does not match fails here, naming the file, instead of sizing anything by it. Only the inputs
 * the runtime feeds are checked here; the session's full signature is checked once it is open.
 */
function checkGraph(folder: ModelFolder): GraphIo {
  let io: ReturnType<typeof readGraphIo>;
  try {
    io = readGraphIo(folder.onnxPath);
  } catch (e) {
    throw new RuntimeError(
      'onnx-signature',
      `${folder.onnxPath}: cannot be loaded (not an ONNX model: ${(e as Error).message})`,
      folder.onnxPath,
    );
  }
  const fed =
    /^(input_ids|attention_mask|position_ids|num_logits_to_keep|logits_to_keep|use_cache_branch|past_key_values\.\d+\.(key|value))$/;
  const inputs = io.inputs.filter((m) => fed.test(m.name));
  checkSignature(
    folder.onnxPath,
    folder.arch,
    inputs.map((m) => m.name),
    io.outputs,
    inputs,
  );
  checkGraphFacts(folder.onnxPath, folder.arch, io);
  return io;
}

/** Opens the session; on a GPU-buffer provider, keeps keys/values on the GPU only where two chained steps work. */
async function openModel(folder: ModelFolder, opts: EngineOptions, newRowsOnly: boolean): Promise<OpenSession> {
  const presents: string[] = [];
  for (let i = 0; i < folder.arch.layers; i++) presents.push(`present.${i}.key`, `present.${i}.value`);
  const open = async (o: Parameters<typeof openSession>[1]) => {
    try {
      return await openSession(folder.onnxPath, o);
    } catch (e) {
      throw new RuntimeError(
        'onnx-signature',
        `${folder.onnxPath}: cannot be loaded by onnxruntime (${(e as Error).message})`,
        folder.onnxPath,
      );
    }
  };
  // New rows are copied into the cache's own buffers: they come back to the CPU.
  const opened = await open(newRowsOnly ? opts : { ...opts, gpuOutputs: presents });
  if (!GPU_BUFFER_PROVIDERS.has(opened.provider.active) || opened.provider.notes) return opened;
  if (newRowsOnly)
    return { ...opened, provider: { ...opened.provider, notes: ['keys/values kept on the CPU: the export returns new rows only'] } };
  const why = await probeGpuChain(opened.session, folder);
  if (!why) return { ...opened, provider: { ...opened.provider, notes: ['keys/values stay on the GPU between steps'] } };
  await opened.session.release().catch(() => undefined);
  const again = await open({ ...opts, providers: [opened.provider.active] });
  return { session: again.session, provider: { ...opened.provider, notes: [`keys/values kept on the CPU: ${why}`] } };
}

function modelInfo(folder: ModelFolder, tokenizer: Tokenizer): ModelInfo {
  const a = folder.arch;
  return {
    name: folder.name,
    dir: folder.dir,
    architecture: a.modelType,
    layers: a.layers,
    contextLength: a.maxPositions,
    vocabSize: a.vocabSize,
    supportsFim: !!tokenizer.fim,
    onnxFile: folder.onnxFile,
    heads: a.heads,
    kvHeads: a.kvHeads,
    headDim: a.headDim,
    eosIds: endOfSequenceIds(folder.specials.eos, tokenizer),
    bosId: folder.specials.bos,
    padId: folder.specials.pad,
    fim: tokenizer.fim,
    fimLayout: folder.fimLayout,
    tokenizer: tokenizer.kind,
  };
}
