// The X-ray of one position, on demand (never on the decode path): a second onnxruntime session over the same
// file with extra graph outputs, the residual stream entering each block and each block's attention weights,
// found by the node names torch.onnx writes for the project's export (/model/blocks.N/norm1/..., .../attn/Softmax)
// and for Hugging Face exports (/model/layers.N/input_layernorm/..., .../self_attn/Softmax). The logit lens applies
// the final norm and the output head to each layer's residual in JavaScript (fp32). A graph whose attention is a
// fused kernel has no Softmax to expose: the X-ray then says so instead of guessing.
import { readFileSync } from 'node:fs';
import type * as ort from 'onnxruntime-node';
import { softmaxStats, topIndices } from '../../sampling/stats';
import type { XrayRun } from '../runner-engine';
import { gqaAttentionRow } from './gqa-attention';
import { readGraphIo } from './graph-io';
import { type GraphNode, graphNodes, initializerValues, type TensorData, withOutputs } from './proto';

export interface XrayTargets {
  /** The residual stream entering block i (i = 0..layers-1), then the one entering the final norm. */
  residuals: string[];
  /** Block i's attention weights ([1, heads, T, T]); empty when the graph has no Softmax to expose (fused). */
  attention: string[];
  /**
   * GroupQueryAttention, which never materialises its weights: block i's query before rotary ([1, T, heads x dim],
   * or q, k and v side by side when `packed`) and keys after it ([1, kvHeads, T, dim]), with the rotary caches, from
   * which the weights are computed here.
   */
  gqa?: { query: string[]; keys: string[]; cos: string; sin: string; packed: boolean };
  /** The final norm: RMSNorm (weight) or LayerNorm (weight and bias, GPT-2). */
  norm: { weight: string; bias?: string };
  head: { weight: string; scale?: string; zero?: string; layout: 'in-out' | 'vocab-hidden' | 'nbits' };
}

// Node names: the project's export (/model/blocks.N/norm1), Hugging Face Llama-family (/model/layers.N/input_layernorm)
// and GPT-2 (/transformer/h.N/ln_1, /transformer/ln_f) exports.
const BLOCK = /^\/(?:model\/(?:blocks|layers)|transformer\/h)\.(\d+)\/(?:norm1|input_layernorm|ln_1)\//;
const SOFTMAX = /^\/(?:model\/(?:blocks|layers)|transformer\/h)\.(\d+)\/(?:attn|self_attn)\/.*Softmax/;
const FINAL_NORM = /^\/(?:model\/norm|transformer\/ln_f)\//;
const GQA = /^\/model\/(?:blocks|layers)\.(\d+)\/(?:attn|self_attn)\/.*GroupQueryAttention/;

/** Finds the tensors to expose; throws saying what is missing when the graph is not one it recognises. */
export function xrayTargets(nodes: GraphNode[], layers: number, initializers: Set<string>): XrayTargets {
  const firstInput = (re: RegExp, i?: number) => {
    const node = nodes.find((n) => {
      const m = re.exec(n.name);
      return m && (i === undefined || Number(m[1]) === i);
    });
    // A norm fused with the residual add (onnxruntime-genai's exports) takes the sublayer's output as its first
    // input, not the residual stream: reading it would show the wrong thing.
    if (node?.op.startsWith('Skip'))
      throw new Error(`${node.name} fuses the residual add into the norm (${node.op}): the X-ray does not read that form yet`);
    return node?.inputs[0];
  };
  const residuals: string[] = [];
  for (let i = 0; i < layers; i++) {
    const r = firstInput(BLOCK, i);
    if (!r)
      throw new Error(`no node named /model/blocks.${i}/norm1/… or /model/layers.${i}/input_layernorm/…: not an export the X-ray knows`);
    residuals.push(r);
  }
  const final = firstInput(FINAL_NORM);
  if (!final) throw new Error('no final norm node (/model/norm/…)');
  residuals.push(final);
  const attention: string[] = [];
  for (let i = 0; i < layers; i++) {
    const s = nodes.find((n) => n.op === 'Softmax' && Number(SOFTMAX.exec(n.name)?.[1]) === i);
    if (s) attention.push(s.outputs[0]);
  }
  return {
    residuals,
    attention: attention.length === layers ? attention : [],
    gqa: attention.length === layers ? undefined : gqaTargets(nodes, layers),
    norm: finalNorm(nodes, initializers),
    head: head(nodes, initializers),
  };
}

