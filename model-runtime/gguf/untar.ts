// Unpacks an npm package tarball (gzip'd ustar, with pax headers for long names) into a folder, stripping the
// leading "package/". Only regular files and folders; a path that would leave the folder is refused.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

function field(h: Buffer, at: number, len: number): string {
  const raw = h.subarray(at, at + len);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? len : end).toString('utf8');
}

function octal(h: Buffer, at: number, len: number): number {
  const s = field(h, at, len).trim();
  return s ? parseInt(s, 8) : 0;
}

/** pax extended header records: "<len> <key>=<value>\n". */
function paxPath(body: Buffer): string | undefined {
  for (const line of body.toString('utf8').split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

/** Writes every file of the .tgz under `dest` (created); returns the relative paths written. */
export function untarPackage(tgz: Buffer, dest: string): string[] {
  const tar = gunzipSync(tgz);
  const written: string[] = [];
  let longName: string | undefined;
  for (let at = 0; at + BLOCK <= tar.length; ) {
    const h = tar.subarray(at, at + BLOCK);
    if (h.every((b) => b === 0)) break;
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156] || 48);
    const body = tar.subarray(at + BLOCK, at + BLOCK + size);
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      longName = paxPath(body);
      continue;
    }
    const prefix = field(h, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(h, 0, 100)}` : field(h, 0, 100));
    longName = undefined;
    if (type !== '0' && type !== '5') continue; // links, devices, global headers: npm packages need none
    const rel = normalize(name.replace(/^package\/?/, ''));
    if (rel === '.') continue; // the package folder itself
    if (rel.startsWith('..') || rel.startsWith(sep)) throw new Error(`the package holds a path outside itself: ${name}`);
    const out = join(dest, rel);
    if (type === '5') mkdirSync(out, { recursive: true });
    else {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, body, { mode: octal(h, 100, 8) & 0o111 ? 0o755 : 0o644 });
      written.push(rel);
    }
  }
  return written;
}
