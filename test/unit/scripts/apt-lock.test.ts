// The apt/dpkg lock wait of `npm start`'s installers (scripts/lib/apt-lock.mjs), against a real lock holder: a
// python3 process holding a POSIX (fcntl) lock on a file, as apt and dpkg do on theirs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Holder {
  pid: number;
  file: string;
  command: string;
}
interface AptLock {
  lockHolders(files: string[]): Holder[];
  waitForAptLock(opts: {
    files: string[];
    timeoutMs?: number;
    pollMs?: number;
    say?: (m: string) => void;
    onWait?: (h: Holder[]) => void;
  }): Promise<void>;
}

const lib = () => import(pathToFileURL(resolve('scripts/lib/apt-lock.mjs')).href) as Promise<AptLock>;
const hasPython = spawnSync('python3', ['-c', 'import fcntl'], { stdio: 'ignore' }).status === 0;

/** A process that holds a POSIX lock on `file` until killed; resolves once it holds it. */
async function holdLock(file: string): Promise<ChildProcess> {
  const code =
    'import fcntl, sys, time\nf = open(sys.argv[1], "w")\nfcntl.lockf(f, fcntl.LOCK_EX)\nprint("locked", flush=True)\ntime.sleep(3600)';
  const child = spawn('python3', ['-c', code, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((res, rej) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && res());
    child.on('exit', (c) => rej(new Error(`lock holder exited (${c})`)));
  });
  return child;
}

function lockFile(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ts-apt-lock-')), 'lock-frontend');
  writeFileSync(file, '');
  return file;
}

test('no holder: returns at once and says nothing', async () => {
  const { waitForAptLock, lockHolders } = await lib();
  const said: string[] = [];
  const file = lockFile();
  assert.deepEqual(lockHolders([file, '/nonexistent/lock']), []);
  await waitForAptLock({ files: [file], say: (m) => said.push(m) });
  assert.deepEqual(said, []);
});

test('a held lock: names the holder, waits, and goes on once it is released', { skip: !hasPython && 'no python3' }, async () => {
  const { waitForAptLock, lockHolders } = await lib();
  const file = lockFile();
  const holder = await holdLock(file);
  try {
    const found = lockHolders([file]);
    assert.deepEqual(
      found.map((h) => [h.pid, h.file]),
      [[holder.pid, file]],
    );
    assert.match(found[0].command, /python3/);
    const said: string[] = [];
    // The holder is stopped when the wait begins: the wait must notice the lock come free.
    await waitForAptLock({ files: [file], pollMs: 20, say: (m) => said.push(m), onWait: () => holder.kill() });
    assert.match(said[0], new RegExp(`pid ${holder.pid} \\(.*python3.*\\) holds the apt/dpkg lock\\. Waiting`));
    assert.match(said[1], /lock is free again/);
  } finally {
    holder.kill();
  }
});

test('a lock held past the timeout: a plain message naming the holder, no stack trace needed', {
  skip: !hasPython && 'no python3',
}, async () => {
  const { waitForAptLock } = await lib();
  const file = lockFile();
  const holder = await holdLock(file);
  try {
    await assert.rejects(
      waitForAptLock({ files: [file], timeoutMs: 100, pollMs: 20, say: () => undefined }),
      (e: Error & { code?: string }) =>
        e.code === 'APT_LOCK_TIMEOUT' && new RegExp(`still held by pid ${holder.pid} .*run the command again`).test(e.message),
    );
  } finally {
    holder.kill();
  }
});
