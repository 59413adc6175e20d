import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GenerateResult, ModelInfo, TokenStep } from '../../../../model-runtime/protocol';
import type { HostGenerateRequest } from '../../../../model-runtime/worker-connection';
import { readConfig, type TokenscopeConfig } from '../../../../extension/config';
import { CompletionEngine } from '../../../../extension/completion/engine';
import { CancelSource } from '../../../../extension/completion/debounce';

const model = (supportsFim = true): ModelInfo =>
  ({
    name: 'fake',
    dir: '/m',
    architecture: 'gpt2',
    layers: 1,
    contextLength: 256,
    vocabSize: 10,
    supportsFim,
    onnxFile: 'model.onnx',
    heads: 1,
    kvHeads: 1,
    headDim: 1,
    eosIds: [0],
    tokenizer: 'x',
  }) as ModelInfo;

const step = (text: string, index: number): TokenStep => ({
  index,
  id: index,
  text,
  bytes: [],
  partial: false,
  rawProb: 0.5,
  finalProb: 0.5,
  entropy: 1,
  draw: 0,
  alternatives: [],
  rank: 1,
});

/** A runtime that streams fixed outputs token by token (one character a token). */
class ScriptedRuntime {
  calls: HostGenerateRequest[] = [];
  private streamed!: () => void;
  /** Resolves once the first token has been streamed: tests cancel on this signal, never on a timer. */
  readonly firstToken = new Promise<void>((r) => {
    this.streamed = r;
  });
  constructor(
    private outputs: string[],
    private info = model(),
  ) {}
  model() {
    return this.info;
  }
  async generate(opts: HostGenerateRequest): Promise<GenerateResult> {
    this.calls.push(opts);
    const out = this.outputs[(this.calls.length - 1) % this.outputs.length];
    let text = '';
    const ids: number[] = [];
    for (const [i, ch] of [...out].entries()) {
      await new Promise((r) => setImmediate(r));
      if (opts.signal?.aborted) return { generationId: this.calls.length, text, ids, stats: stats('cancelled', i) };
      text += ch;
      ids.push(i);
      opts.onToken?.(step(ch, i), ch, this.calls.length);
      this.streamed();
    }
    return { generationId: this.calls.length, text, ids, stats: stats('length', out.length) };
  }
  async detail(): Promise<never> {
    throw new Error('a scripted runtime sends every figure with its steps');
  }
}
const stats = (stopReason: 'cancelled' | 'length', n: number) => ({
  promptTokens: 1,
  reusedTokens: 0,
  generatedTokens: n,
  prefillMs: 0,
  decodeMs: 0,
  stopReason,
  seed: 0,
});

const cfg = (values: Record<string, unknown> = {}): (() => TokenscopeConfig) => {
  // FIM on: these tests cover the fill-in-the-middle prompt (the default follows the bundled model).
  const { config } = readConfig(
    { get: (k) => ({ 'completion.debounceMs': 0, 'completion.fillInTheMiddle': true, ...values })[k], userValue: () => undefined },
    true,
  );
  return () => config;
};

const req = (before: string, after = '', explicit = false) => ({ doc: 'file:///a.ts', languageId: 'typescript', before, after, explicit });

test('a completion from the model is filtered, cached, and reused while typing through it', async () => {
  const rt = new ScriptedRuntime(['compute(a, b);\nfoo();']);
  const engine = new CompletionEngine(rt, cfg());
  const first = await engine.complete(req('const x = '), new CancelSource().token);
  assert.deepEqual(first?.texts, ['compute(a, b);']);
  assert.equal(first?.source, 'model');
  assert.equal(first?.candidates[0].steps.length > 0, true);
  const typed = await engine.complete(req('const x = comp'), new CancelSource().token);
  assert.deepEqual(typed?.texts, ['ute(a, b);']);
  assert.equal(typed?.source, 'cache');
  assert.equal(rt.calls.length, 1);
});

