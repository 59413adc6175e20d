import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelInfo } from '../../../model-runtime/protocol';
import { describeState } from '../../../extension/runtime-state';

const model = {
  name: 'tokenscope-code',
  dir: '/m',
  architecture: 'llama',
  layers: 10,
  contextLength: 1024,
  supportsFim: true,
} as ModelInfo;
const provider = { active: 'cpu', fallbacks: [{ provider: 'webgpu', reason: 'no adapter' }] };

test('the status bar words each worker state', () => {
  assert.match(describeState({ kind: 'loading', modelDir: '/m' }).text, /loading~spin/);
  const ready = describeState({ kind: 'ready', model, provider });
  assert.equal(ready.text, '$(sparkle) tokenscope-code · cpu');
  assert.match(ready.tooltip, /not webgpu: no adapter/);
  assert.match(describeState({ kind: 'busy', model, provider, tokensPerSecond: 123.4 }).text, /tokenscope-code 123 tok\/s/);
  assert.match(describeState({ kind: 'error', message: 'boom' }).tooltip, /boom/);
  assert.match(describeState({ kind: 'error', message: 'crashed', restarting: true }).text, /restarting/);
  assert.match(describeState({ kind: 'ready', model, provider }, false).text, /auto off/);
});
