// A loopback Hugging Face hub for the download tests, with the real hub's semantics: the revision listing
// (/api/models/{repo}/revision/{rev}, siblings with sizes and LFS hashes), /resolve/ answering small files
// itself (ETag = git blob sha1) and LFS files with a 302 to a content store on ANOTHER origin (X-Linked-Etag =
// sha256, X-Linked-Size, X-Repo-Commit), Range requests, X-Error-Code on 401/404, a gated repo whose files want a
// token (its listing is public, as on the hub). Faults per file: a connection cut after N bytes, a flipped byte, a pause, a store that then stays down.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fault {
  /** Send this many bytes of the body, then drop the connection (once). */
  cutAfter?: number;
  /** After the cut, answer every request for the file with 503. */
  thenDown?: boolean;
  /** Serve the file with one byte flipped. */
  corrupt?: boolean;
  /** Send this many bytes, then hold the response open without sending more (once); onPause is called. */
  pauseAfter?: number;
  onPause?: () => void;
  /** Answer a Range request with the whole file (200), as a server without range support would. */
  ignoreRange?: boolean;
}

interface Repo {
  commit: string;
  files: Map<string, Buffer>;
  gated: boolean;
}

export interface Seen {
  server: 'hub' | 'store';
  method: string;
  path: string;
  range?: string;
  auth?: string;
}

export const TOKEN = 'hf_fake_token';
export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
export const gitSha1 = (b: Buffer) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');
const isLfs = (path: string) => path.startsWith('onnx/') || path.endsWith('.gguf');

export class FakeHub {
  readonly repos = new Map<string, Repo>();
  readonly faults = new Map<string, Fault>();
  readonly seen: Seen[] = [];
  private readonly held = new Set<ServerResponse>();

  private constructor(
    private readonly hub: Server,
    private readonly store: Server,
  ) {}