/** Each block's GroupQueryAttention query input and present-key output, when every block has one with rotary caches. */
function gqaTargets(nodes: GraphNode[], layers: number): XrayTargets['gqa'] {
  const found = Array.from({ length: layers }, (_, i) =>
    nodes.find((n) => n.op === 'GroupQueryAttention' && Number(GQA.exec(n.name)?.[1]) === i),
  );
  if (found.some((n) => !n?.inputs[7] || !n.inputs[8])) return undefined;
  const ok = found as GraphNode[];
  // Packed: no key/value inputs, the query input carries q, k and v.
  const packed = !ok[0].inputs[1];
  return { query: ok.map((n) => n.inputs[0]), keys: ok.map((n) => n.outputs[1]), cos: ok[0].inputs[7], sin: ok[0].inputs[8], packed };
}

/** Follows Identity nodes back to the initializer they copy. */
function source(nodes: GraphNode[], name: string, initializers: Set<string>): string | undefined {
  for (let n = name, hops = 0; hops < 8; hops++) {
    if (initializers.has(n)) return n;
    const id = nodes.find((x) => x.op === 'Identity' && x.outputs[0] === n);
    if (!id) return undefined;
    n = id.inputs[0];
  }
  return undefined;
}

function finalNorm(nodes: GraphNode[], initializers: Set<string>): XrayTargets['norm'] {
  const layer = nodes.find((x) => FINAL_NORM.test(x.name) && x.op === 'LayerNormalization');
  if (layer) {
    const [weight, bias] = [1, 2].map((i) => source(nodes, layer.inputs[i] ?? '', initializers));
    if (weight) return { weight, bias };
  }
  for (const n of nodes.filter((x) => FINAL_NORM.test(x.name) && (x.op === 'Mul' || x.op === 'SimplifiedLayerNormalization')))
    for (const i of n.inputs) {
      const w = source(nodes, i, initializers);
      if (w) return { weight: w };
    }
  throw new Error('the final norm has no weight initializer');
}

