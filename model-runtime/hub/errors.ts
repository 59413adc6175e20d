// Every way a hub download fails, as one error type whose message says what happened and what to do. The
// hub names its refusals in the X-Error-Code header (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo),
// which is how a missing repo is told from a missing file behind the same 404.

export type HubErrorCode =
  | 'bad-request'
  | 'repo-not-found'
  | 'revision-not-found'
  | 'file-not-found'
  | 'auth'
  | 'not-a-model'
  | 'network'
  | 'http'
  | 'integrity'
  | 'disk-full'
  | 'cache-unwritable'
  | 'cancelled';

export class HubError extends Error {
  constructor(
    readonly code: HubErrorCode,
    message: string,
    /** For 'auth': whether the request carried a token (a wrong token is told from a missing one). */
    readonly hadToken = false,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

/** What a request was for, to say in an error. */
export interface RequestSubject {
  repo: string;
  revision: string;
  /** A file in the repo; absent for the repo listing. */
  path?: string;
}

const TOKEN_HELP =
  'accept its terms on its page on the hub if it is gated, then give Tokenscope a read token (https://huggingface.co/settings/tokens)';

/** A refused response as a HubError; the caller has already handled 2xx and 3xx. */
export function httpError(status: number, headers: Headers, subject: RequestSubject, hadToken: boolean): HubError {
  const code = headers.get('x-error-code') ?? '';
  const said = headers.get('x-error-message');
  const what = subject.path ? `${subject.path} in ${subject.repo}@${subject.revision}` : `${subject.repo}@${subject.revision}`;
  const detail = said ? ` (the hub says: ${said})` : '';
  if (code === 'RepoNotFound')
    return new HubError(
      'repo-not-found',
      `model ${subject.repo} not found on the hub${detail}; check the id, or if it is private, give a token that can read it`,
      hadToken,
    );
  if (code === 'RevisionNotFound')
    return new HubError('revision-not-found', `revision "${subject.revision}" of ${subject.repo} not found${detail}`, hadToken);
  if (code === 'EntryNotFound' || (status === 404 && subject.path))
    return new HubError('file-not-found', `${what} not found${detail}`, hadToken);
  if (status === 401 || status === 403 || code === 'GatedRepo') {
    const why = hadToken ? 'the token was refused or has no access to it' : 'it needs a Hugging Face token';
    return new HubError('auth', `${subject.repo} is gated or private: ${why}${detail}; ${TOKEN_HELP}`, hadToken);
  }
  if (status === 404) return new HubError('repo-not-found', `model ${subject.repo} not found on the hub${detail}`, hadToken);
  return new HubError('http', `the hub answered ${status} for ${what}${detail}`, hadToken);
}

/** A file system failure in the cache as a HubError that names the folder and what to do. */
export function fsError(e: unknown, path: string): HubError {
  const code = (e as NodeJS.ErrnoException).code;
  const msg = (e as Error).message;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new HubError(
      'disk-full',
      `the disk is full writing ${path}: free some space and run the download again (it resumes from what was written)`,
    );
  if (['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'EISDIR'].includes(code ?? ''))
    return new HubError(
      'cache-unwritable',
      `cannot write the Hugging Face cache at ${path} (${msg}): make it writable, or point HF_HUB_CACHE or HF_HOME at a writable folder`,
    );
  return new HubError('cache-unwritable', `cannot write ${path} (${msg})`);
}

export const cancelled = () => new HubError('cancelled', 'the download was cancelled');

/** True for the errors fetch and streams throw when their signal aborts. */
export function isAbort(e: unknown, signal?: AbortSignal): boolean {
  return !!signal?.aborted || (e instanceof Error && (e.name === 'AbortError' || (e as HubError).code === 'cancelled'));
}
