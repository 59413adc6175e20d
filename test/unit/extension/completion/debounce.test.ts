import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CancelSource, debounce } from '../../../../extension/completion/debounce';

test('debounce resolves true when not cancelled', async () => {
  const s = new CancelSource();
  assert.equal(await debounce(5, s.token), true);
});

test('debounce resolves false when cancelled while waiting', async () => {
  const s = new CancelSource();
  const p = debounce(10_000, s.token);
  s.cancel();
  assert.equal(await p, false);
});

test('debounce resolves false at once for a token already cancelled', async () => {
  const s = new CancelSource();
  s.cancel();
  assert.equal(await debounce(10_000, s.token), false);
  assert.equal(s.token.isCancellationRequested, true);
});

test('each CancelSource has its own state', () => {
  const a = new CancelSource();
  const b = new CancelSource();
  a.cancel();
  assert.equal(a.token.isCancellationRequested, true);
  assert.equal(b.token.isCancellationRequested, false);
});
