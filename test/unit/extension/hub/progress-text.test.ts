import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBytes, progressText, SpeedMeter } from '../../../../extension/hub/progress-text';

test('bytes in B, kB, MB and GB', () => {
  assert.deepEqual(
    [formatBytes(12), formatBytes(12_345), formatBytes(640_200_000), formatBytes(1_960_000_000)],
    ['12 B', '12 kB', '640.2 MB', '1.96 GB'],
  );
});

test('the speed is over the recent window, not the whole download', () => {
  const m = new SpeedMeter(3000);
  assert.equal(m.rate(0, 0), 0);
  assert.equal(m.rate(1_000_000, 1000), 1_000_000);
  m.rate(2_000_000, 2000);
  m.rate(2_000_000, 5000); // stalled for 3 s
  assert.ok(m.rate(2_000_000, 8000) < 1);
});

test('the notification line: file, bytes of the whole download, speed', () => {
  const p = { file: 'onnx/model_quantized.onnx', done: 62_100_000, total: 640_200_000, transferred: 1 };
  assert.equal(progressText(p, 12_300_000), 'model_quantized.onnx: 62.1 MB of 640.2 MB, 12.3 MB/s');
  assert.equal(progressText(p, 0), 'model_quantized.onnx: 62.1 MB of 640.2 MB');
});
