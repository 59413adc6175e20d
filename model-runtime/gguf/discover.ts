// The GGUF models already on this machine: Ollama's store (its manifests name each model's blob), LM Studio's
// models folder, and the Hugging Face cache. Read-only and offline; a folder that does not exist is skipped.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { ggufModelPaths } from '../hub/plan';

export interface FoundModel {
  /** The .gguf file (for Ollama, the blob the manifest names). */
  path: string;
  /** What the tool calls it: "qwen2.5-coder:1.5b", "lmstudio-community/…/x.Q4_K_M.gguf", "org/name: file.gguf". */
  name: string;
  source: 'ollama' | 'lm-studio' | 'hf-cache';
  bytes: number;
}

export interface Places {
  ollama: string[];
  lmStudio: string[];
  hfCache: string[];
}

type Env = Record<string, string | undefined>;

/** Where each tool keeps its models, honouring the variables each one reads. */
export function defaultPlaces(env: Env = process.env, home = homedir()): Places {
  const hfHome = env.HF_HOME ?? join(env.XDG_CACHE_HOME ?? join(home, '.cache'), 'huggingface');
  return {
    ollama: env.OLLAMA_MODELS ? [env.OLLAMA_MODELS] : [join(home, '.ollama', 'models'), '/usr/share/ollama/.ollama/models'],
    lmStudio: [join(home, '.lmstudio', 'models'), join(home, '.cache', 'lm-studio', 'models')],
    hfCache: [env.HF_HUB_CACHE ?? join(hfHome, 'hub')],
  };
}

export function findGgufModels(places: Places = defaultPlaces()): FoundModel[] {
  return [...places.ollama.flatMap(ollamaModels), ...places.lmStudio.flatMap(lmStudioModels), ...places.hfCache.flatMap(hfCacheModels)];
}

const OLLAMA_MODEL_LAYER = 'application/vnd.ollama.image.model';

/** manifests/<registry>/<namespace>/<model>/<tag>: JSON whose model layer's digest names blobs/sha256-<hex>. */
export function ollamaModels(root: string): FoundModel[] {
  const manifests = join(root, 'manifests');
  return walk(manifests, 4).flatMap((file) => {
    let layers: { mediaType?: string; digest?: string }[] = [];
    try {
      layers = (JSON.parse(readFileSync(file, 'utf8')) as { layers?: typeof layers }).layers ?? [];
    } catch {
      return [];
    }
    const digest = layers.find((l) => l.mediaType === OLLAMA_MODEL_LAYER)?.digest;
    if (!digest || !/^sha256:[0-9a-f]{64}$/.test(digest)) return [];
    const blob = join(root, 'blobs', digest.replace(':', '-'));
    const bytes = fileSize(blob);
    if (bytes === undefined) return [];
    const [registry, namespace, model, tag] = relative(manifests, file).split(sep);
    const short = registry === 'registry.ollama.ai' && namespace === 'library' ? model : `${namespace}/${model}`;
    return [{ path: blob, name: `${short}:${tag}`, source: 'ollama' as const, bytes }];
  });
}

/** <publisher>/<repo>/<file>.gguf; vision projectors (mmproj-*.gguf) are not language models. */
export function lmStudioModels(root: string): FoundModel[] {
  return ggufModelPaths(walk(root, 3)).map((path) => ({
    path,
    name: relative(root, path).split(sep).join('/'),
    source: 'lm-studio' as const,
    bytes: fileSize(path) ?? 0,
  }));
}

/** models--<org>--<name>/snapshots/<commit>/…/<file>.gguf (links into blobs/). */
export function hfCacheModels(root: string): FoundModel[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => d.startsWith('models--'))
    .flatMap((d) => {
      const repo = d.slice('models--'.length).split('--').join('/');
      return ggufModelPaths(walk(join(root, d, 'snapshots'), 4)).map((path) => {
        const file = relative(join(root, d, 'snapshots'), path)
          .split(sep)
          .slice(1)
          .join('/');
        return { path, name: `${repo}: ${file}`, source: 'hf-cache' as const, bytes: fileSize(path) ?? 0 };
      });
    });
}

/** Files up to `depth` folders below `dir` (symlinks followed: the HF cache links snapshots to blobs). */
function walk(dir: string, depth: number): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const p = join(dir, n);
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      return [];
    }
    if (st.isDirectory()) return depth > 0 ? walk(p, depth - 1) : [];
    return st.isFile() ? [p] : [];
  });
}

function fileSize(p: string): number | undefined {
  try {
    const st = statSync(p);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}
