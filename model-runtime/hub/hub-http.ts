// Requests to the hub: the repo listing and one file's metadata (the commit, the etag that names its blob, its
// size, the hash to verify, and where its bytes are). Redirects are followed by hand: the hub's headers are on
// its own answer, not on the CDN's, and the token goes to the hub's origin only, never to the content store.
// fetch is a parameter (globalThis.fetch by default, looked up per call): in VS Code's extension host that is
// VS Code's fetch, which honours http.proxy, http.proxySupport and the system certificates
// (http.fetchAdditionalSupport, on by default), so no proxy dependency is needed. Outside VS Code (the tests, a
// script) it is Node's own fetch, which on Node 20 ignores proxies: pass a fetch that uses one there.
import { listingUrl, resolveUrl } from './endpoint';
import { cancelled, HubError, httpError, type RequestSubject } from './errors';
import { parseListing, type RepoListing } from './plan';

export interface HubClient {
  /** The hub's base URL (endpoint.ts). */
  endpoint: string;
  /** A Hugging Face token, sent as Authorization: Bearer to the endpoint's origin only. */
  token?: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Metadata requests fail after this long (default 30 s). */
  timeoutMs?: number;
}

export interface FileMeta {
  /** X-Repo-Commit. */
  commit: string;
  /** Names the blob: X-Linked-Etag (an LFS file's sha256) or ETag (a git file's blob sha1), unquoted. */
  etag: string;
  size: number;
  /** Where the bytes are: the content store the hub redirected to, or the hub itself for small files. */
  url: string;
  /** The hash to check the content against, when the etag is one we can recompute. */
  expect?: { algorithm: 'sha256' | 'git-sha1'; hex: string };
}

/** Authorization for a URL: only on the hub's own origin. */
export function authHeaders(client: HubClient, url: string): Record<string, string> {
  if (!client.token || new URL(url).origin !== new URL(client.endpoint).origin) return {};
  return { authorization: `Bearer ${client.token}` };
}

/** fetch with the client's signal; a connection failure becomes a 'network' HubError naming the host. */
export async function send(client: HubClient, url: string, init: RequestInit, signal = client.signal): Promise<Response> {
  try {
    return await (client.fetch ?? globalThis.fetch)(url, { ...init, signal });
  } catch (e) {
    if (client.signal?.aborted) throw cancelled();
    throw networkError(url, e);
  }
}

export function networkError(url: string, e: unknown): HubError {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (e as Error).message;
  const proxy = "behind a proxy, set VS Code's http.proxy";
  return new HubError('network', `cannot reach ${new URL(url).host} (${why}): check the connection (${proxy})`);
}

function deadline(client: HubClient): AbortSignal {
  const t = AbortSignal.timeout(client.timeoutMs ?? 30_000);
  return client.signal ? AbortSignal.any([client.signal, t]) : t;
}

/** The repo's files at a revision and the commit it resolved to. */
export async function fetchListing(client: HubClient, repo: string, revision: string): Promise<RepoListing> {
  const url = listingUrl(client.endpoint, repo, revision);
  const res = await send(client, url, { headers: { accept: 'application/json', ...authHeaders(client, url) } }, deadline(client));
  if (!res.ok) {
    await res.body?.cancel();
    throw httpError(res.status, res.headers, { repo, revision }, !!client.token);
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch (e) {
    if (client.signal?.aborted) throw cancelled();
    throw new HubError('http', `the hub's listing of ${repo} is not JSON (${(e as Error).message})`);
  }
  return parseListing(repo, json);
}

const unquote = (etag: string | null) => etag?.replace(/^W\//, '').replace(/^"|"$/g, '') || undefined;

/**
 * HEAD of {endpoint}/{repo}/resolve/{revision}/{path}: relative redirects (a renamed repo, the hub's own
 * caches) are followed with the token; the first redirect elsewhere is where the bytes are, and the headers
 * of that answer are the hub's word on the file.
 */
export async function fetchFileMeta(client: HubClient, subject: Required<RequestSubject>): Promise<FileMeta> {
  const origin = new URL(client.endpoint).origin;
  let url = resolveUrl(client.endpoint, subject.repo, subject.revision, subject.path);
  for (let hops = 0; hops < 10; hops++) {
    const headers = { 'accept-encoding': 'identity', ...authHeaders(client, url) };
    const res = await send(client, url, { method: 'HEAD', headers, redirect: 'manual' }, deadline(client));
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url).href;
      if (new URL(next).origin === origin && !res.headers.get('x-linked-etag')) {
        url = next;
        continue;
      }
      return metaFrom(res.headers, next, subject, true);
    }
    if (!res.ok) throw httpError(res.status, res.headers, subject, !!client.token);
    return metaFrom(res.headers, url, subject, false);
  }
  throw new HubError('http', `too many redirects resolving ${subject.path} in ${subject.repo}`);
}

function metaFrom(h: Headers, url: string, subject: Required<RequestSubject>, redirect: boolean): FileMeta {
  const linked = unquote(h.get('x-linked-etag'));
  const etag = linked ?? unquote(h.get('etag'));
  // A redirect's Content-Length is its own body's: only X-Linked-Size gives the file's size there.
  const size = Number(h.get('x-linked-size') ?? (redirect ? null : h.get('content-length')) ?? Number.NaN);
  const commit = h.get('x-repo-commit') ?? '';
  const what = `${subject.path} in ${subject.repo}@${subject.revision}`;
  if (!etag || !/^[0-9a-f]{40}$/.test(commit) || !Number.isSafeInteger(size) || size < 0)
    throw new HubError('http', `the hub sent no commit, etag or size for ${what}: is the endpoint a Hugging Face hub?`);
  // The etag names a file in blobs/: nothing that could leave that folder.
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(etag) || /^\.+$/.test(etag)) throw new HubError('http', `unexpected etag "${etag}" for ${what}`);
  let expect: FileMeta['expect'];
  if (linked && /^[0-9a-f]{64}$/.test(linked)) expect = { algorithm: 'sha256', hex: linked };
  else if (!linked && /^[0-9a-f]{40}$/.test(etag)) expect = { algorithm: 'git-sha1', hex: etag };
  return { commit, etag, size, url, expect };
}
