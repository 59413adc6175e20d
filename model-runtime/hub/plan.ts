// Which files of a repo make a model Tokenscope can load: the JSON files the model folder reader needs and ONE
// ONNX variant under onnx/ with its external data files (<name>.onnx_data, <name>.onnx_data_1, ...), as the
// repo's listing names them. Everything else (other variants, PyTorch weights, READMEs) stays on the hub.
import { ONNX_PREFERENCE } from '../model-folder';
import { checkRepoPath, COMMIT } from './endpoint';
import { HubError } from './errors';

/** A file in the repo, as the listing gives it. */
export interface Sibling {
  path: string;
  /** Bytes, when the listing has sizes (blobs=true). */
  size?: number;
  /** The LFS object's sha256 (the hub's X-Linked-Etag), when the file is in LFS. */
  sha256?: string;
}

export interface RepoListing {
  repo: string;
  /** The commit the asked revision resolved to. */
  commit: string;
  siblings: Sibling[];
}

/** Files the model folder reader needs (model-runtime/model-folder.ts); a repo without one of these cannot load. */
export const REQUIRED_FILES = ['config.json', 'generation_config.json', 'tokenizer.json'];
/** Read when present. */
export const OPTIONAL_FILES = ['tokenizer_config.json', 'special_tokens_map.json'];

export interface OnnxVariant {
  /** The graph's path in the repo, e.g. onnx/model_quantized.onnx. */
  file: string;
  /** Its external data files, in order. */
  dataFiles: string[];
  /** Graph plus data, when the listing has sizes. */
  bytes?: number;
  /** The precision its name says (transformers.js naming). */
  dtype: string;
  /** One of the names the runtime prefers (ONNX_PREFERENCE): exports known to load here. */
  preferred: boolean;
}

/** The listing JSON of /api/models/{repo}/revision/{rev} as a RepoListing; a malformed one is an 'http' error. */
export function parseListing(repo: string, json: unknown): RepoListing {
  const body = json as { sha?: unknown; siblings?: unknown };
  if (!body || typeof body !== 'object' || typeof body.sha !== 'string' || !COMMIT.test(body.sha) || !Array.isArray(body.siblings))
    throw new HubError('http', `the hub's listing of ${repo} has no commit or no file list: is the endpoint a Hugging Face hub?`);
  const siblings: Sibling[] = [];
  for (const s of body.siblings as { rfilename?: unknown; size?: unknown; lfs?: { sha256?: unknown } }[]) {
    if (typeof s?.rfilename !== 'string') continue;
    const size = typeof s.size === 'number' && s.size >= 0 ? s.size : undefined;
    const sha256 = typeof s.lfs?.sha256 === 'string' ? s.lfs.sha256 : undefined;
    siblings.push({ path: s.rfilename, size, sha256 });
  }
  return { repo, commit: body.sha, siblings };
}

const DTYPES: [RegExp, string][] = [
  [/_q4f16$/, 'q4f16 (4-bit weights, float16)'],
  [/_q4$/, 'q4 (4-bit weights)'],
  [/_bnb4$/, 'bnb4 (4-bit NF4)'],
  [/_quantized$/, 'q8 (int8 weights)'],
  [/_int8$/, 'int8'],
  [/_uint8$/, 'uint8'],
  [/_fp16$/, 'fp16'],
  [/_q2f16$|_q2$|_q1f16$|_q1$/, 'very low-bit'],
  [/^model$|^decoder_model_merged$/, 'fp32'],
];

