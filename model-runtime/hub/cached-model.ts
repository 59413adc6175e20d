// A model already whole in the cache, found without the network: refs/{revision} names the commit, and its
// snapshot holds the files the model folder reader needs and at least one ONNX graph whose external data is
// all there. Links only ever point at verified blobs (cache-layout.ts), so a link that resolves is a whole file.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RepoCache } from './cache-layout';
import { ggufModelPaths, REQUIRED_FILES } from './plan';

export interface CachedModel {
  /** The snapshot folder: a model folder tokenscope.model.path can point at. */
  dir: string;
  commit: string;
  /** The ONNX graphs present with all their data, and the GGUF files, as repo paths (onnx/model_quantized.onnx, x.gguf). */
  variants: string[];
}

/** What tokenscope.model.path names for a variant: the snapshot folder for ONNX, the file itself for GGUF. */
export function modelPathOf(model: Pick<CachedModel, 'dir'>, variant: string): string {
  return variant.endsWith('.gguf') ? join(model.dir, variant) : model.dir;
}

const isFile = (p: string) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

/** The cached model for repo@revision, or undefined when anything it needs is missing. */
export async function findCachedModel(cacheDir: string, repo: string, revision: string): Promise<CachedModel | undefined> {
  const cache = new RepoCache(cacheDir, repo);
  const commit = await cache.commitOf(revision);
  if (!commit) return undefined;
  const dir = cache.snapshot(commit);
  const gguf = await ggufFiles(dir);
  for (const f of REQUIRED_FILES) if (!(await isFile(join(dir, f)))) return gguf.length ? { dir, commit, variants: gguf } : undefined;
  let names: string[];
  try {
    names = await readdir(join(dir, 'onnx'));
  } catch {
    return undefined;
  }
  const config = await readFile(join(dir, 'config.json'), 'utf8').then(
    (t) => JSON.parse(t) as Record<string, unknown>,
    () => ({}) as Record<string, unknown>,
  );
  const variants: string[] = [];
  for (const name of names.filter((n) => n.endsWith('.onnx')).sort()) {
    const data = [...names.filter((n) => n.startsWith(`${name}_data`) || n === `${name}.data`), ...declaredData(config, name)];
    const all = await Promise.all([name, ...new Set(data)].map((n) => isFile(join(dir, 'onnx', n))));
    if (all.every(Boolean)) variants.push(`onnx/${name}`);
  }
  variants.push(...gguf);
  return variants.length ? { dir, commit, variants } : undefined;
}

/** The GGUF files of a snapshot (top level and one folder down), split models by their first part when whole. */
async function ggufFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const sub of ['', ...(await readdir(dir).catch(() => [] as string[]))]) {
    const names = await readdir(join(dir, sub)).catch(() => [] as string[]);
    for (const n of names.filter((x) => /\.gguf$/i.test(x))) {
      const path = sub ? `${sub}/${n}` : n;
      if (await isFile(join(dir, path))) found.push(path);
    }
  }
  return ggufModelPaths(found);
}

/**
 * The data files config.json's transformers.js_config.use_external_data_format promises for a graph: true is
 * one file, a number is that many chunks, an object gives either per graph name (transformers.js's reading).
 */
function declaredData(config: Record<string, unknown>, name: string): string[] {
  const tjs = config['transformers.js_config'] as { use_external_data_format?: unknown } | undefined;
  let v = tjs?.use_external_data_format;
  if (v && typeof v === 'object') {
    const per = v as Record<string, unknown>;
    v = per[name] ?? per[name.replace(/\.onnx$/, '')];
  }
  const chunks = v === true ? 1 : typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 1000 ? v : 0;
  return Array.from({ length: chunks }, (_, i) => `${name}_data${i === 0 ? '' : `_${i}`}`);
}
