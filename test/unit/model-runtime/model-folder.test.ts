import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuntimeError } from '../../../model-runtime/errors';
import { loadOnnxEngine } from '../../../model-runtime/onnx/load';
import { archFacts, readModelFolder, specialIds } from '../../../model-runtime/model-folder';
import { checkSignature } from '../../../model-runtime/onnx/signature';
import { FIXTURES } from './fixtures';

/** A broken copy of a fixture: `edit` changes files in it. */
function broken(edit: (dir: string) => void, fixture = 'llama-tiny'): string {
  const dir = mkdtempSync(join(tmpdir(), 'tokenscope-broken-'));
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  edit(dir);
  return dir;
}
const json = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const write = (dir: string, file: string, v: unknown) => writeFileSync(join(dir, file), typeof v === 'string' ? v : JSON.stringify(v));

function expectError(f: () => unknown, code: string, ...parts: (string | RegExp)[]) {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof RuntimeError, String(e));
    assert.equal(e.code, code, e.message);
    for (const p of parts) assert.match(e.message, typeof p === 'string' ? new RegExp(p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : p);
    return;
  }
  assert.fail('no error');
}

async function expectLoadError(dir: string, code: string, ...parts: (string | RegExp)[]) {
  let err: unknown;
  try {
    const e = await loadOnnxEngine(dir, { providers: ['cpu'], onnxFile: 'model.onnx' });
    await e.release();
  } catch (e) {
    err = e;
  }
  expectError(
    () => {
      if (err) throw err;
    },
    code,
    ...parts,
  );
}

test('a good folder: architecture facts, special ids, ONNX preference', () => {
  const f = readModelFolder(join(FIXTURES, 'llama-tiny'));
  assert.deepEqual(f.arch, {
    modelType: 'llama',
    layers: 2,
    heads: 4,
    kvHeads: 2,
    headDim: 8,
    hiddenSize: 32,
    maxPositions: 256,
    vocabSize: 516,
  });
  assert.deepEqual(f.specials.eos, [512]);
  // Quantized preferred when present; an explicit choice wins.
  assert.equal(f.onnxFile, 'model_quantized.onnx');
  assert.equal(readModelFolder(join(FIXTURES, 'llama-tiny'), { onnxFile: 'model.onnx' }).onnxFile, 'model.onnx');
  const g = readModelFolder(join(FIXTURES, 'gpt2-tiny'));
  assert.equal(g.gptEncoding, 'r50k_base');
  assert.deepEqual([g.arch.layers, g.arch.heads, g.arch.kvHeads, g.arch.headDim, g.arch.maxPositions], [2, 2, 2, 4, 128]);
});

test('architecture facts for every supported model_type; head_dim derived when absent', () => {
  const base = { num_hidden_layers: 3, num_attention_heads: 8, hidden_size: 64, max_position_embeddings: 512, vocab_size: 100 };
  for (const t of ['llama', 'qwen2', 'mistral', 'phi3']) {
    const a = archFacts({ model_type: t, ...base, num_key_value_heads: 2 });
    assert.deepEqual([a.layers, a.heads, a.kvHeads, a.headDim, a.maxPositions], [3, 8, 2, 8, 512]);
  }
  assert.equal(archFacts({ model_type: 'llama', ...base }).kvHeads, 8);
  assert.equal(archFacts({ model_type: 'llama', ...base, head_dim: 16 }).headDim, 16);
  expectError(() => archFacts({ model_type: 'bert' }), 'unknown-architecture', 'config.json', '"bert"', 'gpt2, llama');
  expectError(() => archFacts({ model_type: 'llama', ...base, num_key_value_heads: 3 }), 'model-folder', 'num_key_value_heads');
  // generation_config.json overrides config.json; eos may be a list.
  assert.deepEqual(specialIds({ eos_token_id: 1, bos_token_id: 0 }, { eos_token_id: [2, 3] }), { bos: 0, eos: [2, 3], pad: undefined });
});

