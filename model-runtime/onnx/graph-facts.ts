// What the ONNX graph itself says about sizes config.json also states: the logits' width (the vocabulary) and,
// where the export has one, a fixed table indexed by position (GPT-2's learned position embeddings, a rotary
// cos/sin cache). A config.json that promises more positions or another vocabulary than the graph holds would
// fail mid-request inside onnxruntime ("indices element out of data bounds"); it fails at load instead,
// naming the file. A graph without such a table (rotary angles computed at run time) is left alone.
import { RuntimeError } from '../errors';
import type { ArchFacts } from '../model-folder';
import type { GraphIo } from './graph-io';

/** Learned position embeddings: GPT-2's wpe, and the names other exports give them. */
const POSITION_TABLE = /(^|[._/])(wpe|pos|position|positions|embed_positions|position_embeddings?)([._/]|$)/i;
/** Precomputed rotary caches: one row per position. */
const ROTARY_CACHE = /(cos|sin)_?cache/i;

/** Rows of the graph's position tables (the most positions it can number), or undefined when it has none. */
export function positionRows(io: Pick<GraphIo, 'initializers'>, arch: ArchFacts): number | undefined {
  let rows: number | undefined;
  for (const { name, dims } of io.initializers) {
    let n: number | undefined;
    if (dims.length === 2 && dims[1] === arch.hiddenSize && POSITION_TABLE.test(name)) n = dims[0];
    else if (dims.length >= 2 && ROTARY_CACHE.test(name)) n = dims[dims.length - 2];
    if (n !== undefined && n > 0) rows = Math.min(rows ?? n, n);
  }
  return rows;
}

/** Checks config.json's vocabulary and context length against the graph; throws 'onnx-signature' naming both files. */
export function checkGraphFacts(file: string, arch: ArchFacts, io: Pick<GraphIo, 'outputMeta' | 'initializers'>): void {
  const fail = (what: string) => new RuntimeError('onnx-signature', `${file}: ${what}`, file);
  const shape = io.outputMeta.find((o) => o.name === 'logits')?.shape;
  const width = shape?.[shape.length - 1];
  if (typeof width === 'number' && width > 0 && width !== arch.vocabSize)
    throw fail(`the logits have ${width} entries per position but config.json says "vocab_size" ${arch.vocabSize}`);
  const rows = positionRows(io, arch);
  if (rows !== undefined && arch.maxPositions > rows)
    throw fail(
      `the graph numbers at most ${rows} positions (a fixed position table) but config.json says ${arch.maxPositions} ("max_position_embeddings" or "n_positions")`,
    );
}
