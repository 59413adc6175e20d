// One file into the cache: written to blobs/{etag}.incomplete, resumed with a Range request when the
// connection drops (or from an .incomplete an earlier run left), checked against the hub's hash, and only then
// renamed to blobs/{etag}. A corrupted file is deleted; a cancelled or cut one keeps its .incomplete, which
// nothing links to and the next run resumes from.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { type FileHandle, open, rename, rm, writeFile } from 'node:fs/promises';
import type { RepoCache } from './cache-layout';
import { sizeOf } from './cache-layout';
import { cancelled, fsError, HubError, httpError } from './errors';
import { authHeaders, type FileMeta, type HubClient, networkError } from './hub-http';

export interface RetryPolicy {
  /** Failed attempts in a row (no byte arrived between them) before giving up. */
  attempts: number;
  /** First wait before a retry; doubled each time. */
  delayMs: number;
  /** A response that sends nothing for this long is dropped and resumed. */
  stallMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, delayMs: 1000, stallMs: 30_000 };

export interface BlobJob {
  client: HubClient;
  cache: RepoCache;
  /** The file's path in the repo (for messages). */
  path: string;
  repo: string;
  meta: FileMeta;
  /** A fresh URL for the bytes before a retry (a content store's signed URLs expire). */
  relocate?: () => Promise<string>;
  /** Bytes of this file now on disk, and how many of them came over the network in this run. */
  onBytes?: (onDisk: number, fromNetwork: number) => void;
  retry?: Partial<RetryPolicy>;
}