test('broken model folders each get their own error naming the file', async () => {
  const made: string[] = [];
  const b = (edit: (d: string) => void, fixture?: string) => {
    const d = broken(edit, fixture);
    made.push(d);
    return d;
  };
  try {
    expectError(() => readModelFolder(join(FIXTURES, 'no-such-model')), 'model-folder', 'no-such-model', 'not found');
    expectError(() => readModelFolder(b((d) => rmSync(join(d, 'config.json')))), 'model-folder', 'config.json', 'missing');
    expectError(
      () => readModelFolder(b((d) => rmSync(join(d, 'generation_config.json')))),
      'model-folder',
      'generation_config.json',
      'missing',
    );
    expectError(
      () => readModelFolder(b((d) => write(d, 'generation_config.json', '{"eos_token_id": 5,'))),
      'model-folder',
      'generation_config.json',
      'not valid JSON',
    );
    expectError(() => readModelFolder(b((d) => write(d, 'config.json', '[1, 2]'))), 'model-folder', 'config.json', 'JSON object');
    expectError(
      () => readModelFolder(b((d) => write(d, 'config.json', { ...json(d, 'config.json'), model_type: 't5' }))),
      'unknown-architecture',
      'config.json',
      '"t5"',
    );
    expectError(
      () => readModelFolder(b((d) => write(d, 'config.json', { ...json(d, 'config.json'), num_hidden_layers: undefined }))),
      'model-folder',
      'config.json',
      'num_hidden_layers',
    );
    expectError(
      () => readModelFolder(b((d) => write(d, 'generation_config.json', { eos_token_id: 'x' }))),
      'model-folder',
      'generation_config.json',
      'eos_token_id',
    );
    expectError(
      () => readModelFolder(b((d) => rmSync(join(d, 'tokenizer.json')))),
      'model-folder',
      'tokenizer.json',
      'gpt_tokenizer_encoding',
    );
    expectError(
      () => readModelFolder(b((d) => write(d, 'tokenizer.json', '{"version": "1.0"}'))),
      'model-folder',
      'tokenizer.json',
      '"model"',
    );
    expectError(
      () => readModelFolder(b((d) => rmSync(join(d, 'onnx'), { recursive: true }))),
      'model-folder',
      join('onnx', 'model.onnx'),
      'missing',
    );
    expectError(
      () =>
        readModelFolder(
          b(() => undefined),
          { onnxFile: 'model_fp16.onnx' },
        ),
      'model-folder',
      'model_fp16.onnx',
      'present: model.onnx, model_quantized.onnx',
    );
    // The ONNX itself: garbage bytes, and a graph that does not match config.json.
    await expectLoadError(
      b((d) => write(d, join('onnx', 'model.onnx'), 'not an onnx model at all')),
      'onnx-signature',
      'model.onnx',
      'cannot be loaded',
    );
    await expectLoadError(
      b((d) => write(d, 'config.json', { ...json(d, 'config.json'), num_hidden_layers: 3 })),
      'onnx-signature',
      'model.onnx',
      'past_key_values.2.key',
    );
    await expectLoadError(
      b((d) => write(d, 'config.json', { ...json(d, 'config.json'), num_hidden_layers: 1 })),
      'onnx-signature',
      'unexpected input "past_key_values.1.key"',
      '1 layers',
    );
    await expectLoadError(
      b((d) => write(d, 'config.json', { ...json(d, 'config.json'), num_key_value_heads: 4 })),
      'onnx-signature',
      'heads',
      '4 key/value heads',
    );
    // Absurd sizes in config.json fail against the graph before anything is sized by them (found by fuzzing:
    // 1e9 layers used to allocate per layer before any check, and the worker grew to 4 GB).
    const t0 = performance.now();
    await expectLoadError(
      b((d) => write(d, 'config.json', { ...json(d, 'config.json'), num_hidden_layers: 1e9 })),
      'onnx-signature',
      'model.onnx',
      'missing input "past_key_values.2.key"',
    );
    assert.ok(performance.now() - t0 < 5000, `took ${performance.now() - t0} ms`);
    await expectLoadError(
      b((d) => write(d, 'config.json', { ...json(d, 'config.json'), head_dim: 1e9 })),
      'onnx-signature',
      'model.onnx',
      'head size 8',
    );
    await expectLoadError(
      b((d) => write(d, 'config.json', { ...json(d, 'config.json'), num_attention_heads: 4e8, num_key_value_heads: 2e8, head_dim: 8 })),
      'onnx-signature',
      'model.onnx',
      '200000000 key/value heads',
    );
  } finally {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  }
});

