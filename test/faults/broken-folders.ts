// Malformed model folders, each made from a fixture by one edit: missing, empty, truncated and wrong-typed
// files, bad JSON, bad values, FIFOs, symlink loops, folders where files belong, ONNX files of another model.
// Each names the error code the worker must answer and the file its message must name.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorCode } from '../../model-runtime/protocol';
import { FIXTURES } from '../unit/model-runtime/fixtures';

export interface BrokenCase {
  name: string;
  fixture: string;
  /** Breaks the copy of the fixture in `dir`. */
  edit: (dir: string) => void;
  code: ErrorCode;
  /** The file the message must name, relative to the folder ('' for the folder itself). */
  file: string;
  /** The folder to load, when not the copy itself (e.g. a file inside it). */
  load?: (dir: string) => string;
  onnxFile?: string;
}

const FIFO_OK = process.platform !== 'win32';

const json = (d: string, f: string) => JSON.parse(readFileSync(join(d, f), 'utf8'));
const write = (d: string, f: string, v: unknown) =>
  writeFileSync(join(d, f), typeof v === 'string' || Buffer.isBuffer(v) ? v : JSON.stringify(v));
/** Merges fields into a JSON file; a field set to undefined is removed. */
const patch = (f: string, over: Record<string, unknown>) => (d: string) => write(d, f, { ...json(d, f), ...over });
const replace = (f: string, make: (p: string) => void) => (d: string) => {
  rmSync(join(d, f), { recursive: true, force: true });
  make(join(d, f));
};
const fifo = (f: string) => replace(f, (p) => execFileSync('mkfifo', [p]));
const folder = (f: string) => replace(f, (p) => mkdirSync(p));
const loop = (f: string) => replace(f, (p) => symlinkSync(p, p));
const dangling = (f: string) => replace(f, (p) => symlinkSync(`${p}.gone`, p));
const truncate = (f: string) => (d: string) =>
  write(d, f, readFileSync(join(d, f)).subarray(0, Math.floor(readFileSync(join(d, f)).length / 2)));
const otherOnnx = (from: string) => (d: string) =>
  write(d, join('onnx', 'model.onnx'), readFileSync(join(FIXTURES, from, 'onnx', 'model.onnx')));

type Row = [name: string, edit: (d: string) => void, code: ErrorCode, file: string, extra?: Partial<BrokenCase>];

/** The same kinds of damage for any file: missing, empty, truncated, not JSON, not an object, a folder, a FIFO, links. */
function fileKinds(f: string, fixture = 'llama-tiny'): Row[] {
  const rows: Row[] = [
    [`${f} missing`, (d) => rmSync(join(d, f)), 'model-folder', f],
    [`${f} empty`, (d) => write(d, f, ''), 'model-folder', f],
    [`${f} truncated`, truncate(f), 'model-folder', f],
    [`${f} binary garbage`, (d) => write(d, f, Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x7b])), 'model-folder', f],
    [`${f} a JSON list`, (d) => write(d, f, '[1, 2]'), 'model-folder', f],
    [`${f} a folder`, folder(f), 'model-folder', f],
    [`${f} a symlink loop`, loop(f), 'model-folder', f],
    [`${f} a dangling symlink`, dangling(f), 'model-folder', f],
  ];
  if (FIFO_OK) rows.push([`${f} a FIFO`, fifo(f), 'model-folder', f]);
  return rows.map(([n, e, c, file, x]) => [`${fixture}: ${n}`, e, c, file, { fixture, ...x }]);
}

