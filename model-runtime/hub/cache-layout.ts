// The Hugging Face cache layout that Python's huggingface_hub, transformers.js's node cache and other tools
// share: {cache}/models--{org}--{name}/blobs/{etag} (the content, named by its hash), snapshots/{commit}/{path}
// as relative links to the blobs, refs/{revision} holding the commit. A snapshot only ever links to a blob that
// was verified and renamed into place, so whatever a snapshot holds is whole.
import { copyFile, lstat, mkdir, readFile, rename, rm, statfs, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { COMMIT } from './endpoint';
import { fsError, HubError } from './errors';

/** HF_HUB_CACHE, else HF_HOME/hub, else $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub (as Python resolves it). */
export function hubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HUGGINGFACE_HUB_CACHE) return env.HUGGINGFACE_HUB_CACHE;
  if (env.HF_HOME) return join(env.HF_HOME, 'hub');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface', 'hub');
}

/** One repo's folder in the cache and the paths inside it. */
export class RepoCache {
  readonly root: string;
  constructor(
    readonly cacheDir: string,
    readonly repo: string,
  ) {
    this.root = join(cacheDir, `models--${repo.replace('/', '--')}`);
  }

  blob(etag: string): string {
    return join(this.root, 'blobs', etag);
  }

  /** Where a blob is written until it is whole and verified. */
  incomplete(etag: string): string {
    return `${this.blob(etag)}.incomplete`;
  }

  snapshot(commit: string): string {
    return join(this.root, 'snapshots', commit);
  }

  ref(revision: string): string {
    return join(this.root, 'refs', ...revision.split('/'));
  }

  /** The commit a revision points at: a commit is itself, a branch or tag is read from refs/. */
  async commitOf(revision: string): Promise<string | undefined> {
    if (COMMIT.test(revision)) return revision;
    try {
      const commit = (await readFile(this.ref(revision), 'utf8')).trim();
      return COMMIT.test(commit) ? commit : undefined;
    } catch {
      return undefined;
    }
  }

  /** refs/{revision} = commit, written whole (temp file then rename); a commit needs no ref. */
  async writeRef(revision: string, commit: string): Promise<void> {
    if (revision === commit) return;
    const path = this.ref(revision);
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(tmp, commit);
      await rename(tmp, path);
    } catch (e) {
      await rm(tmp, { force: true });
      throw fsError(e, path);
    }
  }

  /**
   * snapshots/{commit}/{path} -> ../../blobs/{etag} (relative, so the cache can move). Where links cannot be
   * made (Windows without developer mode) the blob is copied, as huggingface_hub does.
   */
  async link(commit: string, path: string, etag: string): Promise<string> {
    const target = join(this.snapshot(commit), ...path.split('/'));
    try {
      await mkdir(dirname(target), { recursive: true });
      await rm(target, { force: true });
      try {
        await symlink(relative(dirname(target), this.blob(etag)), target);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
        await copyFile(this.blob(etag), target);
      }
    } catch (e) {
      throw fsError(e, target);
    }
    return target;
  }

  /** Creates blobs/ (the first write into the cache): an unwritable cache fails here, before any download. */
  async prepare(): Promise<void> {
    try {
      await mkdir(join(this.root, 'blobs'), { recursive: true });
    } catch (e) {
      throw fsError(e, this.root);
    }
  }
}

/** Size of a path without following links, or undefined when nothing is there. */
export async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await lstat(path)).size;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a download that cannot fit before a byte is written (a full disk mid-file is still caught by the
 * write). Where the file system cannot say (statfs unsupported), the download goes ahead.
 */
export async function checkSpace(dir: string, needed: number, free = freeBytes): Promise<void> {
  const have = await free(dir).catch(() => undefined);
  if (have === undefined || have >= needed) return;
  const mb = (n: number) => `${(n / 1e6).toFixed(0)} MB`;
  throw new HubError(
    'disk-full',
    `the download needs ${mb(needed)} but only ${mb(have)} is free at ${dir}: free some space, or point HF_HUB_CACHE at another disk`,
  );
}

async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}
