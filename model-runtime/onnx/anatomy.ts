// The anatomy of an ONNX model folder: the stack's shape from config.json, each weight from the graph's
// initializers (read without their data). Quantization scales and zero points are bytes, not parameters.
import { basename } from 'node:path';
import { type Anatomy, type AnatomyShape, buildAnatomy, type WeightTensor } from '../anatomy';
import type { ModelFolder } from '../model-folder';
import type { GraphIo } from './graph-io';

const FORMAT: Record<string, string> = { float32: 'f32', float16: 'f16', bfloat16: 'bf16', int8: 'int8', uint8: 'uint8' };
const ELEMENT_BYTES: Record<string, number> = { float32: 4, float16: 2, bfloat16: 2, int8: 1, uint8: 1, int32: 4, int64: 8 };

export function onnxAnatomy(folder: ModelFolder, io: Pick<GraphIo, 'initializers'>): Anatomy {
  const c = folder.config;
  const a = folder.arch;
  const num = (...keys: string[]) => keys.map((k) => c[k]).find((v): v is number => typeof v === 'number');
  const learned = a.modelType === 'gpt2';
  const shape: AnatomyShape = {
    architecture: a.modelType,
    layers: a.layers,
    hidden: a.hiddenSize,
    heads: a.heads,
    kvHeads: a.kvHeads,
    headDim: a.headDim,
    ffn: num('intermediate_size', 'n_inner') ?? 4 * a.hiddenSize,
    vocab: a.vocabSize,
    context: a.maxPositions,
    positions: learned
      ? { kind: 'learned', rows: a.maxPositions }
      : { kind: 'rope', base: num('rope_theta') ?? 10000, dims: Math.round(a.headDim * (num('partial_rotary_factor') ?? 1)) },
    tiedEmbedding: c.tie_word_embeddings !== false,
  };
  const dimsOf = new Map(io.initializers.map((t) => [t.name, t.dims]));
  const tensors: WeightTensor[] = io.initializers
    .filter((t) => t.dims.length > 0)
    .map((t) => {
      // MatMulNBits weights (X_Q4, X_Q8): [outputs, blocks, bytes per block], `bits` to a parameter.
      const bits = t.dims.length === 3 ? Number(/_Q(\d)$/.exec(t.name)?.[1] ?? 0) : 0;
      const elements = t.dims.reduce((n, d) => n * d, 1) * (bits ? 8 / bits : 1);
      // A quantized matrix's scales and zero points (quantize.py: X_int8, X_scale, X_zero; MatMulNBits: X_scales,
      // X_zero_points) go with the matrix.
      const base = /^(.*)_(scales?|zero|zero_points?)$/.exec(t.name)?.[1];
      const matrix = base ? [`${base}_int8`, `${base}_quantized`, `${base}_Q4`, `${base}_Q8`, base].find((n) => dimsOf.has(n)) : undefined;
      // Scales, zero points, integer constants (axes, shapes) and rotary tables are bytes, not parameters.
      const quantAux = !!base || t.type === 'int64' || t.type === 'int32' || /^(cos|sin)_cache$/.test(t.name);
      return {
        name: matrix ?? t.name,
        dims: matrix ? dimsOf.get(matrix)! : t.dims,
        elements: quantAux ? 0 : elements,
        bytes: t.bytes ?? elements * (ELEMENT_BYTES[t.type ?? ''] ?? 4),
        format: bits ? `q${bits}` : (FORMAT[t.type ?? ''] ?? t.type ?? 'unknown'),
      };
    });
  return buildAnatomy({ name: folder.name, format: 'onnx', file: basename(folder.onnxPath), shape }, tensors);
}
