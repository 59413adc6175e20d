import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendOrder } from '../../../../model-runtime/gguf/binding';

test('backends are tried best first, only those this machine supports, the CPU always last resort', () => {
  assert.deepEqual(backendOrder(undefined, ['cuda', 'vulkan']), ['cuda', 'vulkan', 'cpu']);
  assert.deepEqual(backendOrder(undefined, []), ['cpu']);
  assert.deepEqual(backendOrder(undefined, ['metal']), ['metal', 'cpu']);
});

test("a requested order keeps the caller's llama.cpp backends and ignores onnxruntime-only names", () => {
  assert.deepEqual(backendOrder(['webgpu', 'vulkan', 'cpu'], ['cuda', 'vulkan']), ['vulkan', 'cpu']);
  assert.deepEqual(backendOrder(['cpu'], ['cuda']), ['cpu']);
  assert.deepEqual(backendOrder(['dml', 'webgpu'], ['vulkan']), ['vulkan', 'cpu']);
});