test('extra chunks reach a model with repository tokens as files of the repository, others as comments', async () => {
  const repoModel = { ...model(), fim: { prefix: 1, suffix: 2, middle: 3, family: 'qwen2.5-coder', repoName: 4, fileSep: 5 } };
  const on = cfg({ 'context.extraChunks': true });
  const withRepo = new ScriptedRuntime(['x'], repoModel);
  const e1 = new CompletionEngine(withRepo, on);
  e1.ring.add({ doc: 'file:///b.ts', path: 'src/b.ts', text: 'export const b = 2;\nexport const c = 3;\nexport const d = 4;' });
  await e1.complete({ ...req('a = ', '\nb = 2'), path: 'src/a.ts', repo: 'shop' }, new CancelSource().token);
  const fim = withRepo.calls[0].prompt.fim!;
  assert.equal(fim.prefix, 'a =');
  assert.deepEqual(fim.context, {
    repo: 'shop',
    path: 'src/a.ts',
    files: [{ path: 'src/b.ts', text: 'export const b = 2;\nexport const c = 3;\nexport const d = 4;' }],
  });
  const plain = new ScriptedRuntime(['x']);
  const e2 = new CompletionEngine(plain, on);
  e2.ring.add({ doc: 'file:///b.ts', path: 'src/b.ts', text: 'export const b = 2;\nexport const c = 3;\nexport const d = 4;' });
  await e2.complete({ ...req('a = ', '\nb = 2'), path: 'src/a.ts', repo: 'shop' }, new CancelSource().token);
  assert.equal(plain.calls[0].prompt.fim!.context, undefined);
  assert.ok(plain.calls[0].prompt.fim!.prefix.startsWith('// src/b.ts\n'));
  // A server that lays out repository files itself (llama-server) gets them as files too.
  const server = new ScriptedRuntime(['x'], { ...model(), serverRepoFiles: true });
  const e3 = new CompletionEngine(server, on);
  e3.ring.add({ doc: 'file:///b.ts', path: 'src/b.ts', text: 'export const b = 2;\nexport const c = 3;\nexport const d = 4;' });
  await e3.complete({ ...req('a = ', '\nb = 2'), path: 'src/a.ts', repo: 'shop' }, new CancelSource().token);
  assert.equal(server.calls[0].prompt.fim!.context?.files[0].path, 'src/b.ts');
});

test('the prompt is FIM with the suffix when the model supports it, the prefix alone otherwise', async () => {
  const fim = new ScriptedRuntime(['x']);
  await new CompletionEngine(fim, cfg()).complete(req('a = ', '\nb = 2'), new CancelSource().token);
  assert.deepEqual(fim.calls[0].prompt, { fim: { prefix: 'a =', suffix: '\nb = 2' } });
  // Ghost text is not watched: an engine may defer the figures until the completion is explained.
  assert.equal(fim.calls[0].detail, 'deferred');
  const plain = new ScriptedRuntime(['x'], model(false));
  await new CompletionEngine(plain, cfg()).complete(req('a = ', '\nb = 2'), new CancelSource().token);
  assert.deepEqual(plain.calls[0].prompt, { text: 'a =' });
  // The setting turns FIM off for a model that has it.
  const off = new ScriptedRuntime(['x']);
  await new CompletionEngine(off, cfg({ 'completion.fillInTheMiddle': false })).complete(req('a = ', '\nb = 2'), new CancelSource().token);
  assert.deepEqual(off.calls[0].prompt, { text: 'a =' });
});

test("token healing: spaces typed at the cursor leave the prompt, and the model's copy of them leaves the completion", async () => {
  const rt = new ScriptedRuntime(['  return a * b;\n}']);
  const engine = new CompletionEngine(rt, cfg());
  const res = await engine.complete(req('function mul(a, b) {\n  ', '\n}'), new CancelSource().token);
  assert.equal(rt.calls[0].prompt.fim!.prefix, 'function mul(a, b) {\n');
  assert.deepEqual(res?.texts, ['return a * b;']);
  const rt2 = new ScriptedRuntime([' compute();']);
  const res2 = await new CompletionEngine(rt2, cfg()).complete(req('const x = '), new CancelSource().token);
  assert.equal(rt2.calls[0].prompt.fim!.prefix, 'const x =');
  assert.deepEqual(res2?.texts, ['compute();']);
});

