// Reads and validates a model folder in the Hugging Face / transformers.js layout:
//   config.json, generation_config.json, tokenizer files (tokenizer.json and/or tokenizer_config.json),
//   onnx/model.onnx or a variant (model_quantized.onnx, model_fp16.onnx, ...).
// Every failure names the file and what was expected, so a person can fix the folder.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RuntimeError } from './errors';
import type { FimLayout } from './protocol';

/** Default choice of ONNX file when several exist: int8 first (same quality here, about 1.8x faster on CPU). */
export const ONNX_PREFERENCE = [
  'model_quantized.onnx',
  'model_int8.onnx',
  'model_uint8.onnx',
  'model.onnx',
  'model_fp16.onnx',
  'model_q4.onnx',
];

export const SUPPORTED_ARCHITECTURES = ['gpt2', 'llama', 'qwen2', 'mistral', 'phi3'];

export interface ArchFacts {
  modelType: string;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  hiddenSize: number;
  maxPositions: number;
  vocabSize: number;
}

export interface SpecialIds {
  bos?: number;
  eos: number[];
  pad?: number;
}

export interface ModelFolder {
  dir: string;
  name: string;
  config: Record<string, unknown>;
  generationConfig: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  /** Parsed tokenizer.json, when the tokenizer is not a gpt-tokenizer encoding. */
  tokenizerJson?: Record<string, unknown>;
  /** e.g. 'p50k_edit' when tokenizer_config.json names one. */
  gptEncoding?: string;
  arch: ArchFacts;
  specials: SpecialIds;
  /** Absolute path and the name under onnx/. */
  onnxPath: string;
  onnxFile: string;
  /** Every ONNX file present under onnx/. */
  onnxFiles: string[];
  /** The FIM order the model was trained for: tokenizer_config.json's "fim_layout", else 'psm'. */
  fimLayout: FimLayout;
}

export interface ReadOptions {
  /** A file name under onnx/ to use instead of the preference order. */
  onnxFile?: string;
}

const err = (file: string, message: string, code: 'model-folder' | 'unknown-architecture' = 'model-folder') =>
  new RuntimeError(code, `${file}: ${message}`, file);

