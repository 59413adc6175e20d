// The files of a model folder, read so that nothing can block the worker or slip through as a raw error. A
// path is opened non-blocking and checked with fstat before a byte is read: a FIFO named config.json would
// otherwise hold the read (and the worker) until a writer came, forever. Folders where files belong, symlink
// loops, devices and files too large for what they claim each get a 'model-folder' error naming the path.
import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, type Stats, statSync } from 'node:fs';
import { RuntimeError } from './errors';

type FolderCode = 'model-folder' | 'unknown-architecture';

export const folderError = (file: string, message: string, code: FolderCode = 'model-folder') =>
  new RuntimeError(code, `${file}: ${message}`, file);

/** What a non-regular file is, in words. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** A file system error as a model-folder error; ENOENT (also a dangling link) as `missing`. */
function fsError(path: string, e: unknown, missing: string): RuntimeError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return folderError(path, missing);
  if (code === 'ELOOP') return folderError(path, 'is a symbolic link loop (or too many links in a row)');
  if (code === 'ENOTDIR') return folderError(path, `${missing}: a part of the path is a file, not a folder`);
  if (code === 'EACCES' || code === 'EPERM') return folderError(path, 'cannot be read (permission denied)');
  if (code === 'ENAMETOOLONG') return folderError(path, 'the path is too long');
  return folderError(path, `cannot be read (${(e as Error).message})`);
}

/** stat() of a path (links followed), or undefined when nothing is there; any other failure names the path. */
export function statPath(path: string, missing = 'missing'): Stats | undefined {
  try {
    return statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fsError(path, e, missing);
  }
}

/** Throws unless `path` is a regular file of at most maxBytes; returns its size. Opens nothing. */
export function checkRegularFile(path: string, what: string, maxBytes = Number.POSITIVE_INFINITY): number {
  const st = statPath(path);
  if (!st) throw folderError(path, `missing (expected ${what})`);
  return checkStats(path, st, what, maxBytes);
}

function checkStats(path: string, st: Stats, what: string, maxBytes: number): number {
  if (!st.isFile()) throw folderError(path, `is ${kindOf(st)}, not a regular file (expected ${what})`);
  if (st.size > maxBytes) throw folderError(path, `is ${st.size} bytes, too large for ${what} (at most ${maxBytes})`);
  return st.size;
}

/** The text of a regular file: opened non-blocking, checked with fstat, then read. */
export function readRegularFile(path: string, what: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw fsError(path, e, `missing (expected ${what})`);
  }
  try {
    checkStats(path, fstatSync(fd), what, maxBytes);
    return readFileSync(fd, 'utf8');
  } catch (e) {
    throw e instanceof RuntimeError ? e : fsError(path, e, `missing (expected ${what})`);
  } finally {
    closeSync(fd);
  }
}

/** The names in a folder; throws when the path is missing, not a folder, or unreadable. */
export function folderNames(path: string, what: string): string[] {
  const st = statPath(path);
  if (!st) throw folderError(path, `missing (expected ${what})`);
  if (!st.isDirectory()) throw folderError(path, `is ${st.isFile() ? 'a file' : kindOf(st)}, not a folder (expected ${what})`);
  try {
    return readdirSync(path);
  } catch (e) {
    throw fsError(path, e, `missing (expected ${what})`);
  }
}
