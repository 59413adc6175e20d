// Reads and validates a model folder in the Hugging Face / transformers.js layout:
//   config.json, generation_config.json, tokenizer files (tokenizer.json and/or tokenizer_config.json),
//   onnx/model.onnx or a variant (model_quantized.onnx, model_fp16.onnx, ...).
// Every failure names the file and what was expected, so a person can fix the folder. Files are read through
// folder-files.ts, which refuses anything that is not a regular file before reading it (nothing can block).
import { basename, join } from 'node:path';
import { checkRegularFile, folderError, folderNames, readRegularFile, statPath } from './folder-files';
import type { FimLayout } from './protocol';

/** Default choice of ONNX file when several exist: int8 first (same quality here, about 1.8x faster on CPU). */
export const ONNX_PREFERENCE = [
  'model_quantized.onnx',
  'model_int8.onnx',
  'model_uint8.onnx',
  'model.onnx',
  'model_fp16.onnx',
  'model_q4.onnx',
  'model_q4f16.onnx',
  // Older exports (Optimum's merged decoder).
  'decoder_model_merged_quantized.onnx',
  'decoder_model_merged.onnx',
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

const err = folderError;

/** Largest JSON files read: tokenizer.json holds a whole vocabulary (tens of MB for large ones), the rest are small. */
const MAX_TOKENIZER_JSON = 512 * 1024 * 1024;
const MAX_CONFIG_JSON = 16 * 1024 * 1024;
/** Largest value of a count or size in config.json: anything larger is no real model. */
const MAX_INT = 2 ** 31 - 1;

function readJson(dir: string, file: string, required: boolean): Record<string, unknown> | undefined {
  const p = join(dir, file);
  const expected = 'a JSON file in the Hugging Face model layout';
  if (!required && !statPath(p)) return undefined;
  const text = readRegularFile(p, expected, file === 'tokenizer.json' ? MAX_TOKENIZER_JSON : MAX_CONFIG_JSON);
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
  if (typeof v === 'number' && v > MAX_INT) throw err(file, `"${key}" is ${v}: too large for any model (at most ${MAX_INT})`);
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
  if (type === undefined || type === null)
    throw err(file, `missing "model_type" (expected one of ${SUPPORTED_ARCHITECTURES.join(', ')})`, 'unknown-architecture');
  if (typeof type !== 'string')
    throw err(file, `"model_type" is not a string: got ${JSON.stringify(type)} (expected one of ${SUPPORTED_ARCHITECTURES.join(', ')})`);
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

const LAYOUT = 'expected a folder with config.json, tokenizer files and onnx/model.onnx';

export function readModelFolder(dir: string, opts: ReadOptions = {}): ModelFolder {
  if (!dir) throw err('""', `the model folder path is empty (${LAYOUT})`);
  const st = statPath(dir, 'model folder not found');
  if (!st) throw err(dir, `model folder not found (${LAYOUT})`);
  if (!st.isDirectory()) throw err(dir, `is not a folder (${LAYOUT})`);
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
    if (!statPath(join(dir, 'tokenizer.json'))) {
      throw err(join(dir, 'tokenizer.json'), 'missing (expected tokenizer.json, or tokenizer_config.json with "gpt_tokenizer_encoding")');
    }
    tokenizerJson = readJson(dir, 'tokenizer.json', true);
    if (!tokenizerJson!.model || typeof tokenizerJson!.model !== 'object')
      throw err(join(dir, 'tokenizer.json'), 'expected a "model" object (a Hugging Face tokenizers file)');
  }

  const { onnxDir, onnxFiles, onnxFile } = chooseOnnx(dir, opts);
  const fimLayout = fimLayoutOf(tokenizerConfig, join(dir, 'tokenizer_config.json'));
  const onnxPath = join(onnxDir, onnxFile);
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

/** The ONNX file to load under onnx/: the chosen one, else the preferred one present; checked to be a regular file. */
function chooseOnnx(dir: string, opts: ReadOptions): { onnxDir: string; onnxFiles: string[]; onnxFile: string } {
  const onnxDir = join(dir, 'onnx');
  const names = statPath(onnxDir) ? folderNames(onnxDir, 'a folder of ONNX files') : [];
  const onnxFiles = names.filter((f) => f.endsWith('.onnx')).sort();
  let onnxFile: string | undefined;
  if (opts.onnxFile) {
    onnxFile = basename(opts.onnxFile);
    if (!onnxFiles.includes(onnxFile))
      throw err(join(onnxDir, onnxFile), `missing (the chosen ONNX file; present: ${onnxFiles.join(', ') || 'none'})`);
  } else {
    onnxFile = ONNX_PREFERENCE.find((f) => onnxFiles.includes(f)) ?? onnxFiles[0];
    if (!onnxFile) throw err(join(onnxDir, 'model.onnx'), `missing (expected onnx/model.onnx or a variant: ${ONNX_PREFERENCE.join(', ')})`);
  }
  const onnxPath = join(onnxDir, onnxFile);
  if (checkRegularFile(onnxPath, 'an ONNX model') < 16) throw err(onnxPath, 'is empty or truncated (expected an ONNX model)');
  // External weights (model.onnx_data, model.onnx.data) are read by onnxruntime: they must be plain files too.
  for (const f of names) if (f !== onnxFile && f.startsWith(onnxFile)) checkRegularFile(join(onnxDir, f), "the ONNX model's external data");
  return { onnxDir, onnxFiles, onnxFile };
}

/**
 * The ids the runtime feeds or stops on must exist in the tokenizer, and the model's vocabulary must hold every
 * id the tokenizer can produce (else the embedding lookup fails mid-request). Names the file to fix.
 */
export function checkVocabulary(folder: ModelFolder, tokenizer: { vocabSize: number; kind: string }): void {
  const configFile = join(folder.dir, 'config.json');
  const tokFile = folder.gptEncoding ? `the ${tokenizer.kind} encoding` : 'tokenizer.json';
  if (tokenizer.vocabSize <= 0) throw err(join(folder.dir, 'tokenizer.json'), 'has an empty vocabulary');
  if (folder.arch.vocabSize < tokenizer.vocabSize)
    throw err(
      configFile,
      `"vocab_size" ${folder.arch.vocabSize} is smaller than the tokenizer's vocabulary (${tokenizer.vocabSize} tokens in ${tokFile})`,
    );
  const gen = folder.generationConfig;
  const special = { bos_token_id: folder.specials.bos === undefined ? [] : [folder.specials.bos], eos_token_id: folder.specials.eos };
  for (const [key, list] of Object.entries(special)) {
    const file = gen[key] !== undefined && gen[key] !== null ? join(folder.dir, 'generation_config.json') : configFile;
    const bad = list.find((id) => id >= tokenizer.vocabSize);
    if (bad !== undefined)
      throw err(file, `"${key}" ${bad} is outside the tokenizer's vocabulary (${tokenizer.vocabSize} tokens in ${tokFile})`);
  }
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