  static async start(): Promise<FakeHub> {
    const listen = (s: Server) => new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    const f: FakeHub = new FakeHub(
      createServer((q, s) => f.onHub(q, s)),
      createServer((q, s) => f.onStore(q, s)),
    );
    await Promise.all([listen(f.hub), listen(f.store)]);
    return f;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.hub.address() as AddressInfo).port}`;
  }

  private get storeUrl(): string {
    return `http://127.0.0.1:${(this.store.address() as AddressInfo).port}`;
  }

  addRepo(repo: string, files: Record<string, Buffer>, gated = false): string {
    const commit = createHash('sha1').update(repo).update(String(this.repos.size)).digest('hex');
    this.repos.set(repo, { commit, files: new Map(Object.entries(files)), gated });
    return commit;
  }

  async close(): Promise<void> {
    for (const r of this.held) r.destroy();
    const stop = (s: Server) =>
      new Promise<void>((r) => {
        s.closeAllConnections();
        s.close(() => r());
      });
    await Promise.all([stop(this.hub), stop(this.store)]);
  }

  private record(server: Seen['server'], q: IncomingMessage): void {
    this.seen.push({ server, method: q.method ?? '', path: q.url ?? '', range: q.headers.range, auth: q.headers.authorization });
  }

  private onHub(q: IncomingMessage, s: ServerResponse): void {
    this.record('hub', q);
    const url = new URL(q.url ?? '/', this.url);
    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const m = api ?? resolve;
    if (!m) return refuse(s, 404, 'RepoNotFound', 'no such route');
    const repo = this.repos.get(m[1]);
    if (!repo) return refuse(s, 404, 'RepoNotFound', 'Repository not found');
    const rev = decodeURIComponent(m[2]);
    if (rev !== 'main' && rev !== repo.commit) return refuse(s, 404, 'RevisionNotFound', `Invalid rev id: ${rev}`);
    // As on the real hub, a gated repo's listing is public; its files are not.
    if (api) return this.listing(s, m[1], repo);
    if (repo.gated && q.headers.authorization !== `Bearer ${TOKEN}`)
      return refuse(s, 401, 'GatedRepo', `Access to model ${m[1]} is restricted`);
    const path = decodeURIComponent(m[3]);
    const data = repo.files.get(path);
    if (!data) return refuse(s, 404, 'EntryNotFound', `${path} does not exist`);
    s.setHeader('x-repo-commit', repo.commit);
    if (!isLfs(path)) {
      s.setHeader('etag', `"${gitSha1(data)}"`);
      return this.serve(q, s, path, data);
    }
    s.writeHead(302, {
      location: `${this.storeUrl}/blobs/${sha256(data)}?file=${encodeURIComponent(`${m[1]}/${path}`)}`,
      'x-linked-etag': `"${sha256(data)}"`,
      'x-linked-size': String(data.length),
      etag: '"pointer-etag"',
    });
    s.end();
  }

  private listing(s: ServerResponse, id: string, repo: Repo): void {
    const siblings = [...repo.files].map(([rfilename, b]) => ({
      rfilename,
      size: b.length,
      blobId: gitSha1(b),
      ...(isLfs(rfilename) ? { lfs: { sha256: sha256(b), size: b.length, pointerSize: 134 } } : {}),
    }));
    s.writeHead(200, { 'content-type': 'application/json' });
    s.end(JSON.stringify({ id, sha: repo.commit, private: false, gated: repo.gated ? 'manual' : false, siblings }));
  }

  private onStore(q: IncomingMessage, s: ServerResponse): void {
    this.record('store', q);
    const url = new URL(q.url ?? '/', this.storeUrl);
    const file = url.searchParams.get('file') ?? '';
    const slash = file.indexOf('/', file.indexOf('/') + 1);
    const data = this.repos.get(file.slice(0, slash))?.files.get(file.slice(slash + 1));
    if (!data || url.pathname !== `/blobs/${sha256(data)}`) return refuse(s, 404, '', 'no such blob');
    this.serve(q, s, file.slice(slash + 1), data);
  }

  /** The bytes of a file, from a Range start if asked, with the file's fault applied. */
  private serve(q: IncomingMessage, s: ServerResponse, path: string, data: Buffer): void {
    const fault = this.faults.get(path) ?? {};
    if (fault.thenDown && fault.cutAfter === undefined) return refuse(s, 503, '', 'down');
    let body = data;
    if (fault.corrupt) {
      body = Buffer.from(data);
      body[body.length >> 1] ^= 0xff;
    }
    const start = fault.ignoreRange ? 0 : Number(/^bytes=(\d+)-$/.exec(q.headers.range ?? '')?.[1] ?? 0);
    if (start >= body.length && start > 0) return refuse(s, 416, '', 'range not satisfiable');
    const ranged = start > 0 || (!!q.headers.range && !fault.ignoreRange);
    s.writeHead(ranged ? 206 : 200, {
      'content-length': String(body.length - start),
      'accept-ranges': 'bytes',
      ...(ranged ? { 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
    });
    if (q.method === 'HEAD') return void s.end();
    const rest = body.subarray(start);
    if (fault.cutAfter !== undefined) {
      const n = fault.cutAfter;
      fault.cutAfter = undefined;
      // A moment before the cut, so the client has read what arrived (an errored stream drops unread chunks).
      return void s.write(rest.subarray(0, n), () => setTimeout(() => s.socket?.destroy(), 50));
    }
    if (fault.pauseAfter !== undefined) {
      const n = fault.pauseAfter;
      fault.pauseAfter = undefined;
      this.held.add(s);
      return void s.write(rest.subarray(0, n), () => fault.onPause?.());
    }
    s.end(rest);
  }
}

function refuse(s: ServerResponse, status: number, code: string, message: string): void {
  s.writeHead(status, { 'content-type': 'text/plain', ...(code ? { 'x-error-code': code } : {}), 'x-error-message': message });
  s.end(message);
}