test('a cancelled request returns nothing, caches nothing, and aborts the model run', async () => {
  const rt = new ScriptedRuntime(['a'.repeat(200)]);
  const engine = new CompletionEngine(rt, cfg());
  const source = new CancelSource();
  const p = engine.complete(req('let s = '), source.token);
  await rt.firstToken;
  source.cancel();
  assert.equal(await p, undefined);
  assert.equal(rt.calls[0].signal?.aborted, true);
  assert.equal(engine.cache.size, 0);
});

test('cancellation during the debounce starts no model run', async () => {
  const rt = new ScriptedRuntime(['x']);
  const engine = new CompletionEngine(rt, cfg({ 'completion.debounceMs': 1000 }));
  const source = new CancelSource();
  const p = engine.complete(req('let s = '), source.token);
  source.cancel();
  assert.equal(await p, undefined);
  assert.equal(rt.calls.length, 0);
});

test('an explicit request generates several candidates, deduplicated, the first greedy', async () => {
  const rt = new ScriptedRuntime(['one()', 'two()', 'one()']);
  const engine = new CompletionEngine(rt, cfg({ 'completion.candidates': 3 }));
  const res = await engine.complete(req('x = ', '', true), new CancelSource().token);
  assert.deepEqual(res?.texts, ['one()', 'two()']);
  assert.equal(rt.calls.length, 3);
  assert.equal(rt.calls[0].sampling.temperature, 0);
  assert.ok(rt.calls[1].sampling.temperature > 0);
});

test('a multi-line run is stopped once it has more lines than can be shown', async () => {
  const rt = new ScriptedRuntime(['\n' + Array.from({ length: 40 }, (_, i) => `  a${i}();`).join('\n')]);
  const engine = new CompletionEngine(rt, cfg({ 'completion.maxLines': 3 }));
  const res = await engine.complete(req('function f() {'), new CancelSource().token);
  assert.equal(res?.texts[0], '\n  a0();\n  a1();');
  assert.ok(res!.candidates[0].steps.length < 40 * 7);
});

test('the token budget follows the tokenizer: characters per token are learned from the prompt sizes', async () => {
  // The scripted runtime reports 1 prompt token; a runtime that reports 1 token per character teaches ~1.2.
  const rt = new ScriptedRuntime(['x']);
  const realGenerate = rt.generate.bind(rt);
  rt.generate = async (opts) => {
    const r = await realGenerate(opts);
    const p = opts.prompt.fim ? opts.prompt.fim.prefix + opts.prompt.fim.suffix : (opts.prompt.text ?? '');
    return { ...r, stats: { ...r.stats, promptTokens: p.length } };
  };
  const engine = new CompletionEngine(rt, cfg({ 'context.budgetTokens': 64 }));
  const long = Array.from({ length: 100 }, (_, i) => `v${i} = ${i}`).join('\n') + '\n';
  for (let i = 0; i < 12; i++) {
    engine.cache.clear();
    await engine.complete(req(long + 'x'.repeat(i)), new CancelSource().token);
  }
  assert.ok(engine.charsPerToken < 1.2, `learned ${engine.charsPerToken}`);
  const last = rt.calls[rt.calls.length - 1].prompt.fim!;
  assert.ok(last.prefix.length + last.suffix.length <= 64, 'the prompt fits the budget in real tokens');
});