test('signature check: each missing or unexpected name is named', () => {
  const a = archFacts({ model_type: 'gpt2', n_layer: 1, n_head: 2, n_embd: 8, n_positions: 16, vocab_size: 10 });
  const ins = ['input_ids', 'attention_mask', 'past_key_values.0.key', 'past_key_values.0.value'];
  const outs = ['logits', 'present.0.key', 'present.0.value'];
  assert.deepEqual(checkSignature('m.onnx', a, ins, outs), {
    hasPositionIds: false,
    logitsToKeep: undefined,
    kvType: 'float32',
    useCacheBranch: false,
    kvLayout: 'concat',
    maskHoles: true,
  });
  assert.equal(checkSignature('m.onnx', a, [...ins, 'use_cache_branch'], outs).useCacheBranch, true);
  assert.equal(checkSignature('m.onnx', a, ins, [...outs, 'present_rows.0.key', 'present_rows.0.value']).kvLayout, 'rows');
  expectError(() => checkSignature('m.onnx', a, ins, [...outs, 'present_rows.0.key']), 'onnx-signature', 'present_rows.0.value');
  expectError(() => checkSignature('m.onnx', a, ins.slice(1), outs), 'onnx-signature', 'm.onnx', 'missing input "input_ids"');
  expectError(() => checkSignature('m.onnx', a, ins, outs.slice(1)), 'onnx-signature', 'missing output "logits"');
  expectError(() => checkSignature('m.onnx', a, ins, ['logits', 'present.0.key']), 'onnx-signature', 'present.0.value');
  expectError(() => checkSignature('m.onnx', a, [...ins, 'token_type_ids'], outs), 'onnx-signature', 'unexpected input "token_type_ids"');
});

test('files that are not what they claim: each a model-folder error naming it, and nothing blocks', async () => {
  const made: string[] = [];
  const b = (edit: (d: string) => void, fixture?: string) => {
    const d = broken(edit, fixture);
    made.push(d);
    return d;
  };
  try {
    expectError(() => readModelFolder(''), 'model-folder', 'path is empty');
    expectError(() => readModelFolder(join(FIXTURES, 'llama-tiny', 'config.json')), 'model-folder', 'config.json', 'not a folder');
    const onnxFile = b((d) => {
      rmSync(join(d, 'onnx'), { recursive: true });
      write(d, 'onnx', 'x');
    });
    expectError(() => readModelFolder(onnxFile), 'model-folder', join(onnxFile, 'onnx'), 'is a file, not a folder');
    const loop = b((d) => {
      rmSync(join(d, 'config.json'));
      symlinkSync('config.json', join(d, 'config.json'));
    });
    expectError(() => readModelFolder(loop), 'model-folder', 'config.json', 'symbolic link loop');
    const folder = b((d) => {
      rmSync(join(d, 'tokenizer.json'));
      mkdirSync(join(d, 'tokenizer.json'));
    });
    expectError(() => readModelFolder(folder), 'model-folder', 'tokenizer.json', 'is a folder, not a regular file');
    const onnxDir = b((d) => {
      rmSync(join(d, 'onnx', 'model.onnx'));
      mkdirSync(join(d, 'onnx', 'model.onnx'));
    });
    expectError(() => readModelFolder(onnxDir, { onnxFile: 'model.onnx' }), 'model-folder', 'model.onnx', 'is a folder');
    if (process.platform !== 'win32') {
      // A FIFO would block a synchronous read until a writer came; it is refused from its file type.
      for (const file of ['config.json', 'generation_config.json', 'tokenizer.json', join('onnx', 'model.onnx')]) {
        const fifo = b((d) => {
          rmSync(join(d, file));
          execFileSync('mkfifo', [join(d, file)]);
        });
        expectError(() => readModelFolder(fifo, { onnxFile: 'model.onnx' }), 'model-folder', file, 'named pipe (FIFO)');
      }
    }
  } finally {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  }
});

