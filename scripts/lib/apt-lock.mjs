// Waits for the apt/dpkg lock instead of failing on it. A fresh machine often runs unattended-upgrades or
// another apt-get right after boot, and apt-get then dies with "Could not get lock". apt and dpkg take POSIX
// (fcntl) locks on a few files; the kernel lists every held lock in /proc/locks with its pid and inode, so
// the holder can be named and waited for without root.
import { readFileSync, statSync } from 'node:fs';

export const APT_LOCKS = ['/var/lib/dpkg/lock-frontend', '/var/lib/dpkg/lock', '/var/lib/apt/lists/lock', '/var/cache/apt/archives/lock'];

/** Linux's dev_t as /proc/locks writes it: "major:minor" in hex. */
function devName(dev) {
  const major = Math.floor(dev / 256) & 0xfff;
  const minor = (dev & 0xff) | (Math.floor(dev / 4096) & 0xfff00);
  return `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}`;
}

function commandOf(pid) {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').replace(/\s+/g, ' ').trim();
    return cmd.length > 120 ? `${cmd.slice(0, 117)}...` : cmd;
  } catch {
    return '';
  }
}

/** The processes holding a lock on any of `files` (none where /proc/locks cannot be read). */
export function lockHolders(files = APT_LOCKS, procLocks = '/proc/locks') {
  let table;
  try {
    table = readFileSync(procLocks, 'utf8');
  } catch {
    return [];
  }
  const ids = new Map();
  for (const file of files) {
    try {
      const st = statSync(file);
      ids.set(`${devName(st.dev)}:${st.ino}`, file);
    } catch {
      // No such lock file: nothing holds it.
    }
  }
  const holders = [];
  for (const line of table.split('\n')) {
    // "1: POSIX  ADVISORY  WRITE 1234 fe:00:5678 0 EOF"; "1: -> POSIX ..." lines are waiters, not holders.
    const m = /^\d+:\s+(POSIX|FLOCK|OFDLCK)\s+\S+\s+\S+\s+(-?\d+)\s+([0-9a-f]+:[0-9a-f]+):(\d+)\s/.exec(line);
    if (!m) continue;
    const file = ids.get(`${m[3]}:${m[4]}`);
    const pid = Number(m[2]);
    if (file && pid > 0 && !holders.some((h) => h.pid === pid && h.file === file)) holders.push({ pid, file, command: commandOf(pid) });
  }
  return holders;
}

export function describeHolders(holders) {
  const pids = [...new Map(holders.map((h) => [h.pid, h])).values()];
  return pids.map((h) => `pid ${h.pid}${h.command ? ` (${h.command})` : ''}`).join(', ');
}

/**
 * Resolves once no process holds the apt/dpkg lock. Says once who holds it and that it waits; rejects with a
 * message a person can act on after `timeoutMs`. `onWait` runs once, when it starts waiting (tests).
 */
export async function waitForAptLock({ files = APT_LOCKS, timeoutMs = 15 * 60_000, pollMs = 2000, say = console.log, onWait } = {}) {
  let holders = lockHolders(files);
  if (holders.length === 0) return;
  const started = Date.now();
  say(
    `[tokenscope] another package manager is running: ${describeHolders(holders)} holds the apt/dpkg lock. Waiting for it to finish (up to ${Math.round(timeoutMs / 60_000)} min) ...`,
  );
  onWait?.(holders);
  for (;;) {
    await new Promise((r) => setTimeout(r, pollMs));
    holders = lockHolders(files);
    if (holders.length === 0) return say('[tokenscope] the apt/dpkg lock is free again.');
    if (Date.now() - started >= timeoutMs) {
      const err = new Error(
        `the apt/dpkg lock is still held by ${describeHolders(holders)} after ${Math.round((Date.now() - started) / 1000)} s. ` +
          'Let that install finish (or stop it), then run the command again.',
      );
      err.code = 'APT_LOCK_TIMEOUT';
      throw err;
    }
  }
}
