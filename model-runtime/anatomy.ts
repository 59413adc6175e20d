// The anatomy of a loaded model, from its files alone: the shape of the stack from the config (or GGUF metadata),
// and from the weights themselves what each part holds: parameters, bytes on disk and their number format. Weight
// names are matched where the export names them (HF: q_proj, gate_proj...; GGUF: attn_q, ffn_gate...); where it
// does not (torch.onnx's "onnx::MatMul_514"), a weight is placed by its shape against the config's dimensions.

export type PartGroup = 'embedding' | 'attention' | 'mlp' | 'norm' | 'head' | 'other';

export interface AnatomyShape {
  architecture: string;
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ffn: number;
  vocab: number;
  context: number;
  positions: { kind: 'rope'; base: number; dims: number } | { kind: 'learned'; rows: number } | { kind: 'unknown' };
  tiedEmbedding: boolean;
}

/** One weight tensor as the file stores it. */
export interface WeightTensor {
  name: string;
  /** Elements (parameters) it holds; quantization scales count as their own tensors in ONNX. */
  elements: number;
  bytes: number;
  /** Its number format: f32, f16, int8, q8_0, q4_k... */
  format: string;
  /** Dimensions, outermost first. */
  dims: number[];
}

export interface PartSummary {
  group: PartGroup;
  params: number;
  bytes: number;
  /** Number formats present, most bytes first. */
  formats: string[];
  tensors: number;
}

export interface Anatomy {
  name: string;
  format: 'onnx' | 'gguf';
  file: string;
  shape: AnatomyShape;
  parts: PartSummary[];
  totalParams: number;
  totalBytes: number;
  /** RoPE: the fastest and slowest rotation wavelengths in positions (2π / frequency). */
  ropeWavelengths?: [number, number];
}

const NAMED: [RegExp, PartGroup][] = [
  [/(^|\.)(lm_head|output)\.weight$|^output\b/, 'head'],
  [/embed|token_embd|wte|wpe/, 'embedding'],
  [/norm|ln_/, 'norm'],
  [/q_proj|k_proj|v_proj|o_proj|attn_(q|k|v|output|qkv)|self_attn|c_attn|attn\.c_proj|qkv/, 'attention'],
  [/gate_proj|up_proj|down_proj|ffn_|mlp|fc1|fc2/, 'mlp'],
];

/** The part a weight belongs to: by its name where it says, else by its shape against the config. */
export function groupOf(t: Pick<WeightTensor, 'name' | 'dims'>, s: AnatomyShape): PartGroup {
  const named = NAMED.find(([re]) => re.test(t.name));
  if (named) return named[1];
  // A lookup table is [vocab, hidden]; a MatMul weight onto the vocabulary is [hidden, vocab] (ONNX's [in, out]).
  if (t.dims[0] === s.vocab) return 'embedding';
  if (t.dims.length === 2 && t.dims[1] === s.vocab) return 'head';
  const d = t.dims;
  if (d.length === 1 && d[0] === s.hidden) return 'norm';
  if (d.includes(s.ffn) && s.ffn !== s.hidden) return 'mlp';
  const attn = [s.heads * s.headDim, s.kvHeads * s.headDim];
  if (d.includes(s.hidden) && d.some((x) => attn.includes(x))) return 'attention';
  // Per-column scales and zero points of a quantized matrix: the part of the matrix they scale.
  if (d.length === 1 && d[0] === s.ffn) return 'mlp';
  if (d.length === 1 && attn.includes(d[0])) return 'attention';
  return 'other';
}

const ORDER: PartGroup[] = ['embedding', 'attention', 'mlp', 'norm', 'head', 'other'];

export function buildAnatomy(
  a: Omit<Anatomy, 'parts' | 'totalParams' | 'totalBytes' | 'ropeWavelengths'>,
  tensors: WeightTensor[],
): Anatomy {
  const by = new Map<PartGroup, PartSummary & { formatBytes: Map<string, number> }>();
  for (const t of tensors) {
    const g = groupOf(t, a.shape);
    const p = by.get(g) ?? { group: g, params: 0, bytes: 0, formats: [], tensors: 0, formatBytes: new Map() };
    p.params += t.elements;
    p.bytes += t.bytes;
    p.tensors++;
    p.formatBytes.set(t.format, (p.formatBytes.get(t.format) ?? 0) + t.bytes);
    by.set(g, p);
  }
  const parts = ORDER.filter((g) => by.has(g)).map((g) => {
    const { formatBytes, ...p } = by.get(g)!;
    return { ...p, formats: [...formatBytes].sort((x, y) => y[1] - x[1]).map(([f]) => f) };
  });
  const pos = a.shape.positions;
  const ropeWavelengths: [number, number] | undefined =
    pos.kind === 'rope' ? [2 * Math.PI, 2 * Math.PI * pos.base ** ((pos.dims - 2) / pos.dims)] : undefined;
  return {
    ...a,
    parts,
    totalParams: parts.reduce((n, p) => n + p.params, 0),
    totalBytes: parts.reduce((n, p) => n + p.bytes, 0),
    ropeWavelengths,
  };
}

/** Parameters one block should hold by the config (a check on what the weights say). */
export function blockParams(s: AnatomyShape): { attention: number; mlp: number } {
  const attention = s.hidden * s.headDim * (2 * s.heads + 2 * s.kvHeads);
  return { attention, mlp: 3 * s.hidden * s.ffn };
}
