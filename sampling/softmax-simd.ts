// Softmax statistics with WebAssembly SIMD (source: softmax-simd.wat, which says how to rebuild the bytes).
// The per-step pass over the vocabulary is the runtime's largest cost outside the model: in plain
// JavaScript Math.exp over 50k logits costs about as much as a small model's whole decode step.
const WASM =
  'AGFzbQEAAAABEgNgAX8BfWACf30Bf2ADf31/AAMEAwABAgUDAQAEByMEBm1lbW9yeQIAA21heAAAB2luZGV4T2YAAQZleHBzdW0AAgqLBANQAgJ/AXtDAACA//0TIQMgAEECdCECAkADQCABIAJPDQEgAyAB/QAEAP3pASEDIAFBEGohAQwACwsgA/0fACAD/R8BlyAD/R8CIAP9HwOXlwstAQF/AkADQCACIABPDQEgAkECdCoCACABWwRAIAIPCyACQQFqIQIMAAsLQX8LiQMCAn8LeyAB/RMhBSAAQQJ0IQQCQANAIAMgBE8NASAD/QAEACAF/eUBQwAAoML9E/3pASEGIAZDO6q4P/0T/eYB/WohByAGIAdDAHIxP/0T/eYB/eUBIAdDjr6/Nf0T/eYB/eUBIQhDiYgIPP0TIAhDYQu2Ov0T/eYB/eQBIQlDq6oqPf0TIAggCf3mAf3kASEJQ6uqKj79EyAIIAn95gH95AEhCUMAAAA//RMgCCAJ/eYB/eQBIQlDAACAP/0TIAggCf3mAf3kASEJQwAAgD/9EyAIIAn95gH95AEhCSAJIAf9+AFBF/2rAf2uASEKIAYgCv3mASELIAwgCv1f/fABIQwgDSAKIAr9DQgJCgsMDQ4PAAECAwQFBgf9X/3wASENIA4gC/1f/fABIQ4gDyALIAv9DQgJCgsMDQ4PAAECAwQFBgf9X/3wASEPIANBEGohAwwACwsgDCAN/fABIQwgDiAP/fABIQ4gAiAM/SEAIAz9IQGgOQMAIAIgDv0hACAO/SEBoDkDCAs=';

interface Exports {
  memory: WebAssembly.Memory;
  max(n: number): number;
  indexOf(n: number, m: number): number;
  expsum(n: number, m: number, out: number): void;
}

let exportsCache: Exports | null | undefined;

function wasm(): Exports | null {
  if (exportsCache === undefined) {
    try {
      const module = new WebAssembly.Module(Uint8Array.from(atob(WASM), (c) => c.charCodeAt(0)));
      exportsCache = new WebAssembly.Instance(module).exports as unknown as Exports;
    } catch {
      exportsCache = null; // no SIMD here: callers use the JavaScript loop
    }
  }
  return exportsCache;
}

/** max, argmax (first), sum of exp(x - max), entropy; undefined when SIMD is unavailable or the input
 * holds no finite maximum (the caller's exact loop handles those). Relative error about 1e-7. */
export function simdSoftmaxStats(logits: Float32Array): { max: number; argmax: number; sum: number; entropy: number } | undefined {
  const x = wasm();
  if (!x) return undefined;
  const n = logits.length;
  const n4 = (n + 3) & ~3;
  const need = n4 * 4 + 16;
  if (x.memory.buffer.byteLength < need) x.memory.grow(Math.ceil((need - x.memory.buffer.byteLength) / 65536));
  const f = new Float32Array(x.memory.buffer, 0, n4);
  f.set(logits);
  f.fill(-Infinity, n);
  const max = x.max(n4);
  if (!Number.isFinite(max)) return undefined;
  const argmax = x.indexOf(n, max);
  x.expsum(n4, max, n4 * 4);
  const [sum, weighted] = new Float64Array(x.memory.buffer, n4 * 4, 2);
  if (!(sum > 0) || !Number.isFinite(weighted)) return undefined;
  return { max, argmax, sum, entropy: Math.log(sum) - weighted / sum };
}
