// Mocha entry point loaded by VS Code's extension host (extensionTestsPath): runs every suite built
// from test/vscode/*.suite.ts. Used by scripts/test-vscode.mjs (VS Code server) and
// scripts/test-electron.mjs (desktop VS Code via @vscode/test-electron).
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000, reporter: 'spec' });
  const grep = process.env.TOKENSCOPE_TEST_GREP;
  if (grep) mocha.grep(grep);
  // The restricted pass (an untrusted workspace) runs restricted.suite only; the trusted pass the others.
  const restricted = process.env.TOKENSCOPE_TEST_MODE === 'restricted';
  for (const f of readdirSync(__dirname)
    .filter((f) => f.endsWith('.suite.js'))
    .sort()) {
    if ((f === 'restricted.suite.js') === restricted) mocha.addFile(join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} test(s) failed`)) : resolve()));
  });
}
