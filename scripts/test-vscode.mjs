#!/usr/bin/env node
// Runs the Mocha suites of test/vscode/ inside a real VS Code extension host: the VS Code server from the
// code-server npm package (installed once under .tools/), opened in headless Chromium. No internet needed.
// Two passes: a trusted workspace (every suite but Restricted Mode's), then the same workspace untrusted
// (the Restricted Mode suite only). TOKENSCOPE_TEST_MODE in the extension host says which pass runs.
// Usage: node scripts/test-vscode.mjs [--grep <pattern>] [--only trusted|restricted]   (after `npm run build`)
import { existsSync } from 'node:fs';
import { format } from 'node:util';
import { join } from 'node:path';
import { defaultGguf } from './lib/default-gguf.mjs';
import {
  ROOT,
  ensureVscodeServer,
  freePort,
  freshDir,
  launchChromium,
  log,
  prepareTestWorkspace,
  startServer,
} from './lib/vscode-server.mjs';

const argv = process.argv.slice(2);
const grep = argv.includes('--grep') ? argv[argv.indexOf('--grep') + 1] : process.env.TOKENSCOPE_TEST_GREP;
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const timeoutMs = Number(process.env.TOKENSCOPE_TEST_TIMEOUT_MS || 300_000);

if (!existsSync(join(ROOT, 'dist', 'extension.js')) || !existsSync(join(ROOT, 'dist-test', 'vscode', 'index.js'))) {
  console.error('Build first: npm run build');
  process.exit(2);
}
ensureVscodeServer();

// The workbench's own offline noise (gallery, telemetry, chat sign-in) is hidden unless TOKENSCOPE_VERBOSE.
const noise =
  /ENOTFOUND|AgentHost|ChatModelSelection|AccountPolicyGate|queryGallery|getExtensions|marketplace|connection token|Creating a socket|Service Worker|authentication provider|^\s+at /;

async function pass(mode) {
  const run = freshDir(join(ROOT, '.artifacts', `vscode-test-${mode}`));
  // Restricted: the workspace names a model other than the default, so ignoring it is visible.
  const { workspace, modelDir } = await prepareTestWorkspace(
    run,
    mode === 'restricted' ? join(ROOT, 'test', 'fixtures', 'models', 'gpt2-tiny') : undefined,
  );
  log(`${mode} workspace; model: ${modelDir}`);
  // The GGUF suite runs the default model's own weights on llama.cpp (converted once, ~5 s).
  const gguf = mode === 'trusted' ? defaultGguf(ROOT, modelDir) : undefined;
  if (gguf instanceof Error) log(`no GGUF of the default model: ${gguf.message}`);
  const port = await freePort();
  const server = await startServer({
    kind: 'server',
    port,
    dataDir: join(run, 'server'),
    trust: mode === 'trusted' ? 'off' : 'on',
    quiet: !process.env.TOKENSCOPE_VERBOSE,
    env: {
      TOKENSCOPE_TEST_GREP: grep ?? '',
      TOKENSCOPE_TEST_MODEL: modelDir,
      TOKENSCOPE_TEST_MODE: mode,
      TOKENSCOPE_TEST_GGUF: typeof gguf === 'string' ? gguf : '',
    },
  });
  log(`VS Code server on ${server.url} (pid ${server.pid})`);
  const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
  const payload = [
    ['extensionDevelopmentPath', remote(ROOT)],
    ['extensionTestsPath', remote(join(ROOT, 'dist-test', 'vscode', 'index'))],
    ['skipWelcome', 'true'],
  ];
  const url = `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  let code = 1;
  const context = await launchChromium(join(run, 'chromium'));
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const exit = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (c) => resolve(c)));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      if (!process.env.TOKENSCOPE_VERBOSE && text.split('\n').every((l) => noise.test(l) || !l.trim())) return;
      if (type === 'error') console.error(text);
      else console.log(text);
    });
    await page.goto(url);
    const timer = new Promise((resolve) => setTimeout(() => resolve('timeout'), timeoutMs));
    const result = await Promise.race([exit, timer]);
    if (result === 'timeout') {
      await page.screenshot({ path: join(run, 'timeout.png') }).catch(() => {});
      console.error(`extension tests did not finish within ${timeoutMs / 1000} s (screenshot: ${join(run, 'timeout.png')})`);
    } else code = Number(result);
  } finally {
    await context.close().catch(() => {});
    server.stop();
  }
  log(code === 0 ? `extension-host tests passed (${mode})` : `extension-host tests failed (${mode}, exit ${code})`);
  return code;
}

let failed = 0;
for (const mode of ['trusted', 'restricted']) if (!only || only === mode) failed += (await pass(mode)) === 0 ? 0 : 1;
process.exit(failed ? 1 : 0);
