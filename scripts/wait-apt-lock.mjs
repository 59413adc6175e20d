#!/usr/bin/env node
// `node scripts/wait-apt-lock.mjs [--timeout SECONDS]`: returns once no process holds the apt/dpkg lock (the
// shell installers call it before apt-get); exits 1 with a plain message when it waits past the timeout.
import { waitForAptLock } from './lib/apt-lock.mjs';

const argv = process.argv.slice(2);
const timeout = argv.includes('--timeout') ? Number(argv[argv.indexOf('--timeout') + 1]) : 900;
try {
  await waitForAptLock({ timeoutMs: timeout * 1000 });
} catch (e) {
  console.error(`[tokenscope] ${e.message}`);
  process.exit(1);
}
