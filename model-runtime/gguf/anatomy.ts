// The anatomy of a GGUF file: the stack's shape from its metadata, each tensor from its tensor table (name,
// dimensions, ggml type), bytes by the ggml type's block size.
import { basename } from 'node:path';
import { type Anatomy, type AnatomyShape, buildAnatomy, type WeightTensor } from '../anatomy';

/** ggml types: [name, values per block, bytes per block] (ggml.h's type_traits). */
const GGML: Record<number, [string, number, number]> = {
  0: ['f32', 1, 4],
  1: ['f16', 1, 2],
  2: ['q4_0', 32, 18],
  3: ['q4_1', 32, 20],
  6: ['q5_0', 32, 22],
  7: ['q5_1', 32, 24],
  8: ['q8_0', 32, 34],
  9: ['q8_1', 32, 36],
  10: ['q2_k', 256, 84],
  11: ['q3_k', 256, 110],
  12: ['q4_k', 256, 144],
  13: ['q5_k', 256, 176],
  14: ['q6_k', 256, 210],
  15: ['q8_k', 256, 292],
  30: ['bf16', 1, 2],
};

export interface GgufTensorInfo {
  name: string;
  dimensions: readonly (number | bigint)[];
  ggmlType: number;
}

export function ggufAnatomy(file: string, meta: Record<string, unknown>, tensors: readonly GgufTensorInfo[], context: number): Anatomy {
  const arch = (meta.general as { architecture?: string } | undefined)?.architecture ?? 'unknown';
  const m = (meta[arch] ?? {}) as Record<string, unknown> & { attention?: Record<string, number>; rope?: Record<string, number> };
  const heads = Number(m.attention?.head_count ?? 0);
  const hidden = Number(m.embedding_length ?? 0);
  const headDim = Number(m.attention?.key_length ?? (heads ? hidden / heads : 0));
  const vocab = ((meta.tokenizer as { ggml?: { tokens?: unknown[] } } | undefined)?.ggml?.tokens ?? []).length;
  const shape: AnatomyShape = {
    architecture: arch,
    layers: Number(m.block_count ?? 0),
    hidden,
    heads,
    kvHeads: Number(m.attention?.head_count_kv ?? heads),
    headDim,
    ffn: Number(m.feed_forward_length ?? 0),
    vocab,
    context,
    positions: m.rope
      ? { kind: 'rope', base: Number(m.rope.freq_base ?? 10000), dims: Number(m.rope.dimension_count ?? headDim) }
      : { kind: 'unknown' },
    tiedEmbedding: !tensors.some((t) => t.name === 'output.weight'),
  };
  const weights: WeightTensor[] = tensors.map((t) => {
    const dims = t.dimensions.map(Number).reverse(); // GGUF lists the fastest-varying first
    const elements = dims.reduce((n, d) => n * d, 1);
    const [format, per, bytes] = GGML[t.ggmlType] ?? [`ggml type ${t.ggmlType}`, 1, 0];
    return { name: t.name, dims, elements, bytes: Math.ceil(elements / per) * bytes, format };
  });
  return buildAnatomy({ name: basename(file).replace(/\.gguf$/i, ''), format: 'gguf', file: basename(file), shape }, weights);
}