test('config.json values the tokenizer or the graph contradict fail at load, naming the file', async () => {
  const made: string[] = [];
  const b = (edit: (d: string) => void, fixture?: string) => {
    const d = broken(edit, fixture);
    made.push(d);
    return d;
  };
  const config = (over: Record<string, unknown>, fixture = 'llama-tiny') =>
    b((d) => write(d, 'config.json', { ...json(d, 'config.json'), ...over }), fixture);
  try {
    expectError(() => readModelFolder(config({ model_type: 42 })), 'model-folder', 'config.json', '"model_type" is not a string: got 42');
    expectError(() => readModelFolder(config({ model_type: undefined })), 'unknown-architecture', 'missing "model_type"');
    await expectLoadError(config({ vocab_size: 100 }), 'model-folder', 'config.json', '"vocab_size" 100 is smaller', '516 tokens');
    await expectLoadError(config({ vocab_size: 600 }), 'onnx-signature', 'model.onnx', 'logits have 516 entries', '"vocab_size" 600');
    await expectLoadError(
      b((d) => write(d, 'generation_config.json', { eos_token_id: 9999 })),
      'model-folder',
      'generation_config.json',
      '"eos_token_id" 9999 is outside',
    );
    // An id that only config.json gives is named there.
    const bos = b((d) => {
      write(d, 'generation_config.json', { eos_token_id: 512 });
      write(d, 'config.json', { ...json(d, 'config.json'), bos_token_id: 70000 });
    });
    await expectLoadError(bos, 'model-folder', join(bos, 'config.json'), '"bos_token_id" 70000');
    // GPT-2 numbers positions from a learned table of 128 rows; llama computes its rotary angles (no limit).
    let err: unknown;
    try {
      await loadOnnxEngine(config({ n_positions: 512 }, 'gpt2-tiny'), { providers: ['cpu'] });
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof RuntimeError && err.code === 'onnx-signature', String(err));
    assert.match(err.message, /model\.onnx: the graph numbers at most 128 positions .* config\.json says 512/);
    const long = await loadOnnxEngine(config({ max_position_embeddings: 4096 }), { providers: ['cpu'], onnxFile: 'model.onnx' });
    assert.equal(long.info.contextLength, 4096);
    await long.release();
  } finally {
    for (const d of made) rmSync(d, { recursive: true, force: true });
  }
});

test('the FIM order comes from tokenizer_config.json (PSM unless it says spm); a bad value names the file', () => {
  assert.equal(readModelFolder(join(FIXTURES, 'llama-tiny')).fimLayout, 'psm');
  const spm = broken((d) => write(d, 'tokenizer_config.json', { ...json(d, 'tokenizer_config.json'), fim_layout: 'spm' }));
  assert.equal(readModelFolder(spm).fimLayout, 'spm');
  const bad = broken((d) => write(d, 'tokenizer_config.json', { ...json(d, 'tokenizer_config.json'), fim_layout: 'middle-first' }));
  expectError(() => readModelFolder(bad), 'model-folder', 'tokenizer_config.json', '"fim_layout" must be "psm" or "spm"');
  for (const d of [spm, bad]) rmSync(d, { recursive: true, force: true });
});
