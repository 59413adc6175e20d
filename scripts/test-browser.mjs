#!/usr/bin/env node
// Browser UI test: packages the VSIX (npm run package), installs it into code-server (from the npm
// package, cached under .tools/), opens the sample workspace in headless Chromium, and runs
// test/browser/completion.ui.ts: type, see ghost text from the real model, accept with Tab, check the file.
// Screenshots go to .artifacts/browser/ (one is copied to media/screenshots/ with --update-screenshot).
// Usage: node scripts/test-browser.mjs [--vsix <file>] [--update-screenshot] [--headed] [--ui editor-latency]
// --ui editor-latency runs test/browser/editor-latency.ui.ts instead (npm run bench:editor: a measurement).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  CODE_SERVER_ENTRY,
  NODE24,
  ROOT,
  copySamples,
  defaultModel,
  ensureVscodeServer,
  freePort,
  freshDir,
  launchChromium,
  log,
  startServer,
  testModelDir,
} from './lib/vscode-server.mjs';

const argv = process.argv.slice(2);
const opt = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);

ensureVscodeServer();
const run = freshDir(join(ROOT, '.artifacts', 'browser'));

// 1. The packaged extension.
let vsix = opt('--vsix');
if (!vsix) {
  const hasDefault = !!defaultModel();
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'package.mjs'), ...(hasDefault ? [] : ['--allow-no-model'])], {
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  const dir = join(ROOT, '.artifacts', 'package');
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  vsix = join(dir, `tokenscope-${process.platform}-${process.arch}-${pkg.version}.vsix`);
}
log(`VSIX: ${vsix}`);

// 2. A fresh profile with the extension installed, and the model for the test.
const dataDir = join(run, 'code-server');
const extDir = join(dataDir, 'ext');
const inst = spawnSync(
  NODE24,
  [
    CODE_SERVER_ENTRY,
    '--config',
    join(dataDir, 'config.yaml'),
    '--extensions-dir',
    extDir,
    '--user-data-dir',
    join(dataDir, 'ud'),
    '--install-extension',
    vsix,
  ],
  { stdio: 'inherit' },
);
if (inst.status !== 0) {
  console.error('installing the VSIX into code-server failed');
  process.exit(1);
}
const installed = readdirSync(extDir).find((n) => n.startsWith('tokenscope.tokenscope'));
if (!installed) throw new Error(`the VSIX was not installed into ${extDir}`);
const bundledModels = join(extDir, installed, 'media', 'models');
const bundled = existsSync(bundledModels) ? readdirSync(bundledModels)[0] : undefined;
const modelDir = bundled ? join(bundledModels, bundled) : await testModelDir();
log(`model: ${modelDir}${bundled ? ' (bundled in the VSIX)' : ''}`);
const modelName = basename(modelDir);

mkdirSync(join(dataDir, 'ud', 'User'), { recursive: true });
writeFileSync(
  join(dataDir, 'ud', 'User', 'settings.json'),
  JSON.stringify(
    {
      ...(bundled ? {} : { 'tokenscope.model.path': modelDir }),
      'tokenscope.sampling.seed': 7,
      // bench:editor compares debounce settings: TOKENSCOPE_DEBOUNCE_MS=120 npm run bench:editor
      ...(process.env.TOKENSCOPE_DEBOUNCE_MS ? { 'tokenscope.completion.debounceMs': Number(process.env.TOKENSCOPE_DEBOUNCE_MS) } : {}),
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'editor.inlineSuggest.enabled': true,
      'security.workspace.trust.enabled': false,
      'chat.disableAIFeatures': true,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'telemetry.telemetryLevel': 'off',
    },
    null,
    2,
  ),
);
const workspace = join(run, 'workspace');
copySamples(workspace);
// 3. code-server and Chromium.
const port = await freePort();
const server = await startServer({ kind: 'code-server', port, dataDir, folder: workspace, quiet: !process.env.TOKENSCOPE_VERBOSE });
log(`code-server on ${server.url}`);
const context = await launchChromium(join(run, 'chromium'), { headless: !argv.includes('--headed') });
let code = 1;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  const ui = await import(join(ROOT, 'dist-test', 'browser', `${opt('--ui') ?? 'completion'}.ui.js`));
  const { screenshots } = await (ui.run ?? ui.default.run)({ page, workspace, artifacts: run, modelName, log });
  if (argv.includes('--update-screenshot')) {
    mkdirSync(join(ROOT, 'media', 'screenshots'), { recursive: true });
    const best = screenshots.find((s) => s.endsWith('ghost-text.png'));
    if (best) copyFileSync(best, join(ROOT, 'media', 'screenshots', 'inline-completion.png'));
  }
  code = 0;
} catch (e) {
  console.error(e);
  const page = context.pages()[0];
  if (page) await page.screenshot({ path: join(run, 'failure.png') }).catch(() => {});
  log(`failure screenshot: ${join(run, 'failure.png')}`);
} finally {
  await context.close().catch(() => {});
  server.stop();
}
log(code === 0 ? 'browser UI test passed' : 'browser UI test failed');
process.exit(code);
