// Automatic provider choice must not pick WebGPU when the only Vulkan driver is a CPU rasteriser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { softwareOnlyVulkan, vulkanIcdFiles } from '../../../../model-runtime/onnx/session';

function icd(dir: string, name: string, library: string): string {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: library, api_version: '1.3.0' } }));
  return f;
}

test("vulkanIcdFiles: the loader's env list wins, else the manifest folders", () => {
  const dir = mkdtempSync(join(tmpdir(), 'icd-'));
  const a = join(dir, 'a');
  mkdirSync(a);
  const f = icd(a, 'intel_icd.x86_64.json', 'libvulkan_intel.so');
  writeFileSync(join(a, 'README'), 'not a manifest');
  assert.deepEqual(vulkanIcdFiles({}, [a, join(dir, 'missing')]), [f]);
  assert.deepEqual(vulkanIcdFiles({ VK_ICD_FILENAMES: '/x/lvp.json:/y/nv.json' }, [a]), ['/x/lvp.json', '/y/nv.json']);
  assert.deepEqual(vulkanIcdFiles({ VK_DRIVER_FILES: '/z.json', VK_ICD_FILENAMES: '/x.json' }, [a]), ['/z.json']);
});

test('softwareOnlyVulkan: lavapipe alone is skipped, with a reason; any hardware driver keeps WebGPU', () => {
  const dir = mkdtempSync(join(tmpdir(), 'icd-'));
  const lvp = icd(dir, 'lvp_icd.x86_64.json', '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so');
  const nv = icd(dir, 'nvidia_icd.json', 'libGLX_nvidia.so.0');
  const reason = softwareOnlyVulkan([lvp]);
  assert.match(reason ?? '', /software Vulkan.*libvulkan_lvp\.so.*slower than the CPU/);
  assert.equal(softwareOnlyVulkan([lvp, nv]), undefined);
  assert.equal(softwareOnlyVulkan([nv]), undefined);
  // No driver at all: WebGPU is tried and fails with onnxruntime's own "no adapter" message.
  assert.equal(softwareOnlyVulkan([]), undefined);
  // An unreadable manifest is judged by its file name.
  assert.ok(softwareOnlyVulkan([join(dir, 'missing_lvp_icd.json')]));
});
