// Whether keys/values can stay on the GPU between steps: runs two chained steps, feeding the GPU-held
// presents of the first back as the pasts of the second. Where that fails, the engine keeps them on the CPU.
import * as ort from 'onnxruntime-node';
import type { ModelFolder } from '../model-folder';
import { checkSignature, type SignatureInfo } from './signature';

type Feeds = Record<string, ort.Tensor>;

/** Runs two chained steps; returns why they failed, or undefined when they worked. */
export async function probeGpuChain(session: ort.InferenceSession, folder: ModelFolder): Promise<string | undefined> {
  let past: Feeds = {};
  try {
    const sig = checkSignature(folder.onnxPath, folder.arch, session.inputNames, session.outputNames, session.inputMetadata);
    past = emptyPasts(folder, sig);
    for (let step = 0; step < 2; step++) {
      const out = await session.run({ ...past, ...stepInputs(sig, step) });
      disposeGpu(past);
      past = {};
      for (let i = 0; i < folder.arch.layers; i++)
        for (const kv of ['key', 'value']) past[`past_key_values.${i}.${kv}`] = out[`present.${i}.${kv}`];
      if (!(out.logits.data as Float32Array).every((x) => Number.isFinite(x))) return 'non-finite logits';
    }
    return undefined;
  } catch (e) {
    return String((e as Error).message).split('\n')[0];
  } finally {
    disposeGpu(past);
  }
}

function emptyPasts(folder: ModelFolder, sig: SignatureInfo): Feeds {
  const a = folder.arch;
  const past: Feeds = {};
  const empty = () => (sig.kvType === 'float16' ? (new Uint16Array(0) as unknown as Float32Array) : new Float32Array(0));
  for (let i = 0; i < a.layers; i++)
    for (const kv of ['key', 'value'])
      past[`past_key_values.${i}.${kv}`] = new ort.Tensor(sig.kvType as 'float32', empty(), [1, a.kvHeads, 0, a.headDim]);
  return past;
}

/** Token 0 at position `step`, after `step` cached ones. */
function stepInputs(sig: SignatureInfo, step: number): Feeds {
  const feeds: Feeds = {
    input_ids: new ort.Tensor('int64', BigInt64Array.of(0n), [1, 1]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(step + 1).fill(1n), [1, step + 1]),
  };
  if (sig.hasPositionIds) feeds.position_ids = new ort.Tensor('int64', BigInt64Array.of(BigInt(step)), [1, 1]);
  if (sig.logitsToKeep) feeds[sig.logitsToKeep] = new ort.Tensor('int64', BigInt64Array.of(1n), []);
  return feeds;
}

function disposeGpu(feeds: Feeds): void {
  for (const t of Object.values(feeds)) if (t.location === 'gpu-buffer') t.dispose();
}
