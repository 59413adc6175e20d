#!/usr/bin/env node
// The same extension-host suites (test/vscode/*.suite.ts) in desktop VS Code through @vscode/test-electron.
// It downloads VS Code, so it needs internet: CI here uses scripts/test-vscode.mjs (the VS Code server)
// instead. Usage: npm run test:electron [-- --version 1.99.3]
import { join } from 'node:path';
import { ROOT, freshDir, log, prepareTestWorkspace } from './lib/vscode-server.mjs';

const argv = process.argv.slice(2);
const version = argv.includes('--version') ? argv[argv.indexOf('--version') + 1] : 'stable';
const { runTests } = await import('@vscode/test-electron');
const run = freshDir(join(ROOT, '.artifacts', 'electron-test'));
const { workspace, modelDir } = await prepareTestWorkspace(run);
log(`model: ${modelDir}`);
try {
  await runTests({
    version,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: join(ROOT, 'dist-test', 'vscode', 'index'),
    extensionTestsEnv: { TOKENSCOPE_TEST_MODEL: modelDir, TOKENSCOPE_TEST_GREP: process.env.TOKENSCOPE_TEST_GREP ?? '' },
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', join(run, 'ud')],
  });
  log('extension-host tests passed (desktop VS Code)');
} catch (e) {
  console.error(`[tokenscope] desktop VS Code tests failed or could not start: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