function configValues(): Row[] {
  const c = 'config.json';
  return [
    ['model_type 42', patch(c, { model_type: 42 }), 'model-folder', c],
    ['model_type missing', patch(c, { model_type: undefined }), 'unknown-architecture', c],
    ['model_type "bert"', patch(c, { model_type: 'bert' }), 'unknown-architecture', c],
    ['num_hidden_layers "2"', patch(c, { num_hidden_layers: '2' }), 'model-folder', c],
    ['num_hidden_layers 0', patch(c, { num_hidden_layers: 0 }), 'model-folder', c],
    ['num_hidden_layers 2.5', patch(c, { num_hidden_layers: 2.5 }), 'model-folder', c],
    ['num_hidden_layers 1e300', patch(c, { num_hidden_layers: 1e300 }), 'model-folder', c],
    ['num_attention_heads -4', patch(c, { num_attention_heads: -4 }), 'model-folder', c],
    ['num_key_value_heads 3 (not a divisor)', patch(c, { num_key_value_heads: 3 }), 'model-folder', c],
    ['vocab_size null', patch(c, { vocab_size: null }), 'model-folder', c],
    ['vocab_size below the tokenizer', patch(c, { vocab_size: 100 }), 'model-folder', c],
    ['max_position_embeddings "256"', patch(c, { max_position_embeddings: '256' }), 'model-folder', c],
    ['vocab_size wider than the logits', patch(c, { vocab_size: 600 }), 'onnx-signature', join('onnx', 'model.onnx')],
    ['num_hidden_layers 3 (graph has 2)', patch(c, { num_hidden_layers: 3 }), 'onnx-signature', join('onnx', 'model.onnx')],
    ['num_hidden_layers 1 (graph has 2)', patch(c, { num_hidden_layers: 1 }), 'onnx-signature', join('onnx', 'model.onnx')],
    ['num_key_value_heads 4 (graph has 2)', patch(c, { num_key_value_heads: 4 }), 'onnx-signature', join('onnx', 'model.onnx')],
    ['head_dim 16 (graph has 8)', patch(c, { head_dim: 16 }), 'onnx-signature', join('onnx', 'model.onnx')],
  ];
}

function generationValues(): Row[] {
  const g = 'generation_config.json';
  return [
    ['eos_token_id "x"', patch(g, { eos_token_id: 'x' }), 'model-folder', g],
    ['eos_token_id -1', patch(g, { eos_token_id: -1 }), 'model-folder', g],
    ['eos_token_id [512, 1.5]', patch(g, { eos_token_id: [512, 1.5] }), 'model-folder', g],
    ['eos_token_id outside the vocabulary', patch(g, { eos_token_id: 9999 }), 'model-folder', g],
    ['bos_token_id outside the vocabulary', patch(g, { bos_token_id: 70000 }), 'model-folder', g],
  ];
}

function tokenizerValues(): Row[] {
  const t = 'tokenizer.json';
  const model = (m: unknown) => patch(t, { model: m });
  return [
    ['tokenizer.json without "model"', (d) => write(d, t, { version: '1.0' }), 'model-folder', t],
    ['tokenizer.json "model" a string', model('x'), 'model-folder', t],
    ['tokenizer.json unknown model type', model({ type: 'Nonsense' }), 'model-folder', t],
    [
      'tokenizer.json empty vocabulary',
      (d) => write(d, t, { ...json(d, t), model: { ...json(d, t).model, vocab: {}, merges: [] } }),
      'model-folder',
      t,
    ],
    [
      'tokenizer.json merges of numbers',
      (d) => write(d, t, { ...json(d, t), model: { ...json(d, t).model, merges: [42, null] } }),
      'model-folder',
      t,
    ],
    ['tokenizer.json unknown normalizer', patch(t, { normalizer: { type: 'Nope' } }), 'model-folder', t],
    ['tokenizer.json broken split regex', patch(t, { pre_tokenizer: { type: 'Split', pattern: { Regex: '(' } } }), 'model-folder', t],
    [
      'tokenizer_config.json fim_layout "xyz"',
      patch('tokenizer_config.json', { fim_layout: 'xyz' }),
      'model-folder',
      'tokenizer_config.json',
    ],
  ];
}

function gpt2Values(): Row[] {
  const tc = 'tokenizer_config.json';
  const rows: Row[] = [
    ['gpt_tokenizer_encoding 42', patch(tc, { gpt_tokenizer_encoding: 42 }), 'model-folder', tc],
    ['gpt_tokenizer_encoding "nope_base"', patch(tc, { gpt_tokenizer_encoding: 'nope_base' }), 'model-folder', tc],
    ['gpt_tokenizer_encoding "../x"', patch(tc, { gpt_tokenizer_encoding: '../x' }), 'model-folder', tc],
    ['vocab_size below r50k_base', patch('config.json', { vocab_size: 50000 }), 'model-folder', 'config.json'],
    ['eos_token_id past r50k_base', patch('generation_config.json', { eos_token_id: 60000 }), 'model-folder', 'generation_config.json'],
    ['n_embd not a multiple of n_head', patch('config.json', { n_embd: 9 }), 'model-folder', 'config.json'],
    ['n_positions beyond the position table', patch('config.json', { n_positions: 512 }), 'onnx-signature', join('onnx', 'model.onnx')],
    ['a llama graph in a gpt2 folder', otherOnnx('llama-tiny'), 'onnx-signature', join('onnx', 'model.onnx')],
  ];
  return rows.map(([n, e, c, f]) => [`gpt2-tiny: ${n}`, e, c, f, { fixture: 'gpt2-tiny' }]);
}