/** The weight of the node that produces `logits` (MatMul, or the int8 MatMul of quantize.py with its scale). */
function head(nodes: GraphNode[], initializers: Set<string>): XrayTargets['head'] {
  const byOutput = new Map(nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const seen = new Set<string>();
  for (let queue = ['logits']; queue.length; ) {
    const node = byOutput.get(queue.shift()!);
    if (!node || seen.has(node.name)) continue;
    seen.add(node.name);
    for (const i of node.inputs) {
      const w = source(nodes, i, initializers);
      if (!w) continue;
      const base = w.replace(/_(int8|quantized)$/, '');
      if (/_(int8|quantized)$/.test(w))
        return { weight: w, scale: `${base}_scale`, zero: initializers.has(`${base}_zero`) ? `${base}_zero` : undefined, layout: 'in-out' };
      if (node.op === 'MatMul') return { weight: w, layout: 'in-out' };
      if (node.op === 'MatMulNBits') return { weight: w, scale: node.inputs[2], zero: node.inputs[3] || undefined, layout: 'nbits' };
      if (node.op === 'Gemm') return { weight: w, layout: 'vocab-hidden' };
    }
    queue.push(...node.inputs);
  }
  throw new Error('no weight found behind the logits output');
}

export interface XrayResult extends XrayRun {
  position: number;
  /** The model's own logits at the position (the lens's last row must equal them). */
  logits: Float32Array;
}

type Session = ort.InferenceSession;
type OrtModule = typeof ort;

export class OnnxXray {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: Session,
    private readonly targets: XrayTargets,
    private readonly norm: { weight: Float32Array; bias?: Float32Array; eps: number },
    private readonly W: Float32Array,
    private readonly V: number,
    private readonly d: number,
    private readonly kv: { heads: number; dim: number },
    private readonly rotary?: { cos: Float32Array; sin: Float32Array },
  ) {}

  /** Reads the file, finds the targets, opens the exposing session on the CPU. */
  static async open(
    ortModule: OrtModule,
    file: string,
    arch: { layers: number; kvHeads: number; headDim: number; eps: number },
  ): Promise<OnnxXray> {
    const buf = readFileSync(file);
    const nodes = graphNodes(buf);
    const inits = new Set(readGraphIo(file).initializers.map((i) => i.name));
    const t = xrayTargets(nodes, arch.layers, inits);
    const weight = initializerValues(buf, t.norm.weight)!.values;
    const norm = { weight, bias: t.norm.bias ? initializerValues(buf, t.norm.bias)?.values : undefined, eps: arch.eps };
    const { W, V } = headMatrix(buf, t.head, weight.length);
    const edited = withOutputs(buf, [...t.residuals, ...t.attention, ...(t.gqa ? [...t.gqa.query, ...t.gqa.keys] : [])]);
    const session = await ortModule.InferenceSession.create(edited, { executionProviders: ['cpu'], graphOptimizationLevel: 'basic' });
    const rotary = t.gqa && { cos: initializerValues(buf, t.gqa.cos)!.values, sin: initializerValues(buf, t.gqa.sin)!.values };
    const kv = { heads: arch.kvHeads, dim: arch.headDim };
    return new OnnxXray(ortModule, session, t, norm, W, V, weight.length, kv, rotary);
  }

  /** The X-ray of the last of `tokens` (the whole sequence run from an empty cache). */
  async run(tokens: readonly number[], topK: number): Promise<XrayResult> {
    const T = tokens.length;
    const position = T - 1;
    const out = await this.session.run(this.feeds(tokens));
    const lens = this.targets.residuals.map((name, layer) => {
      const r = out[name].data as Float32Array;
      const h = r.subarray(position * this.d, (position + 1) * this.d);
      return { layer, top: topTokens(this.lensLogits(h), topK) };
    });
    const logitsT = out.logits;
    const rows = logitsT.dims[1] as number;
    const logits = (logitsT.data as Float32Array).slice((rows - 1) * this.V, rows * this.V);
    if (this.targets.gqa && this.rotary) return { position, lens, logits, ...this.gqaAttention(out, position, T) };
    if (!this.targets.attention.length)
      return {
        position,
        lens,
        logits,
        attentionNote: 'this graph computes attention in a fused kernel that never materialises its weights',
      };
    const attention = this.targets.attention.map((name) => {
      const a = out[name];
      const [, heads, q, k] = a.dims as number[];
      const data = a.data as Float32Array;
      const qi = q - 1;
      return Array.from({ length: heads }, (_, hh) => Array.from(data.subarray((hh * q + qi) * k, (hh * q + qi) * k + position + 1)));
    });
    return { position, lens, logits, attention };
  }

  /** Attention recomputed from each GroupQueryAttention's query and keys (the kernel keeps its weights inside). */
  private gqaAttention(
    out: ort.InferenceSession.OnnxValueMapType,
    position: number,
    T: number,
  ): Pick<XrayRun, 'attention' | 'attentionNote'> {
    const { query, keys, packed } = this.targets.gqa!;
    const attention = query.map((q, layer) => {
      const qd = out[q].data as Float32Array;
      const kd = out[keys[layer]].data as Float32Array;
      const stride = qd.length / T;
      const { heads: kvHeads, dim } = this.kv;
      const heads = stride / dim - (packed ? 2 * kvHeads : 0);
      const shapes = { heads, kvHeads, dim, stride, T: kd.length / kvHeads / dim };
      return gqaAttentionRow(qd, kd, shapes, position, this.rotary!);
    });
    return { attention, attentionNote: "computed from each block's query and keys: the fused attention kernel keeps its weights inside" };
  }

  private feeds(tokens: readonly number[]): Record<string, ort.Tensor> {
    const T = tokens.length;
    const i64 = (xs: number[], dims: number[]) => new this.ort.Tensor('int64', BigInt64Array.from(xs.map(BigInt)), dims);
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of this.session.inputNames) {
      if (name === 'input_ids') feeds[name] = i64([...tokens], [1, T]);
      else if (name === 'attention_mask') feeds[name] = i64(new Array(T).fill(1), [1, T]);
      else if (name === 'position_ids') feeds[name] = i64([...Array(T).keys()], [1, T]);
      else if (name === 'num_logits_to_keep' || name === 'logits_to_keep') feeds[name] = i64([1], []);
      else if (name.startsWith('past_key_values.')) {
        const meta = this.session.inputMetadata?.find?.((m: { name: string }) => m.name === name) as { type?: string } | undefined;
        const half = meta?.type === 'float16';
        feeds[name] = new this.ort.Tensor(half ? 'float16' : 'float32', half ? new Uint16Array(0) : new Float32Array(0), [
          1,
          this.kv.heads,
          0,
          this.kv.dim,
        ]);
      } else throw new Error(`the X-ray does not know how to feed the input ${name}`);
    }
    return feeds;
  }

  /** The final norm (RMSNorm; LayerNorm where it has a bias) and the output head applied to one residual vector. */
  lensLogits(h: Float32Array): Float32Array {
    const { weight, bias, eps } = this.norm;
    const mean = bias ? h.reduce((a, b) => a + b, 0) / h.length : 0;
    let ms = 0;
    for (const x of h) ms += (x - mean) * (x - mean);
    const inv = 1 / Math.sqrt(ms / h.length + eps);
    const x = new Float32Array(this.d);
    for (let i = 0; i < this.d; i++) x[i] = (h[i] - mean) * inv * weight[i] + (bias?.[i] ?? 0);
    const out = new Float32Array(this.V);
    for (let i = 0; i < this.d; i++) {
      const xi = x[i];
      const row = this.W.subarray(i * this.V, (i + 1) * this.V);
      for (let v = 0; v < this.V; v++) out[v] += xi * row[v];
    }
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** The head as [hidden, vocab] fp32 (int8 dequantized with its per-column scale and zero point). */
function headMatrix(buf: Uint8Array, h: XrayTargets['head'], d: number): { W: Float32Array; V: number } {
  const w = initializerValues(buf, h.weight);
  if (!w) throw new Error(`head weight ${h.weight} not found`);
  if (h.layout === 'vocab-hidden') {
    const V = w.dims[0];
    const W = new Float32Array(d * V);
    for (let v = 0; v < V; v++) for (let i = 0; i < d; i++) W[i * V + v] = w.values[v * d + i];
    return { W, V };
  }
  if (h.layout === 'nbits') return nbitsHead(w, initializerValues(buf, h.scale!)!.values, d);
  const V = w.dims[1];
  if (!h.scale) return { W: w.values, V };
  const scale = initializerValues(buf, h.scale)!.values;
  const zero = h.zero ? initializerValues(buf, h.zero)!.values : undefined;
  const W = new Float32Array(w.values.length);
  for (let i = 0; i < d; i++) for (let v = 0; v < V; v++) W[i * V + v] = (w.values[i * V + v] - (zero?.[v] ?? 0)) * scale[v];
  return { W, V };
}

/**
 * A MatMulNBits head ([vocab, blocks, bytes per block] of 4- or 8-bit values, one scale per block, zero point
 * 2^(bits-1)) as [hidden, vocab] fp32; the bit width follows from the block's bytes over the hidden size.
 */
function nbitsHead(w: TensorData, scales: Float32Array, d: number): { W: Float32Array; V: number } {
  const [V, blocks, blob] = w.dims;
  const block = d / blocks;
  const bits = (blob * 8) / block;
  if (bits !== 4 && bits !== 8) throw new Error(`a ${bits}-bit MatMulNBits head is not read by the X-ray`);
  const zero = 2 ** (bits - 1);
  const W = new Float32Array(d * V);
  for (let v = 0; v < V; v++)
    for (let i = 0; i < d; i++) {
      const b = Math.floor(i / block);
      const at = (v * blocks + b) * blob;
      const k = i % block;
      const q = bits === 8 ? w.values[at + k] : (w.values[at + (k >> 1)] >> (4 * (k & 1))) & 15;
      W[i * V + v] = (q - zero) * scales[v * blocks + b];
    }
  return { W, V };
}

function topTokens(logits: Float32Array, k: number): { id: number; prob: number }[] {
  const st = softmaxStats(logits);
  return topIndices(logits, k).map((id) => ({ id, prob: Math.exp(logits[id] - st.max) / st.sum }));
}
