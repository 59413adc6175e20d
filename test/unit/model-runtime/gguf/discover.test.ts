import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultPlaces, findGgufModels } from '../../../../model-runtime/gguf/discover';
import { isGgufPath, loadGgufEngine } from '../../../../model-runtime/gguf/load';
import { FIXTURES } from '../fixtures';

const GGUF = join(FIXTURES, 'gguf', 'llama-tiny-f32.gguf');
const DIGEST = 'a'.repeat(64);

function put(path: string, text = ''): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** An Ollama store, an LM Studio folder and a Hugging Face cache laid out as each tool writes them. */
function machine(): { root: string; places: ReturnType<typeof defaultPlaces> } {
  const root = mkdtempSync(join(tmpdir(), 'found-'));
  const ollama = join(root, 'ollama');
  mkdirSync(join(ollama, 'blobs'), { recursive: true });
  copyFileSync(GGUF, join(ollama, 'blobs', `sha256-${DIGEST}`));
  const manifest = (digest: string) =>
    JSON.stringify({
      layers: [
        { mediaType: 'application/vnd.ollama.image.template', digest: `sha256:${'b'.repeat(64)}` },
        { mediaType: 'application/vnd.ollama.image.model', digest },
      ],
    });
  put(join(ollama, 'manifests', 'registry.ollama.ai', 'library', 'tiny', 'latest'), manifest(`sha256:${DIGEST}`));
  put(join(ollama, 'manifests', 'registry.ollama.ai', 'someone', 'other', '7b'), manifest(`sha256:${'c'.repeat(64)}`)); // blob missing
  put(join(ollama, 'manifests', 'registry.ollama.ai', 'library', 'broken', 'latest'), '{not json');
  const lm = join(root, 'lmstudio');
  put(join(lm, 'pub', 'repo', 'model.Q8_0.gguf'), 'GGUF....');
  put(join(lm, 'pub', 'repo', 'mmproj-model-f16.gguf'), 'GGUF....');
  put(join(lm, 'pub', 'big', 'big-00001-of-00002.gguf'), 'GGUF....');
  put(join(lm, 'pub', 'big', 'big-00002-of-00002.gguf'), 'GGUF....');
  const hf = join(root, 'hf');
  const blob = join(hf, 'models--org--coder-GGUF', 'blobs', 'f00d');
  put(blob, 'GGUF....');
  mkdirSync(join(hf, 'models--org--coder-GGUF', 'snapshots', 'abc123'), { recursive: true });
  symlinkSync(blob, join(hf, 'models--org--coder-GGUF', 'snapshots', 'abc123', 'coder-q4_k_m.gguf'));
  put(join(hf, 'models--org--onnx-only', 'snapshots', 'def', 'onnx', 'model.onnx'), 'x');
  return { root, places: { ollama: [ollama, join(root, 'nowhere')], lmStudio: [lm], hfCache: [hf] } };
}

test("GGUF models are found in Ollama's store, LM Studio's folder and the Hugging Face cache, by the names each tool uses", () => {
  const { places } = machine();
  const found = findGgufModels(places)
    .map((m) => `${m.source} ${m.name}`)
    .sort();
  assert.deepEqual(found, [
    'hf-cache org/coder-GGUF: coder-q4_k_m.gguf',
    'lm-studio pub/big/big-00001-of-00002.gguf',
    'lm-studio pub/repo/model.Q8_0.gguf',
    'ollama tiny:latest',
  ]);
});

test("an Ollama blob (no extension) is recognised by GGUF's magic and loads", async () => {
  const { places } = machine();
  const blob = findGgufModels(places).find((m) => m.source === 'ollama')!;
  assert.ok(isGgufPath(blob.path));
  assert.ok(!isGgufPath(FIXTURES));
  assert.ok(!isGgufPath(join(FIXTURES, 'llama-tiny', 'config.json')));
  const engine = await loadGgufEngine(blob.path, { threads: 1 });
  assert.equal(engine.info.vocabSize, 516);
  await engine.release();
});

test("each tool's place honours its environment variables", () => {
  const p = defaultPlaces({ OLLAMA_MODELS: '/m', HF_HUB_CACHE: '/h' }, '/home/u');
  assert.deepEqual(p.ollama, ['/m']);
  assert.deepEqual(p.hfCache, ['/h']);
  assert.deepEqual(defaultPlaces({ HF_HOME: '/hf' }, '/home/u').hfCache, ['/hf/hub']);
  assert.deepEqual(defaultPlaces({}, '/home/u').hfCache, ['/home/u/.cache/huggingface/hub']);
  assert.ok(defaultPlaces({}, '/home/u').lmStudio.includes('/home/u/.lmstudio/models'));
});
