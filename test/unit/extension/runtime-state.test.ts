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

test('a worker stopped after its crash budget says why, and a click restarts it', () => {
  const reason = 'The model worker stopped after 6 crashes within 60 s (the last: the model worker crashed (signal SIGKILL)).';
  const d = describeState({ kind: 'stopped', reason });
  assert.match(d.text, /stopped/);
  assert.match(d.tooltip, /stopped after 6 crashes/);
  assert.equal(d.command, 'tokenscope.restartWorker');
  assert.deepEqual(
    d.actions?.map((a) => a.command),
    ['tokenscope.restartWorker', 'tokenscope.showLog'],
  );
  assert.equal(d.severity, 'error');
  // Stopped on purpose (before the first start, or disposed): no alarm, the menu as usual.
  const plain = describeState({ kind: 'stopped' });
  assert.equal(plain.command, undefined);
  assert.equal(plain.severity, undefined);
});

test('a notice (a restart, a failed load) shows as a warning while the model serves', () => {
  const notice = 'loading /x failed (config.json is missing); still using tokenscope-code';
  const d = describeState({ kind: 'ready', model, provider, notice });
  assert.match(d.text, /^\$\(warning\) tokenscope-code/);
  assert.match(d.tooltip, /Note: loading \/x failed/);
  assert.match(describeState({ kind: 'busy', model, provider, notice }).tooltip, /still using/);
  assert.doesNotMatch(describeState({ kind: 'ready', model, provider }).tooltip, /Note:/);
  const restarting = describeState({
    kind: 'error',
    message: 'the model worker stopped answering for 90 s (no heartbeat)',
    restarting: true,
  });
  assert.match(restarting.tooltip, /restarting the model worker: the model worker stopped answering for 90 s/);
});
