// The decoder signature the runtime feeds, checked against an ONNX graph's inputs and outputs (from the
// file before it is opened, and from the onnxruntime session after): every mismatch with config.json is an
// 'onnx-signature' error naming the file and what was expected.
import { RuntimeError } from '../errors';
import type { ArchFacts } from '../model-folder';

export interface SignatureInfo {
  hasPositionIds: boolean;
  /** Name of an optional "how many logits to keep" input, when the export has one. */
  logitsToKeep?: string;
  /** Element type of the past inputs ('float32' or 'float16'). */
  kvType: string;
  /** Optimum's merged decoder: a use_cache_branch input (true once there is a past). */
  useCacheBranch: boolean;
  /**
   * 'rows': the graph also returns present_rows.* (only the rows a run adds) and accepts a past longer than the live
   * length; the runner fetches those alone and keeps the cache in its own buffers (row-cache.ts).
   */
  kvLayout: 'concat' | 'rows';
  /** Whether masked-out slots inside the past are honoured (not by GroupQueryAttention, which counts the mask). */
  maskHoles: boolean;
}

/** Whether the graph honours masked-out slots inside the past: not where GroupQueryAttention counts the mask. */
export function maskHoles(io: { ops: Set<string> }): boolean {
  return !io.ops.has('GroupQueryAttention');
}

export interface InputMeta {
  name: string;
  isTensor?: boolean;
  type?: string;
  shape?: readonly (number | string)[];
}

/** Checks a session's inputs and outputs against the decoder signature the runtime feeds. */
export function checkSignature(
  file: string,
  arch: ArchFacts,
  inputNames: readonly string[],
  outputNames: readonly string[],
  inputMeta: readonly InputMeta[] = [],
): SignatureInfo {
  const expected = `expected inputs input_ids, attention_mask, optional position_ids, past_key_values.{0..${arch.layers - 1}}.key/value; outputs logits, present.{0..${arch.layers - 1}}.key/value`;
  const fail = (what: string) => new RuntimeError('onnx-signature', `${file}: ${what} (${expected})`, file);
  const inputs = new Set(inputNames);
  for (const name of ['input_ids', 'attention_mask']) if (!inputs.has(name)) throw fail(`missing input "${name}"`);
  for (let i = 0; i < arch.layers; i++) {
    for (const kv of ['key', 'value']) {
      if (!inputs.has(`past_key_values.${i}.${kv}`)) throw fail(`missing input "past_key_values.${i}.${kv}"`);
      if (!outputNames.includes(`present.${i}.${kv}`)) throw fail(`missing output "present.${i}.${kv}"`);
    }
  }
  if (!outputNames.includes('logits')) throw fail('missing output "logits"');
  // A graph that returns the new rows alone must return them for every layer.
  if (outputNames.includes('present_rows.0.key'))
    for (let i = 0; i < arch.layers; i++)
      for (const kv of ['key', 'value'])
        if (!outputNames.includes(`present_rows.${i}.${kv}`))
          throw fail(`missing output "present_rows.${i}.${kv}" (it returns present_rows.0.key)`);
  const optional = new Set(['position_ids', 'num_logits_to_keep', 'logits_to_keep', 'use_cache_branch']);
  for (const name of inputNames) {
    if (name === 'input_ids' || name === 'attention_mask' || optional.has(name)) continue;
    const m = /^past_key_values\.(\d+)\.(key|value)$/.exec(name);
    if (m && Number(m[1]) < arch.layers) continue;
    throw fail(`unexpected input "${name}"${m ? ` (config.json says ${arch.layers} layers)` : ''}`);
  }
  let kvType = 'float32';
  const past = inputMeta.find((m) => m.name === 'past_key_values.0.key');
  if (past && past.isTensor !== false) {
    if (past.type) kvType = past.type;
    const shape = past.shape ?? [];
    if (shape.length === 4) {
      if (typeof shape[1] === 'number' && shape[1] !== arch.kvHeads)
        throw fail(`past_key_values.0.key has ${shape[1]} heads but config.json says ${arch.kvHeads} key/value heads`);
      if (typeof shape[3] === 'number' && shape[3] !== arch.headDim)
        throw fail(`past_key_values.0.key has head size ${shape[3]} but config.json implies ${arch.headDim}`);
    }
  }
  return {
    hasPositionIds: inputs.has('position_ids'),
    logitsToKeep: inputs.has('num_logits_to_keep') ? 'num_logits_to_keep' : inputs.has('logits_to_keep') ? 'logits_to_keep' : undefined,
    kvType,
    useCacheBranch: inputs.has('use_cache_branch'),
    kvLayout: outputNames.includes('present_rows.0.key') ? 'rows' : 'concat',
    maskHoles: true,
  };
}
