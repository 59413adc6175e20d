import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepPositions, planWindows } from '../../../extension/heatmap/windows';

test('a short text is one window', () => {
  assert.deepEqual(planWindows(100, 1000, 200), [{ start: 0, end: 100, keepFrom: 0 }]);
  assert.deepEqual(planWindows(0, 1000, 200), []);
});

test('long texts slide with overlap and every character is kept exactly once', () => {
  const ws = planWindows(2500, 1000, 250);
  assert.deepEqual(ws, [
    { start: 0, end: 1000, keepFrom: 0 },
    { start: 750, end: 1750, keepFrom: 1000 },
    { start: 1500, end: 2500, keepFrom: 1750 },
  ]);
  for (const w of ws) assert.ok(w.end - w.start <= 1000);
});

test('window positions are shifted to absolute offsets and the overlap is dropped', () => {
  const [, second] = planWindows(2500, 1000, 250);
  const kept = keepPositions(second, [{ offset: 0, text: 'a' }, { offset: 249, text: 'b' }, { offset: 250, text: 'c' }, { offset: 900, text: 'd' }]);
  assert.deepEqual(kept.map((p) => [p.offset, p.text]), [[1000, 'c'], [1650, 'd']]);
});
