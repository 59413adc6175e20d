// The onnxruntime session and the choice of execution provider. Providers are tried one at a time, in
// order; each that fails is recorded with its reason, so the host can say why the model runs on the CPU.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ProviderReport } from '../protocol';

/** Default order: fastest first, CPU last (always present). */
export function defaultProviders(platform: NodeJS.Platform = process.platform): string[] {
  const list = ['cuda'];
  if (platform === 'win32') list.push('dml');
  if (platform === 'darwin') list.push('coreml');
  list.push('webgpu', 'cpu');
  return list;
}

export interface SessionOptions {
  providers?: string[];
  /** Intra-op threads; undefined lets onnxruntime choose. */
  threads?: number;
  /** Extra onnxruntime session options (experiments, tests). */
  extra?: ort.InferenceSession.SessionOptions;
  /** Outputs to leave in GPU memory on a GPU provider (the KV cache: fed back as the next step's past
   * without a round trip through the CPU). */
  gpuOutputs?: string[];
}

/** Providers whose outputs onnxruntime-node can leave on the GPU ('gpu-buffer'). */
export const GPU_BUFFER_PROVIDERS = new Set(['webgpu']);

export interface OpenSession {
  session: ort.InferenceSession;
  provider: ProviderReport;
}

/** Why a provider cannot be tried at all here, or undefined when it can. */
function unavailable(name: string): string | undefined {
  const backends = ort.listSupportedBackends?.() ?? [];
  const b = backends.find((x) => x.name === name);
  if (name === 'cpu') return undefined;
  if (name === 'dml' && process.platform !== 'win32') return 'DirectML exists only on Windows';
  if (name === 'coreml' && process.platform !== 'darwin') return 'CoreML exists only on macOS';
  if (!b) return `not in this onnxruntime-node build (${process.platform}-${process.arch})`;
  if (!b.bundled && name === 'cuda' && !cudaLibraryPresent()) {
    // The CUDA provider library is downloaded by onnxruntime-node's install script, not shipped in the package.
    return 'CUDA provider library not installed (onnxruntime-node installs it only when its install script downloads it)';
  }
  return undefined;
}

function cudaLibraryPresent(): boolean {
  try {
    const root = dirname(dirname(require.resolve('onnxruntime-node')));
    const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    const bin = join(root, 'bin');
    return existsSync(bin) && readdirSync(bin).some((v) => existsSync(join(bin, v, process.platform, process.arch, lib)));
  } catch {
    return false;
  }
}

/** Where the Vulkan loader looks for driver manifests on Linux (its env overrides first). */
export function vulkanIcdFiles(
  env: NodeJS.ProcessEnv = process.env,
  dirs = ['/usr/share/vulkan/icd.d', '/usr/local/share/vulkan/icd.d', '/etc/vulkan/icd.d'],
): string[] {
  const listed = env.VK_DRIVER_FILES || env.VK_ICD_FILENAMES;
  if (listed) return listed.split(':').filter(Boolean);
  return dirs.flatMap((d) => {
    try {
      return readdirSync(d)
        .filter((f) => f.endsWith('.json'))
        .map((f) => join(d, f));
    } catch {
      return [];
    }
  });
}

const SOFTWARE_VULKAN = /lvp|lavapipe|swiftshader|llvmpipe/i;

/**
 * When every Vulkan driver is a CPU rasteriser (Mesa's lavapipe, SwiftShader), WebGPU runs on the CPU through
 * shaders, far slower than the CPU provider (measured: 2.8 tok/s), so automatic choice skips it. Returns the
 * reason to skip, or undefined. An explicit provider list still gets WebGPU (tests use lavapipe on purpose).
 */
export function softwareOnlyVulkan(icdFiles: string[]): string | undefined {
  if (!icdFiles.length) return undefined;
  const libs = icdFiles.map((f) => {
    try {
      return String((JSON.parse(readFileSync(f, 'utf8')) as { ICD?: { library_path?: string } }).ICD?.library_path ?? f);
    } catch {
      return f;
    }
  });
  if (!libs.every((l) => SOFTWARE_VULKAN.test(l))) return undefined;
  return `only a software Vulkan driver is installed (${libs.map((l) => l.split('/').pop()).join(', ')}): slower than the CPU provider; list "webgpu" explicitly to use it anyway`;
}

export async function openSession(modelPath: string, opts: SessionOptions = {}): Promise<OpenSession> {
  const auto = !opts.providers?.length;
  const order = auto ? defaultProviders() : opts.providers!;
  const fallbacks: { provider: string; reason: string }[] = [];
  for (const name of order) {
    const why =
      unavailable(name) ?? (auto && name === 'webgpu' && process.platform === 'linux' ? softwareOnlyVulkan(vulkanIcdFiles()) : undefined);
    if (why) {
      fallbacks.push({ provider: name, reason: why });
      continue;
    }
    const base: ort.InferenceSession.SessionOptions = {
      executionProviders: [name],
      graphOptimizationLevel: 'all',
      ...(opts.threads ? { intraOpNumThreads: opts.threads, interOpNumThreads: 1 } : {}),
      ...opts.extra,
    };
    const gpu = opts.gpuOutputs && GPU_BUFFER_PROVIDERS.has(name);
    try {
      const session = await ort.InferenceSession.create(
        modelPath,
        gpu ? { ...base, preferredOutputLocation: Object.fromEntries(opts.gpuOutputs!.map((n) => [n, 'gpu-buffer' as const])) } : base,
      );
      return { session, provider: { active: name, fallbacks } };
    } catch (e) {
      if (gpu) {
        // The provider may work with outputs on the CPU.
        try {
          const session = await ort.InferenceSession.create(modelPath, base);
          return {
            session,
            provider: { active: name, fallbacks, notes: [`keys/values kept on the CPU: ${firstLine((e as Error).message)}`] },
          };
        } catch {
          // fall through: report the first error
        }
      }
      fallbacks.push({ provider: name, reason: firstLine((e as Error).message) });
    }
  }
  // CPU was not in the list, or failed: say so plainly.
  throw new Error(`no execution provider could load ${modelPath}: ${fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ')}`);
}

function firstLine(s: string): string {
  const line =
    String(s)
      .split('\n')
      .find((l) => l.trim()) ?? String(s);
  return line.length > 300 ? line.slice(0, 300) + '…' : line;
}
