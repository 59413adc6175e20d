#!/usr/bin/env node
// `npm start`: from a fresh clone to Tokenscope running in a real VS Code with the default model loaded and
// a sample file to complete in. Installs what is missing (npm ci, the VS Code server from the code-server
// npm package under .tools/), builds, then opens:
//   - the desktop `code` (Extension Development Host) when it is installed and --browser is not given;
//   - otherwise the VS Code server in the browser: prints the URL (and stays up until Ctrl+C).
// Flags: --browser (skip desktop code), --port N (default: a free one; the server listens on 127.0.0.1 only),
// --smoke (start, check in headless Chromium that the extension loaded the model and VS Code's own chat is out
// of sight, then exit: for CI). A failure ends with one plain line saying what failed, not a stack trace.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { playgroundSettings, portFlag, writeUserSettings } from './lib/playground.mjs';

const ROOT = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const argv = process.argv.slice(2);
const say = (m) => console.log(`[tokenscope] ${m}`);
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
/** One plain line (the tools' own output above says more); TOKENSCOPE_VERBOSE=1 adds the stack. */
function fail(e) {
  console.error(`[tokenscope] npm start failed: ${e?.message ?? e}`);
  if (process.env.TOKENSCOPE_VERBOSE && e?.stack) console.error(e.stack);
  process.exit(1);
}
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts, env: { ...process.env, ...opts.env } });
  if (r.status !== 0) {
    console.error(`[tokenscope] ${cmd} ${args.join(' ')} failed (exit ${r.status})`);
    process.exit(r.status ?? 1);
  }
};

// 1. Dependencies: npm ci when node_modules is missing or older than the lock file.
const port = portFlag(argv);
const lock = join(ROOT, 'package-lock.json');
const marker = join(ROOT, 'node_modules', '.package-lock.json');
if (!existsSync(marker)) {
  say(
    'first run: installs about 1.5 GB (npm packages, then the VS Code server under .tools/) and takes 4-5 minutes; later runs start in seconds',
  );
  say('installing dependencies (npm ci; onnxruntime-node without its download step) ...');
  run('npm', ['ci', '--no-audit', '--no-fund'], { env: { ONNXRUNTIME_NODE_INSTALL: 'skip' } });
} else if (statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000) {
  // An existing tree is updated in place (npm ci would delete it first).
  say('updating dependencies (npm install) ...');
  run('npm', ['install', '--no-audit', '--no-fund'], { env: { ONNXRUNTIME_NODE_INSTALL: 'skip' } });
}

// 2. Build.
say('building ...');
run(process.execPath, ['esbuild.mjs']);

// 3. The playground: a copy of samples/, with the model setting when no default model is bundled.
const playground = join(ROOT, '.artifacts', 'playground');
if (!existsSync(playground)) cpSync(join(ROOT, 'samples'), playground, { recursive: true });
const { defaultModel, testModelDir, ensureVscodeServer, freePort, assertPortFree, startServer, launchChromium } = await import(
  './lib/vscode-server.mjs'
);
const hasDefault = !!defaultModel();
const modelDir = await testModelDir();
if (!hasDefault) say(`no default model under media/models/ yet: using ${modelDir}`);
mkdirSync(join(playground, '.vscode'), { recursive: true });
writeFileSync(
  join(playground, '.vscode', 'settings.json'),
  JSON.stringify(playgroundSettings(hasDefault ? undefined : modelDir), null, 2) + '\n',
);
const sample = join(playground, 'sample.ts');

// 4a. Desktop VS Code.
const onPath = (name) => (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, name)));
if (!argv.includes('--browser') && !argv.includes('--smoke') && onPath('code')) {
  say('opening desktop VS Code (Extension Development Host) ...');
  run('code', ['--new-window', `--extensionDevelopmentPath=${ROOT}`, playground, sample]);
  process.exit(0);
}

// 4b. The VS Code server in the browser.
ensureVscodeServer();
const dataDir = join(ROOT, '.artifacts', 'vscode-server-data');
mkdirSync(dataDir, { recursive: true });
// The secondary side bar's default is read when the window lays out, before a workspace's settings arrive:
// the playground's user settings (kept by this server) say it too.
writeUserSettings(join(dataDir, 'ud', 'User', 'settings.json'), playgroundSettings());
if (port !== undefined) await assertPortFree(port);
const server = await startServer({
  kind: 'server',
  port: port ?? (await freePort()),
  dataDir,
  quiet: !process.env.TOKENSCOPE_VERBOSE,
  extraArgs: [],
});
const remote = server.url.replace(/^http:/, 'vscode-remote:');
const payload = [
  ['extensionDevelopmentPath', `${remote}${ROOT}`],
  ['openFile', `${remote}${sample}`],
  ['skipWelcome', 'true'],
];
const url = `${server.url}/?folder=${encodeURIComponent(playground)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

if (argv.includes('--smoke')) {
  const ctx = await launchChromium(join(ROOT, '.artifacts', 'start-smoke-chromium'));
  let ok = false;
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(url);
    await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
    const name = modelDir.split('/').filter(Boolean).pop();
    await page.locator('.statusbar').getByText(name, { exact: false }).first().waitFor({ timeout: 120_000 });
    await page
      .getByRole('tab', { name: /sample\.ts/ })
      .first()
      .waitFor({ timeout: 30_000 });
    // VS Code's own chat stays out of sight (the playground's settings): no secondary side bar, no chat widget.
    for (const [what, sel] of [
      ['the secondary side bar', '.part.auxiliarybar'],
      ["VS Code's chat", '.interactive-session'],
    ]) {
      if (await page.locator(sel).first().isVisible()) {
        await page.screenshot({ path: join(ROOT, '.artifacts', 'start-smoke.png') });
        throw new Error(`${what} is showing in the playground (.artifacts/start-smoke.png)`);
      }
    }
    await page.screenshot({ path: join(ROOT, '.artifacts', 'start-smoke.png') });
    say(`smoke test: the workbench opened sample.ts, the status bar shows ${name}, VS Code's own chat is hidden`);
    ok = true;
  } catch (e) {
    console.error(e);
  } finally {
    await ctx.close().catch(() => {});
    server.stop();
  }
  process.exit(ok ? 0 : 1);
}

console.log(
  `\n  Tokenscope is running in VS Code (the server from the code-server npm package).\n  Open this URL in a browser on this machine (it listens on 127.0.0.1 only):\n\n  ${url}\n\n  (Ctrl+C stops it.)\n`,
);
if (process.env.DISPLAY && onPath('xdg-open')) spawn('xdg-open', [url], { stdio: 'ignore', detached: true }).unref();
process.on('SIGINT', () => {
  server.stop();
  process.exit(0);
});
await new Promise(() => {});
