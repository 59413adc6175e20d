// A model from the hub into the shared cache: the listing pins the revision to a commit, every file is
// resolved at that commit (one HEAD each, so the total is known before a byte moves), fetched unless its blob
// is already cached, linked into snapshots/{commit}/, and refs/{revision} is written last. The graph file is
// linked after its data files, so a snapshot with the graph has the whole variant.
import { checkSpace, RepoCache, sizeOf } from './cache-layout';
import { type CachedModel, findCachedModel } from './cached-model';
import { checkRepoId, checkRevision } from './endpoint';
import { HubError } from './errors';
import { type BlobJob, fetchBlob, type RetryPolicy } from './download-blob';
import { fetchFileMeta, fetchListing, type FileMeta, type HubClient } from './hub-http';
import { planFiles, type RepoListing, type Sibling } from './plan';

export interface DownloadProgress {
  /** The file being fetched, as a repo path. */
  file: string;
  /** Bytes in the cache so far, over all planned files (cached blobs and resumed parts count as done). */
  done: number;
  total: number;
  /** Bytes that came over the network in this run (for a speed). */
  transferred: number;
}

export interface DownloadOptions extends HubClient {
  cacheDir: string;
  onProgress?: (p: DownloadProgress) => void;
  retry?: Partial<RetryPolicy>;
}

export interface DownloadedModel extends CachedModel {
  /** Files whose blobs were fetched in this run (the rest were in the cache already). */
  fetched: string[];
}

/** The listing of repo@revision (checked ids; 401/404 as HubErrors that say which). */
export async function listRepo(client: HubClient, repo: string, revision: string): Promise<RepoListing> {
  return fetchListing(client, checkRepoId(repo), checkRevision(revision));
}

/** Fetches the planned files of listing (planFiles) and returns the snapshot folder. */
export async function downloadModel(
  listing: RepoListing,
  revision: string,
  files: Sibling[],
  opts: DownloadOptions,
): Promise<DownloadedModel> {
  const { repo, commit } = listing;
  const cache = new RepoCache(opts.cacheDir, repo);
  await cache.prepare();
  const metas = await resolveAll(opts, listing, files);
  const total = metas.reduce((a, m) => a + m.size, 0);
  await checkSpace(cache.root, await bytesMissing(cache, metas));
  let done = 0;
  let transferred = 0;
  const fetched: string[] = [];
  for (const [i, f] of files.entries()) {
    const meta = metas[i];
    let net = 0;
    const report = (onDisk: number) => opts.onProgress?.({ file: f.path, done: done + onDisk, total, transferred: transferred + net });
    const job: BlobJob = {
      client: opts,
      cache,
      path: f.path,
      repo,
      meta,
      retry: opts.retry,
      relocate: async () => (await fetchFileMeta(opts, { repo, revision: commit, path: f.path })).url,
      onBytes: (onDisk, n) => {
        net = n;
        report(onDisk);
      },
    };
    if ((await fetchBlob(job)) === 'downloaded') fetched.push(f.path);
    await cache.link(commit, f.path, meta.etag);
    report(meta.size);
    done += meta.size;
    transferred += net;
  }
  await cache.writeRef(revision, commit);
  const cached = await findCachedModel(opts.cacheDir, repo, commit);
  if (!cached) throw new HubError('not-a-model', `the snapshot of ${repo} at ${commit} is missing files after the download`);
  return { ...cached, fetched };
}

/** Bytes still to fetch: blobs already cached and parts already fetched do not count. */
async function bytesMissing(cache: RepoCache, metas: FileMeta[]): Promise<number> {
  let missing = 0;
  for (const m of metas) {
    if ((await sizeOf(cache.blob(m.etag))) === m.size) continue;
    missing += m.size - Math.min(m.size, (await sizeOf(cache.incomplete(m.etag))) ?? 0);
  }
  return missing;
}

/** Every file's metadata at the listing's commit; a file the hub resolves to another commit is refused. */
async function resolveAll(client: HubClient, listing: RepoListing, files: Sibling[]): Promise<FileMeta[]> {
  const metas: FileMeta[] = [];
  for (const f of files) {
    const meta = await fetchFileMeta(client, { repo: listing.repo, revision: listing.commit, path: f.path });
    if (meta.commit !== listing.commit)
      throw new HubError('http', `the hub resolved ${f.path} to commit ${meta.commit}, not ${listing.commit} as its listing said`);
    metas.push(meta);
  }
  return metas;
}

/**
 * repo@revision as a model folder: from the cache with no network when it is whole there (with the asked
 * variant, if one is asked), else listed and downloaded (the default variant unless one is asked).
 */
export async function ensureModel(
  req: { repo: string; revision: string; variant?: string },
  opts: DownloadOptions,
): Promise<DownloadedModel & { fromCache: boolean }> {
  const repo = checkRepoId(req.repo);
  const revision = checkRevision(req.revision);
  const cached = await findCachedModel(opts.cacheDir, repo, revision);
  if (cached && (!req.variant || cached.variants.includes(req.variant))) return { ...cached, fetched: [], fromCache: true };
  const listing = await fetchListing(opts, repo, revision);
  const model = await downloadModel(listing, revision, planFiles(listing, req.variant), opts);
  return { ...model, fromCache: false };
}