function dtypeOf(base: string): string {
  return DTYPES.find(([re]) => re.test(base))?.[1] ?? 'unknown precision';
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The external data files of onnx/<base>.onnx listed in the repo: .onnx_data, .onnx_data_1, ... (or older .onnx.data). */
function dataFilesOf(base: string, paths: string[]): string[] {
  const re = new RegExp(`^onnx/${escapeRe(base)}\\.onnx(?:_data(?:_(\\d+))?|\\.data)$`);
  return paths
    .map((p) => ({ p, m: re.exec(p) }))
    .filter((x) => x.m)
    .sort((a, b) => Number(a.m![1] ?? 0) - Number(b.m![1] ?? 0))
    .map((x) => x.p);
}

/** Every ONNX graph under onnx/, the runtime's preferred ones first (in its order), then the rest by name. */
export function onnxVariants(listing: RepoListing): OnnxVariant[] {
  const paths = listing.siblings.map((s) => s.path);
  const size = new Map(listing.siblings.map((s) => [s.path, s.size]));
  const graphs = paths.filter((p) => /^onnx\/[^/]+\.onnx$/.test(p));
  const rank = (p: string) => {
    const i = ONNX_PREFERENCE.indexOf(p.slice('onnx/'.length));
    return i < 0 ? ONNX_PREFERENCE.length : i;
  };
  graphs.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return graphs.map((file) => {
    const base = file.slice('onnx/'.length, -'.onnx'.length);
    const dataFiles = dataFilesOf(base, paths);
    const sizes = [file, ...dataFiles].map((p) => size.get(p));
    const bytes = sizes.every((s) => s !== undefined) ? sizes.reduce((a, b) => a! + b!, 0) : undefined;
    return { file, dataFiles, bytes, dtype: dtypeOf(base), preferred: rank(file) < ONNX_PREFERENCE.length };
  });
}

export interface GgufVariant {
  /** The file to load (a split model's first part), e.g. qwen2.5-coder-1.5b-q4_k_m.gguf. */
  file: string;
  /** Every part, in order (the file itself when it is not split). */
  parts: string[];
  bytes?: number;
  /** The quantization its name says (Q4_K_M, q8_0, f16, ...). */
  dtype: string;
}

const SPLIT = /-(\d{5})-of-(\d{5})\.gguf$/i;

/** Every GGUF model file of the repo (vision projectors left out), split parts grouped under their first. */
export function ggufVariants(listing: RepoListing): GgufVariant[] {
  const size = new Map(listing.siblings.map((s) => [s.path, s.size]));
  const ggufs = listing.siblings.map((s) => s.path).filter((p) => /\.gguf$/i.test(p) && !/(^|[\\/])mmproj/i.test(p));
  return ggufs
    .filter((p) => !SPLIT.test(p) || Number(SPLIT.exec(p)![1]) === 1)
    .sort()
    .map((file) => {
      const m = SPLIT.exec(file);
      const parts = m
        ? Array.from({ length: Number(m[2]) }, (_, i) => file.replace(SPLIT, `-${String(i + 1).padStart(5, '0')}-of-${m[2]}.gguf`))
        : [file];
      const sizes = parts.map((p) => size.get(p));
      const bytes = sizes.every((s) => s !== undefined) ? sizes.reduce((a, b) => a! + b!, 0) : undefined;
      const dtype = /[._-](I?Q\d\w*|bf16|fp16|f16|fp32|f32)(?:-\d{5}-of-\d{5})?\.gguf$/i.exec(file)?.[1] ?? 'GGUF';
      return { file, parts: parts.filter((p) => size.has(p)), bytes, dtype };
    })
    .filter((v) => v.parts.length === (SPLIT.test(v.file) ? Number(SPLIT.exec(v.file)![2]) : 1));
}

/** Of some file paths (a snapshot, a models folder), the GGUF models to offer: split ones by their first part, when whole. */
export function ggufModelPaths(paths: readonly string[]): string[] {
  return ggufVariants({ repo: '', commit: '', siblings: paths.map((path) => ({ path })) }).map((v) => v.file);
}

/** The variant used when the user does not choose: the runtime's first preference present. */
export function defaultVariant(variants: OnnxVariant[]): OnnxVariant | undefined {
  return variants[0];
}

/**
 * The files to fetch for one variant (a repo path such as onnx/model_q4.onnx; default: defaultVariant), small
 * JSON first (a refusal shows before gigabytes move) and the graph last: its link in the snapshot then means its
 * data files are already whole.
 */
export function planFiles(listing: RepoListing, variantFile?: string): Sibling[] {
  const byPath = new Map(listing.siblings.map((s) => [s.path, s]));
  // A GGUF file holds its tokenizer and config: it is fetched alone (all parts of a split one).
  const gguf = ggufVariants(listing);
  if (variantFile?.endsWith('.gguf') || (!variantFile && gguf.length && !onnxVariants(listing).length)) {
    const chosen = variantFile ? gguf.find((v) => v.file === variantFile) : gguf[0];
    if (!chosen)
      throw new HubError(
        'file-not-found',
        `${variantFile} is not in ${listing.repo} (GGUF files: ${gguf.map((v) => v.file).join(', ') || 'none'})`,
      );
    return chosen.parts.map((p) => byPath.get(checkRepoPath(p))!);
  }
  const missing = REQUIRED_FILES.filter((f) => !byPath.has(f));
  const variants = onnxVariants(listing);
  if (!variants.length) missing.push('onnx/*.onnx');
  if (missing.length)
    throw new HubError(
      'not-a-model',
      `${listing.repo} is not a model Tokenscope loads (the transformers.js ONNX layout, or GGUF files): it has no ${missing.join(', ')} and no .gguf file`,
    );
  const chosen = variantFile ? variants.find((v) => v.file === variantFile) : defaultVariant(variants);
  if (!chosen)
    throw new HubError('file-not-found', `${variantFile} is not in ${listing.repo} (present: ${variants.map((v) => v.file).join(', ')})`);
  const json = [...REQUIRED_FILES, ...OPTIONAL_FILES.filter((f) => byPath.has(f))];
  return [...json, ...chosen.dataFiles, chosen.file].map((p) => byPath.get(checkRepoPath(p))!);
}