function readJson(dir: string, file: string, required: boolean): Record<string, unknown> | undefined {
  const p = join(dir, file);
  if (!existsSync(p)) {
    if (required) throw err(p, 'missing (expected a JSON file in the Hugging Face model layout)');
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(p, 'utf8');
  } catch (e) {
    throw err(p, `cannot be read (${(e as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw err(p, `is not valid JSON (${(e as Error).message})`);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw err(p, 'expected a JSON object');
  return value as Record<string, unknown>;
}

function int(cfg: Record<string, unknown>, file: string, key: string, fallback?: number): number {
  const v = cfg[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw err(
      file,
      `expected "${key}" to be a positive integer for model_type "${String(cfg.model_type)}", got ${JSON.stringify(cfg[key])}`,
    );
  }
  return v;
}

/** Architecture facts from config.json. */
export function archFacts(config: Record<string, unknown>, file = 'config.json'): ArchFacts {
  const type = config.model_type;
  if (typeof type !== 'string')
    throw err(file, `missing "model_type" (expected one of ${SUPPORTED_ARCHITECTURES.join(', ')})`, 'unknown-architecture');
  if (type === 'gpt2') {
    const layers = int(config, file, 'n_layer');
    const heads = int(config, file, 'n_head');
    const hidden = int(config, file, 'n_embd');
    if (hidden % heads) throw err(file, `"n_embd" (${hidden}) is not a multiple of "n_head" (${heads})`);
    return {
      modelType: type,
      layers,
      heads,
      kvHeads: heads,
      headDim: hidden / heads,
      hiddenSize: hidden,
      maxPositions: int(config, file, 'n_positions', config.n_ctx as number),
      vocabSize: int(config, file, 'vocab_size'),
    };
  }
  if (type === 'llama' || type === 'qwen2' || type === 'mistral' || type === 'phi3') {
    const layers = int(config, file, 'num_hidden_layers');
    const heads = int(config, file, 'num_attention_heads');
    const kvHeads = int(config, file, 'num_key_value_heads', heads);
    const hidden = int(config, file, 'hidden_size');
    if (heads % kvHeads) throw err(file, `"num_attention_heads" (${heads}) is not a multiple of "num_key_value_heads" (${kvHeads})`);
    let headDim: number;
    if (config.head_dim !== undefined && config.head_dim !== null) headDim = int(config, file, 'head_dim');
    else {
      if (hidden % heads)
        throw err(file, `"hidden_size" (${hidden}) is not a multiple of "num_attention_heads" (${heads}); give "head_dim"`);
      headDim = hidden / heads;
    }
    return {
      modelType: type,
      layers,
      heads,
      kvHeads,
      headDim,
      hiddenSize: hidden,
      maxPositions: int(config, file, 'max_position_embeddings'),
      vocabSize: int(config, file, 'vocab_size'),
    };
  }
  throw err(
    file,
    `unknown architecture "model_type": "${type}" (supported: ${SUPPORTED_ARCHITECTURES.join(', ')})`,
    'unknown-architecture',
  );
}

function ids(v: unknown, file: string, key: string): number[] | undefined {
  if (v === undefined || v === null) return undefined;
  const list = Array.isArray(v) ? v : [v];
  for (const x of list)
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0)
      throw err(file, `expected "${key}" to be a token id or a list of ids, got ${JSON.stringify(v)}`);
  return list as number[];
}

/** bos/eos/pad ids: generation_config.json overrides config.json. */
export function specialIds(
  config: Record<string, unknown>,
  gen: Record<string, unknown>,
  files = { config: 'config.json', gen: 'generation_config.json' },
): SpecialIds {
  const pick = (key: string) => ids(gen[key], files.gen, key) ?? ids(config[key], files.config, key);
  return { bos: pick('bos_token_id')?.[0], eos: pick('eos_token_id') ?? [], pad: pick('pad_token_id')?.[0] };
}

export function readModelFolder(dir: string, opts: ReadOptions = {}): ModelFolder {
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw err(dir, 'model folder not found (expected a folder with config.json, tokenizer files and onnx/model.onnx)');
  const configFile = join(dir, 'config.json');
  const config = readJson(dir, 'config.json', true)!;
  const generationConfig = readJson(dir, 'generation_config.json', true)!;
  const tokenizerConfig = readJson(dir, 'tokenizer_config.json', false) ?? {};
  const arch = archFacts(config, configFile);
  const specials = specialIds(config, generationConfig, { config: configFile, gen: join(dir, 'generation_config.json') });

  const enc = tokenizerConfig.gpt_tokenizer_encoding;
  let gptEncoding: string | undefined;
  let tokenizerJson: Record<string, unknown> | undefined;
  if (enc !== undefined) {
    if (typeof enc !== 'string' || !/^[a-z0-9_]+$/.test(enc))
      throw err(
        join(dir, 'tokenizer_config.json'),
        `"gpt_tokenizer_encoding" must name a gpt-tokenizer encoding such as "p50k_edit", got ${JSON.stringify(enc)}`,
      );
    gptEncoding = enc;
  } else {
    if (!existsSync(join(dir, 'tokenizer.json'))) {
      throw err(join(dir, 'tokenizer.json'), 'missing (expected tokenizer.json, or tokenizer_config.json with "gpt_tokenizer_encoding")');
    }
    tokenizerJson = readJson(dir, 'tokenizer.json', true);
    if (!tokenizerJson!.model || typeof tokenizerJson!.model !== 'object')
      throw err(join(dir, 'tokenizer.json'), 'expected a "model" object (a Hugging Face tokenizers file)');
  }

  const onnxDir = join(dir, 'onnx');
  const onnxFiles = existsSync(onnxDir)
    ? readdirSync(onnxDir)
        .filter((f) => f.endsWith('.onnx'))
        .sort()
    : [];
  let onnxFile: string | undefined;
  if (opts.onnxFile) {
    onnxFile = basename(opts.onnxFile);
    if (!onnxFiles.includes(onnxFile))
      throw err(join(onnxDir, onnxFile), `missing (the chosen ONNX file; present: ${onnxFiles.join(', ') || 'none'})`);
  } else {
    onnxFile = ONNX_PREFERENCE.find((f) => onnxFiles.includes(f)) ?? onnxFiles[0];
    if (!onnxFile) throw err(join(onnxDir, 'model.onnx'), `missing (expected onnx/model.onnx or a variant: ${ONNX_PREFERENCE.join(', ')})`);
  }
  const fimLayout = fimLayoutOf(tokenizerConfig, join(dir, 'tokenizer_config.json'));
  const onnxPath = join(onnxDir, onnxFile);
  if (statSync(onnxPath).size < 16) throw err(onnxPath, 'is empty or truncated (expected an ONNX model)');
  return {
    dir,
    name: basename(dir),
    config,
    generationConfig,
    tokenizerConfig,
    tokenizerJson,
    gptEncoding,
    arch,
    specials,
    onnxPath,
    onnxFile,
    onnxFiles,
    fimLayout,
  };
}

/**
 * PSM unless the folder says otherwise: it is the published layout of every family with FIM tokens
 * (StarCoder, Qwen2.5-Coder, DeepSeek-Coder, CodeLlama). A model trained on both names its better one.
 */
function fimLayoutOf(tokenizerConfig: Record<string, unknown>, file: string): FimLayout {
  const v = tokenizerConfig.fim_layout ?? 'psm';
  if (v !== 'psm' && v !== 'spm') throw err(file, `"fim_layout" must be "psm" or "spm", got ${JSON.stringify(v)}`);
  return v;
}