/** The hash the hub gave for the file, recomputed over what is written. */
class Digest {
  private hash!: Hash;
  constructor(private readonly meta: FileMeta) {
    this.reset();
  }
  reset(): void {
    const e = this.meta.expect;
    this.hash = createHash(e?.algorithm === 'sha256' ? 'sha256' : 'sha1');
    // A git blob id is the sha1 of "blob <size>\0" and the content.
    if (e?.algorithm === 'git-sha1') this.hash.update(`blob ${this.meta.size}\0`);
  }
  update(b: Uint8Array): void {
    this.hash.update(b);
  }
  /** The computed hex when it differs from the expected one; undefined when it matches or nothing is expected. */
  mismatch(): string | undefined {
    const e = this.meta.expect;
    const hex = this.hash.digest('hex');
    return e && hex !== e.hex ? hex : undefined;
  }
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

/** Downloads the blob unless the cache has it; returns which happened. */
export async function fetchBlob(job: BlobJob): Promise<'cached' | 'downloaded'> {
  const { cache, meta } = job;
  if ((await sizeOf(cache.blob(meta.etag))) === meta.size) return 'cached';
  const part = cache.incomplete(meta.etag);
  const digest = new Digest(meta);
  const state = { offset: await resume(part, meta.size, digest), url: meta.url, fromNetwork: 0 };
  job.onBytes?.(state.offset, 0);
  const retry = { ...DEFAULT_RETRY, ...job.retry };
  let failures = 0;
  while (state.offset < meta.size) {
    if (job.client.signal?.aborted) throw cancelled();
    const before = state.offset;
    let why = 'the response ended early';
    try {
      await fetchRest(job, part, state, digest, retry.stallMs);
    } catch (e) {
      if (job.client.signal?.aborted) throw cancelled();
      if (e instanceof HubError && e.code === 'integrity') await rm(part, { force: true });
      if (!(e instanceof HubError) || e.code !== 'network') throw e;
      why = e.message;
    }
    if (state.offset >= meta.size) break;
    failures = state.offset > before ? 1 : failures + 1;
    if (failures > retry.attempts)
      throw new HubError(
        'network',
        `the download of ${job.path} stopped at ${mb(state.offset)} of ${mb(meta.size)} and ${retry.attempts} retries failed (${why}); ` +
          'what arrived is kept: run the download again to resume',
      );
    await sleep(retry.delayMs * 2 ** (failures - 1), job.client.signal);
    state.url = (await job.relocate?.().catch(() => undefined)) ?? state.url;
  }
  await verify(job, part, digest);
  return 'downloaded';
}

/** Bytes already in an .incomplete, hashed so the digest covers them; one longer than the file is discarded. */
async function resume(part: string, size: number, digest: Digest): Promise<number> {
  const have = await sizeOf(part);
  if (have === undefined) return 0;
  if (have > size) {
    await rm(part, { force: true });
    return 0;
  }
  for await (const chunk of createReadStream(part)) digest.update(chunk as Buffer);
  return have;
}

async function verify(job: BlobJob, part: string, digest: Digest): Promise<void> {
  const got = digest.mismatch();
  if (got !== undefined) {
    await rm(part, { force: true });
    const e = job.meta.expect!;
    throw new HubError(
      'integrity',
      `${job.path} from ${job.repo} arrived corrupted (its ${e.algorithm} is ${got}, the hub says ${e.hex}): ` +
        'it was deleted and nothing was kept; run the download again',
    );
  }
  try {
    if (job.meta.size === 0) await writeFile(part, ''); // nothing was fetched for an empty file
    await rename(part, job.cache.blob(job.meta.etag));
  } catch (e) {
    throw fsError(e, job.cache.blob(job.meta.etag));
  }
}

/** One GET from state.offset to the end, appending to the .incomplete; moves state.offset as bytes land. */
async function fetchRest(
  job: BlobJob,
  part: string,
  state: { offset: number; url: string; fromNetwork: number },
  digest: Digest,
  stallMs: number,
) {
  const stall = new AbortController();
  const signal = job.client.signal ? AbortSignal.any([job.client.signal, stall.signal]) : stall.signal;
  let timer = setTimeout(() => stall.abort(), stallMs);
  const headers: Record<string, string> = { 'accept-encoding': 'identity', ...authHeaders(job.client, state.url) };
  if (state.offset > 0) headers.range = `bytes=${state.offset}-`;
  let file: FileHandle | undefined;
  try {
    const res = await (job.client.fetch ?? globalThis.fetch)(state.url, { headers, signal, redirect: 'follow' });
    await checkResponse(job, res, state, part, digest);
    const fh = await open(part, 'a').catch((e) => Promise.reject(fsError(e, part)));
    file = fh;
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      clearTimeout(timer);
      timer = setTimeout(() => stall.abort(), stallMs);
      if (state.offset + value.length > job.meta.size)
        throw new HubError(
          'integrity',
          `${job.path} from ${job.repo} is longer than the ${job.meta.size} bytes the hub announced: deleted`,
        );
      digest.update(value);
      await fh.write(value).catch((e) => Promise.reject(fsError(e, part)));
      state.offset += value.length;
      state.fromNetwork += value.length;
      job.onBytes?.(state.offset, state.fromNetwork);
    }
  } catch (e) {
    if (e instanceof HubError) throw e;
    if (stall.signal.aborted && !job.client.signal?.aborted)
      throw new HubError('network', `no data from ${new URL(state.url).host} for ${stallMs / 1000} s`);
    throw networkError(state.url, e);
  } finally {
    clearTimeout(timer);
    await file?.close();
  }
}

/** 206 from where we are, or 200 from the start (the server ignored the Range: start over); else an error. */
async function checkResponse(job: BlobJob, res: Response, state: { offset: number; url: string }, part: string, digest: Digest) {
  const subject = { repo: job.repo, revision: job.meta.commit, path: job.path };
  if (res.status === 206) {
    const start = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1];
    if (Number(start) === state.offset) return;
    await res.body?.cancel();
    throw new HubError('network', `the server resumed ${job.path} at the wrong place (${res.headers.get('content-range')})`);
  }
  if (res.ok) {
    if (state.offset > 0) {
      await rm(part, { force: true }).catch((e) => Promise.reject(fsError(e, part)));
      digest.reset();
      state.offset = 0;
    }
    return;
  }
  await res.body?.cancel();
  // A content store's signed URL that expired answers 403; overload and server errors pass. Retry those.
  const elsewhere = new URL(state.url).origin !== new URL(job.client.endpoint).origin;
  if (res.status >= 500 || res.status === 429 || res.status === 408 || (elsewhere && res.status === 403))
    throw new HubError('network', `the server answered ${res.status} for ${job.path}`);
  throw httpError(res.status, res.headers, subject, !!job.client.token);
}
