// Fetches a llama.cpp build too large for the VSIX (CUDA, ~140 MB packed) from the npm registry, on the user's
// request only: the version's metadata names the tarball and its `dist.integrity` (sha512); the bytes are hashed
// as they arrive, and only a tarball whose hash matches is unpacked, into a folder beside the final one that is
// renamed into place when whole. A cancel, a cut connection or a wrong hash leaves nothing behind.
import { createHash } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { untarPackage } from './untar';

export const DEFAULT_NPM_REGISTRY = 'https://registry.npmjs.org';

/** The CUDA build node-llama-cpp looks for on this platform, or undefined where there is none. */
export function cudaPackage(platform = process.platform, arch = process.arch): string | undefined {
  if (arch !== 'x64') return undefined;
  return platform === 'linux' ? '@node-llama-cpp/linux-x64-cuda' : platform === 'win32' ? '@node-llama-cpp/win-x64-cuda' : undefined;
}

export interface PackageMeta {
  name: string;
  version: string;
  tarball: string;
  integrity: string;
  /** Bytes unpacked, when the registry says. */
  unpackedSize?: number;
}

export class BackendFetchError extends Error {
  constructor(
    readonly code: 'network' | 'not-found' | 'integrity' | 'cancelled' | 'bad-metadata',
    message: string,
  ) {
    super(message);
  }
}

type Fetch = typeof fetch;

/** The registry's metadata of name@version (GET {registry}/{name}/{version}). */
export async function packageMeta(registry: string, name: string, version: string, f: Fetch = fetch): Promise<PackageMeta> {
  const url = `${registry.replace(/\/+$/, '')}/${name.replace('/', '%2f')}/${encodeURIComponent(version)}`;
  let res: Response;
  try {
    res = await f(url, { headers: { accept: 'application/json' } });
  } catch (e) {
    throw new BackendFetchError('network', `${url}: ${(e as Error).message}`);
  }
  if (res.status === 404) throw new BackendFetchError('not-found', `${name}@${version} is not on ${registry}`);
  if (!res.ok) throw new BackendFetchError('network', `${url}: HTTP ${res.status}`);
  const body = (await res.json()) as { dist?: { tarball?: unknown; integrity?: unknown; unpackedSize?: unknown } };
  const { tarball, integrity, unpackedSize } = body.dist ?? {};
  if (typeof tarball !== 'string' || typeof integrity !== 'string' || !integrity.startsWith('sha512-'))
    throw new BackendFetchError('bad-metadata', `${url}: no tarball with a sha512 integrity in the registry's answer`);
  return { name, version, tarball, integrity, unpackedSize: typeof unpackedSize === 'number' ? unpackedSize : undefined };
}

export interface FetchOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number | undefined) => void;
  fetch?: Fetch;
}

/** Downloads, checks and unpacks the package into `dest` (replacing nothing: `dest` must not exist yet). */
export async function fetchPackage(meta: PackageMeta, dest: string, opts: FetchOptions = {}): Promise<void> {
  const f = opts.fetch ?? fetch;
  const chunks: Buffer[] = [];
  const hash = createHash('sha512');
  try {
    const res = await f(meta.tarball, { signal: opts.signal });
    if (!res.ok || !res.body) throw new BackendFetchError('network', `${meta.tarball}: HTTP ${res.status}`);
    const total = Number(res.headers.get('content-length')) || undefined;
    let done = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      const b = Buffer.from(chunk);
      hash.update(b);
      chunks.push(b);
      done += b.length;
      opts.onProgress?.(done, total);
    }
  } catch (e) {
    if (opts.signal?.aborted) throw new BackendFetchError('cancelled', `the download of ${meta.name} was cancelled`);
    if (e instanceof BackendFetchError) throw e;
    throw new BackendFetchError('network', `${meta.tarball}: ${(e as Error).message}`);
  }
  const got = `sha512-${hash.digest('base64')}`;
  if (got !== meta.integrity)
    throw new BackendFetchError('integrity', `${meta.name}@${meta.version}: the download's sha512 does not match the registry's integrity`);
  const partial = join(dirname(dest), `.${basename(dest)}.partial`);
  rmSync(partial, { recursive: true, force: true });
  try {
    untarPackage(Buffer.concat(chunks), partial);
    if (!existsSync(join(partial, 'package.json'))) throw new Error('no package.json in the tarball');
    renameSync(partial, dest);
  } catch (e) {
    rmSync(partial, { recursive: true, force: true });
    throw e;
  }
}
