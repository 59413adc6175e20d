// Where the hub is and how its URLs are spelled: the endpoint (a setting, else HF_ENDPOINT, else
// huggingface.co), repo ids and revisions checked before they become URLs or cache paths, the listing URL and
// the resolve URL of one file. Revisions are quoted whole ("refs/pr/1" -> "refs%2Fpr%2F1"), as huggingface_hub does.
import { HubError } from './errors';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

/** The hub's base URL without a trailing slash: the setting if given, else HF_ENDPOINT, else huggingface.co. */
export function hubEndpoint(setting: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const raw = (setting?.trim() || env.HF_ENDPOINT?.trim() || DEFAULT_ENDPOINT).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HubError('bad-request', `the hub endpoint "${raw}" is not a URL (tokenscope.hub.endpoint or HF_ENDPOINT)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new HubError('bad-request', `the hub endpoint "${raw}" must be an http:// or https:// URL`);
  return raw;
}

const PART = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

/** "org/name" as the hub spells model ids; anything else (a URL, a path, "..") is refused with what was expected. */
export function checkRepoId(id: string): string {
  const repo = id.trim();
  const parts = repo.split('/');
  const ok = parts.length === 2 && parts.every((p) => PART.test(p) && !p.includes('..') && !p.includes('--') && !p.endsWith('.'));
  if (!ok)
    throw new HubError('bad-request', `"${id}" is not a model id: expected "organisation/name", e.g. HuggingFaceTB/SmolLM2-135M-Instruct`);
  return repo;
}

/** A branch, tag or commit; it also names a file under refs/, so no "..", no empty or absolute parts. */
export function checkRevision(revision: string): string {
  const rev = revision.trim();
  const ok = /^[A-Za-z0-9._\-/]{1,200}$/.test(rev) && rev.split('/').every((p) => p !== '' && p !== '.' && p !== '..');
  if (!ok) throw new HubError('bad-request', `"${revision}" is not a revision: expected a branch, tag or commit such as "main"`);
  return rev;
}

/** A file path inside a repo, safe to join under a snapshot folder. */
export function checkRepoPath(path: string): string {
  const ok =
    path.length > 0 && !path.startsWith('/') && !path.includes('\\') && path.split('/').every((p) => p !== '' && p !== '.' && p !== '..');
  if (!ok) throw new HubError('bad-request', `"${path}" is not a file path inside a repo`);
  return path;
}

export const COMMIT = /^[0-9a-f]{40}$/;

/** The repo's files at a revision, with sizes and LFS hashes (`blobs=true`), and the commit the revision is at. */
export function listingUrl(endpoint: string, repo: string, revision: string): string {
  return `${endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
}

export function resolveUrl(endpoint: string, repo: string, revision: string, path: string): string {
  return `${endpoint}/${repo}/resolve/${encodeURIComponent(revision)}/${path.split('/').map(encodeURIComponent).join('/')}`;
}

/** The model's page, for messages that send the user there (to accept a license). */
export function repoPage(endpoint: string, repo: string): string {
  return `${endpoint}/${repo}`;
}