test('no automatic completion in the middle of a word; an explicit request still completes', async () => {
  const rt = new ScriptedRuntime(['x']);
  const engine = new CompletionEngine(rt, cfg());
  assert.equal(await engine.complete(req('const fo', 'o = 1;'), new CancelSource().token), undefined);
  assert.equal(rt.calls.length, 0);
  await engine.complete(req('const fo', 'o = 1;', true), new CancelSource().token);
  assert.ok(rt.calls.length > 0);
});

test('no model loaded: no completion', async () => {
  const rt = new ScriptedRuntime(['x']);
  (rt as any).info = undefined;
  assert.equal(await new CompletionEngine(rt, cfg()).complete(req('a'), new CancelSource().token), undefined);
});

test('every early return records a named reason for the document', async () => {
  const doc = 'file:///a.ts';
  const why = (engine: CompletionEngine) => engine.outcomes.last(doc)?.reason;
  const rt = new ScriptedRuntime(['compute();']);
  const engine = new CompletionEngine(rt, cfg());
  await engine.complete(req('const fo', 'o = 1;'), new CancelSource().token);
  assert.equal(why(engine), 'mid-word');
  await engine.complete(req('const x = '), new CancelSource().token);
  assert.equal(why(engine), 'shown');
  await engine.complete(req('const x = comp'), new CancelSource().token);
  assert.equal(why(engine), 'cached');

  const slow = new CompletionEngine(new ScriptedRuntime(['x']), cfg({ 'completion.debounceMs': 1000 }));
  const typing = new CancelSource();
  const p = slow.complete(req('let s = '), typing.token);
  typing.cancel();
  await p;
  assert.equal(why(slow), 'debounced');

  const long = new ScriptedRuntime(['a'.repeat(200)]);
  const running = new CompletionEngine(long, cfg());
  const moved = new CancelSource();
  const q = running.complete(req('let s = '), moved.token);
  await long.firstToken;
  moved.cancel();
  await q;
  assert.equal(why(running), 'cancelled');

  const none = new ScriptedRuntime(['x']);
  (none as any).info = undefined;
  const noModel = new CompletionEngine(none, cfg());
  await noModel.complete(req('a'), new CancelSource().token);
  assert.equal(why(noModel), 'no-model');
});

test('an output the filters remove says which filter; a blank output is "empty"', async () => {
  // The model repeats the line below the cursor: dropRepeatedSuffix removes it.
  const repeat = new CompletionEngine(new ScriptedRuntime(['return b;']), cfg());
  assert.equal(await repeat.complete(req('function f() {\n  ', '\n  return b;\n}'), new CancelSource().token), undefined);
  const o = repeat.outcomes.last('file:///a.ts');
  assert.equal(o?.reason, 'filtered');
  assert.match(o?.detail ?? '', /^dropRepeatedSuffix \(it only repeated the code below the cursor\)$/);
  const blank = new CompletionEngine(new ScriptedRuntime(['   ']), cfg());
  assert.equal(await blank.complete(req('x = '), new CancelSource().token), undefined);
  assert.equal(blank.outcomes.last('file:///a.ts')?.reason, 'empty');
});

test('completions can be off per language: no model run, the reason says so; an explicit request still completes', async () => {
  const rt = new ScriptedRuntime(['more text']);
  const engine = new CompletionEngine(rt, cfg({ 'completion.disabledLanguages': ['markdown'] }));
  const md = { ...req('# Title\n'), doc: 'file:///a.md', languageId: 'markdown' };
  assert.equal(await engine.complete(md, new CancelSource().token), undefined);
  assert.equal(rt.calls.length, 0);
  assert.deepEqual(engine.outcomes.last('file:///a.md'), {
    reason: 'disabled-language',
    detail: 'markdown',
    at: engine.outcomes.last('file:///a.md')!.at,
  });
  assert.ok(await engine.complete({ ...md, explicit: true }, new CancelSource().token));
  assert.equal(rt.calls.length > 0, true);
  // Other languages are unaffected.
  assert.ok(await engine.complete(req('const y = '), new CancelSource().token));
});
