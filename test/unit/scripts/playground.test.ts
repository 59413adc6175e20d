// The folder `npm start` opens (scripts/lib/playground.mjs): VS Code's own chat kept out of sight, the model
// setting only when no default model is bundled; and the --port flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

interface Playground {
  playgroundSettings(modelDir?: string): Record<string, unknown>;
  portFlag(argv: string[]): number | undefined;
}
const lib = () => import(pathToFileURL(resolve('scripts/lib/playground.mjs')).href) as Promise<Playground>;

test("the playground's settings hide VS Code's built-in chat and point at a model only when needed", async () => {
  const { playgroundSettings } = await lib();
  assert.deepEqual(playgroundSettings(), {
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
  });
  assert.equal(playgroundSettings('/models/gpt2-tiny')['tokenscope.model.path'], '/models/gpt2-tiny');
});

test('--port takes a port number, and says plainly what is wrong otherwise', async () => {
  const { portFlag } = await lib();
  assert.equal(portFlag(['--browser']), undefined);
  assert.equal(portFlag(['--port', '8123']), 8123);
  assert.throws(() => portFlag(['--port']), /--port needs a port number \(1-65535\), got nothing/);
  assert.throws(() => portFlag(['--port', 'abc']), /got abc/);
  assert.throws(() => portFlag(['--port', '70000']), /got 70000/);
});