function onnxCases(): Row[] {
  const m = join('onnx', 'model.onnx');
  const only = { onnxFile: 'model.onnx' };
  const rows: Row[] = [
    ['onnx/ missing', (d) => rmSync(join(d, 'onnx'), { recursive: true }), 'model-folder', m],
    ['onnx/ a file', replace('onnx', (p) => writeFileSync(p, 'x')), 'model-folder', 'onnx'],
    ['onnx/ empty', replace('onnx', (p) => mkdirSync(p)), 'model-folder', m],
    ['model.onnx empty', (d) => write(d, m, ''), 'model-folder', m, only],
    ['model.onnx 10 bytes', (d) => write(d, m, '0123456789'), 'model-folder', m, only],
    ['model.onnx truncated', truncate(m), 'onnx-signature', m, only],
    ['model.onnx text', (d) => write(d, m, 'not an onnx model at all'), 'onnx-signature', m, only],
    ['model.onnx a JSON file', (d) => write(d, m, readFileSync(join(d, 'config.json'))), 'onnx-signature', m, only],
    ['model.onnx a folder', folder(m), 'model-folder', m, only],
    ['model.onnx a symlink loop', loop(m), 'model-folder', m, only],
    ['model.onnx a dangling symlink', dangling(m), 'model-folder', m, only],
    ['a gpt2 graph', otherOnnx('gpt2-tiny'), 'onnx-signature', m, only],
    ['a mistral graph (3 layers)', otherOnnx('mistral-tiny'), 'onnx-signature', m, only],
    ['a qwen2 graph (1 key/value head)', otherOnnx('qwen2-tiny'), 'onnx-signature', m, only],
    ['a phi3 graph (4 key/value heads)', otherOnnx('phi3-tiny'), 'onnx-signature', m, only],
    ['the chosen ONNX file absent', () => undefined, 'model-folder', join('onnx', 'model_fp16.onnx'), { onnxFile: 'model_fp16.onnx' }],
  ];
  if (FIFO_OK) {
    rows.push(['model.onnx a FIFO', fifo(m), 'model-folder', m, only]);
    rows.push(['external data a FIFO', (d) => execFileSync('mkfifo', [join(d, `${m}_data`)]), 'model-folder', `${m}_data`, only]);
  }
  return rows;
}

function folderCases(): Row[] {
  const rows: Row[] = [
    ['the folder absent', () => undefined, 'model-folder', 'absent', { load: (d) => join(d, 'absent') }],
    ['the folder a file', () => undefined, 'model-folder', 'config.json', { load: (d) => join(d, 'config.json') }],
    [
      'the folder a symlink loop',
      (d) => symlinkSync(join(d, 'self'), join(d, 'self')),
      'model-folder',
      'self',
      { load: (d) => join(d, 'self') },
    ],
    ['the folder path empty', () => undefined, 'model-folder', '', { load: () => '' }],
  ];
  if (FIFO_OK)
    rows.push([
      'the folder a FIFO',
      (d) => execFileSync('mkfifo', [join(d, 'pipe')]),
      'model-folder',
      'pipe',
      { load: (d) => join(d, 'pipe') },
    ]);
  return rows;
}

/** Every case, from the fixtures. */
export function brokenCases(): BrokenCase[] {
  const rows = [
    ...fileKinds('config.json'),
    ...fileKinds('generation_config.json'),
    ...fileKinds('tokenizer.json'),
    ...fileKinds('tokenizer_config.json').filter(([n]) => !/missing|dangling/.test(n)), // optional: absent is fine
    ...configValues(),
    ...generationValues(),
    ...tokenizerValues(),
    ...gpt2Values(),
    ...onnxCases(),
    ...folderCases(),
  ];
  return rows.map(([name, edit, code, file, extra]) => ({ name, fixture: 'llama-tiny', edit, code, file, ...extra }));
}
