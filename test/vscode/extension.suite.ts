// Extension-host tests in a real VS Code: activation, the worker on a real model, real inline
// completions (FIM prompt, cache, cancellation), the explain command, and restart after a crash.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TokenscopeApi } from '../../extension/extension';
import type { ModelInfo, TokenStep } from '../../model-runtime/protocol';
import { MAX_SHOWN } from '../../extension/inspector/forget';
import { DEFAULT_SAMPLER } from '../../sampling/sampler';
import type { AnatomyHostToView, InspectorHostToView, XrayHostToView } from '../../webview/protocol';
import { FakeHub } from '../unit/model-runtime/hub/fake-hub';
import {
  automatic,
  clearUserSetting,
  EXTENSION_ROOT,
  invoked,
  ready,
  setSetting,
  tokenscope,
  tokenSource,
  waitFor,
  workspaceFile,
} from './helpers';

let api: TokenscopeApi;

async function openSample(): Promise<{ editor: vscode.TextEditor; doc: vscode.TextDocument }> {
  const doc = await vscode.workspace.openTextDocument(workspaceFile('sample.ts'));
  const editor = await vscode.window.showTextDocument(doc);
  return { editor, doc };
}

/** At the end of `add`'s header line: code before and after the cursor. */
function fimPosition(doc: vscode.TextDocument): vscode.Position {
  const lines = doc.getText().split('\n');
  const line = lines.findIndex((l) => l.startsWith('export function add('));
  assert.ok(line > 0);
  return new vscode.Position(line, lines[line].length);
}

describe('activation', () => {
  it('activates and registers its commands', async () => {
    api = await tokenscope();
    assert.ok(api.runtime && api.completion && api.settings);
    const commands = await vscode.commands.getCommands(true);
    for (const c of [
      'tokenscope.triggerCompletion',
      'tokenscope.explainCompletion',
      'tokenscope.toggleAutoCompletion',
      'tokenscope.restartWorker',
      'tokenscope.showLog',
      'tokenscope.openInspector',
    ]) {
      assert.ok(commands.includes(c), `command ${c} is registered`);
    }
  });

  it('reads its settings from the workspace, with defaults for the rest', () => {
    const cfg = api.settings.value;
    // Both runners (scripts/test-vscode.mjs, test-electron.mjs) write this folder into the workspace settings.
    const expected = process.env.TOKENSCOPE_TEST_MODEL;
    assert.ok(expected, 'TOKENSCOPE_TEST_MODEL is set by the test runner');
    assert.equal(cfg.modelPath, expected);
    assert.equal(cfg.completion.debounceMs, 0);
    assert.equal(cfg.completion.maxLines, 8);
  });

  it('replaces an out-of-range setting with its default', async () => {
    await setSetting('completion.maxLines', 1000);
    await waitFor(() => vscode.workspace.getConfiguration('tokenscope').get('completion.maxLines') === 1000, 'the setting to change');
    assert.equal(api.settings.value.completion.maxLines, 8);
    await setSetting('completion.maxLines', undefined);
  });
});

describe('worker', () => {
  it('comes up on the configured model and the status bar says so', async () => {
    await ready(api);
    const model = api.runtime.model();
    assert.ok(model);
    assert.equal(model.dir.replace(/\/$/, ''), api.settings.value.modelPath.replace(/\/$/, ''));
    assert.ok(api.runtime.provider()?.active);
    await waitFor(() => api.status.text.includes(model.name), `status bar to name the model (shows "${api.status.text}")`);
  });
});

describe('inline completions', () => {
  it('VS Code asks the provider when an inline suggestion is triggered in an editor', async () => {
    const { editor, doc } = await openSample();
    const pos = fimPosition(doc);
    editor.selection = new vscode.Selection(pos, pos);
    const done = new Promise<unknown>((resolve) => {
      const sub = api.completion.provider.onDidComplete((r) => {
        if (r.uri === doc.uri.toString()) {
          sub.dispose();
          resolve(r);
        }
      });
    });
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    const result = (await Promise.race([done, new Promise((r) => setTimeout(() => r(undefined), 60_000))])) as
      | { candidates: unknown[] }
      | undefined;
    assert.ok(result, 'the provider answered a trigger from the editor');
    assert.ok(result.candidates.length >= 1);
  });

  it('returns a real completion from the model at a FIM position', async () => {
    const { doc } = await openSample();
    api.completion.engine.cache.clear();
    const runs = api.completion.engine.runs;
    const pos = fimPosition(doc);
    const before = api.completion.last.latest();
    const states: string[] = [];
    const sub = api.runtime.onDidChangeState((s) =>
      states.push(s.kind === 'busy' && s.tokensPerSecond ? `busy ${api.status.text}` : s.kind),
    );
    const items = await api.completion.provider.provideInlineCompletionItems(doc, pos, automatic, tokenSource().token);
    sub.dispose();
    assert.equal(api.completion.engine.runs, runs + 1, 'one model run');
    // The status bar showed the worker busy, with its speed, and ready again afterwards.
    assert.ok(
      states.some((s) => /^busy .*tok\/s/.test(s)),
      `states seen: ${states.join(', ')}`,
    );
    assert.equal(api.runtime.state.kind, 'ready');
    // A completion was shown (the first test saw one here, with the same settings and seed): it is this
    // request's record, not an earlier one.
    const shown = api.completion.last.latest();
    assert.ok(shown && shown !== before, 'this request showed a completion');
    const c = shown.candidates[0];
    assert.ok(c.steps.length > 0, 'the model generated tokens');
    assert.ok(c.stats.promptTokens > 0);
    // The prompt holds the code before the cursor, and after it when the model has FIM tokens.
    const model = api.runtime.model()!;
    if (model.supportsFim && api.settings.value.completion.fillInTheMiddle) {
      assert.ok(shown.prompt.prompt.fim?.prefix.endsWith('): number {'));
      assert.ok(shown.prompt.prompt.fim?.suffix.startsWith('\n  return a + b;\n}'));
    } else {
      assert.ok(shown.prompt.prompt.text?.endsWith('): number {'));
    }
    // What survived the filters is what VS Code got.
    assert.ok(c.text, 'the completion survived the filters');
    assert.deepEqual(
      (items ?? []).map((i) => i.insertText),
      [c.text],
    );
    for (const s of c.steps) assert.ok(s.alternatives.length > 0 && s.rawProb > 0);
  });

  it('answers the same position again from the cache, without a model run', async () => {
    const { doc } = await openSample();
    const pos = fimPosition(doc);
    const runs = api.completion.engine.runs;
    const before = api.completion.provider.stats.fromCache;
    const cached = api.completion.last.latest()?.candidates[0].text;
    // The test before left a non-empty completion here (an empty one would not be cached).
    assert.ok(cached, 'the previous test cached a completion at this position');
    const items = await api.completion.provider.provideInlineCompletionItems(doc, pos, automatic, tokenSource().token);
    assert.deepEqual(
      (items ?? []).map((i) => i.insertText),
      [cached],
    );
    assert.equal(api.completion.provider.stats.fromCache, before + 1);
    assert.equal(api.completion.engine.runs, runs);
  });

  it('an explicit request (cycling, or the trigger command) generates several candidates', async () => {
    const { doc } = await openSample();
    api.completion.engine.cache.clear();
    const runs = api.completion.engine.runs;
    const items = await api.completion.provider.provideInlineCompletionItems(doc, fimPosition(doc), invoked, tokenSource().token);
    assert.equal(api.completion.engine.runs, runs + api.settings.value.completion.candidates);
    const shown = api.completion.last.latest()!;
    assert.equal(shown.candidates.length, api.settings.value.completion.candidates);
    // Distinct, non-empty texts only.
    const texts = (items ?? []).map((i) => i.insertText as string);
    assert.equal(new Set(texts).size, texts.length);
    assert.ok(texts.every((t) => t.length > 0));
  });

  it('a cancelled request returns nothing and stops the model run', async () => {
    const { doc } = await openSample();
    api.completion.engine.cache.clear();
    const src = tokenSource();
    const pos = fimPosition(doc);
    const p = api.completion.provider.provideInlineCompletionItems(doc, pos, invoked, src.token);
    src.cancel();
    assert.equal(await p, undefined);
    // The worker itself stops a generation when told.
    const abort = new AbortController();
    let tokens = 0;
    // Aborting resolves with stopReason 'cancelled' (a rejection is a failure here).
    const res = await api.runtime.generate({
      prompt: { text: 'function f() {\n' },
      sampling: {
        temperature: 0,
        topK: 0,
        topP: 1,
        minP: 0,
        repetitionPenalty: 1,
        presencePenalty: 0,
        frequencyPenalty: 0,
        maxTokens: 100,
        stop: [],
      },
      topN: 0,
      signal: abort.signal,
      onToken: () => {
        if (++tokens === 2) abort.abort();
      },
    });
    assert.equal(res.stats.stopReason, 'cancelled');
    assert.ok(tokens >= 2 && tokens < 100, `${tokens} tokens streamed`);
    assert.ok(res.stats.generatedTokens < 100, `${res.stats.generatedTokens} tokens generated`);
  });

  it('automatic completions can be turned off; a manual trigger still completes', async () => {
    const { doc } = await openSample();
    await setSetting('completion.autoTrigger', false);
    await waitFor(() => api.settings.value.completion.autoTrigger === false, 'the setting to apply');
    try {
      api.completion.engine.cache.clear();
      const runs = api.completion.engine.runs;
      assert.equal(
        await api.completion.provider.provideInlineCompletionItems(doc, fimPosition(doc), automatic, tokenSource().token),
        undefined,
      );
      assert.equal(api.completion.engine.runs, runs);
      await api.completion.provider.provideInlineCompletionItems(doc, fimPosition(doc), invoked, tokenSource().token);
      assert.ok(api.completion.engine.runs > runs);
    } finally {
      await setSetting('completion.autoTrigger', undefined);
    }
  });

  it('completions can be off per language, and "Why No Completion?" says so', async () => {
    const { doc } = await openSample();
    await setSetting('completion.disabledLanguages', [doc.languageId]);
    await waitFor(() => api.settings.value.completion.disabledLanguages.includes(doc.languageId), 'the setting to apply');
    try {
      api.completion.engine.cache.clear();
      const runs = api.completion.engine.runs;
      assert.equal(
        await api.completion.provider.provideInlineCompletionItems(doc, fimPosition(doc), automatic, tokenSource().token),
        undefined,
      );
      assert.equal(api.completion.engine.runs, runs);
      const why = (await vscode.commands.executeCommand('tokenscope.whyNoCompletion')) as { reason: string; detail?: string } | undefined;
      assert.deepEqual([why?.reason, why?.detail], ['disabled-language', doc.languageId]);
    } finally {
      await setSetting('completion.disabledLanguages', undefined);
    }
  });

  it('"Explain This Completion" hands the last completion\'s tokens to the inspector', async () => {
    const res = (await vscode.commands.executeCommand('tokenscope.explainCompletion')) as { steps: number } | undefined;
    assert.ok(res && res.steps > 0);
    await waitFor(
      () => vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.label.includes('Inspector'))),
      'the inspector tab to open',
      20_000,
    );
  });
});

describe('explain hover', () => {
  it('after a completion is accepted, hovering its text offers "Explain this completion"', async () => {
    const { editor, doc } = await openSample();
    const shown = api.completion.last.latest();
    assert.ok(shown);
    // Accept as VS Code does: insert the text, then run the item's command.
    const pos = fimPosition(doc);
    const text = ' // accepted';
    await editor.edit((e) => e.insert(pos, text));
    await vscode.commands.executeCommand('tokenscope.completionAccepted', shown.id, 0, text, doc.uri, doc.offsetAt(pos));
    try {
      const hovers =
        (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, pos.translate(0, 4))) ?? [];
      const texts = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')));
      assert.ok(
        texts.some((t) => t.includes('Explain this completion') && t.includes('command:tokenscope.explainCompletion')),
        texts.join(' | '),
      );
      assert.equal(api.completion.last.latest()?.accepted?.text, text);
    } finally {
      await editor.edit((e) => e.delete(new vscode.Range(pos, pos.translate(0, text.length))));
    }
  });
});

describe('servers', () => {
  it('"Start OpenAI-Compatible Server" serves the editor\'s model with logprobs', async () => {
    await ready(api);
    await vscode.commands.executeCommand('tokenscope.startServer');
    const url = await waitFor(() => api.serverUrl(), 'the server to listen');
    try {
      const res = await fetch(`${url}/v1/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'function add(', max_tokens: 4, temperature: 0, logprobs: 2 }),
      });
      assert.equal(res.status, 200);
      const body = (await res.json()) as { choices: { logprobs: { tokens: string[] } }[]; usage: { completion_tokens: number } };
      assert.equal(body.choices[0].logprobs.tokens.length, body.usage.completion_tokens);
    } finally {
      await vscode.commands.executeCommand('tokenscope.stopServer');
    }
    assert.equal(api.serverUrl(), undefined);
  });

  it('a remote backend (npm run serve as llama-server) gives inline completions whose steps say they are remote', async () => {
    await ready(api);
    const local = api.runtime.model()!;
    const child = spawn(process.execPath, [join(EXTENSION_ROOT, 'dist/serve.js'), '--model', local.dir, '--port', '0', '--threads', '1'], {
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    try {
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const url = await waitFor(() => /at (http:\/\/\S+)/.exec(out)?.[1], 'npm run serve to listen');
      await setSetting('remote.baseUrl', url);
      await setSetting('remote.flavour', 'llama-server');
      await setSetting('model.backend', 'remote');
      await waitFor(() => api.runtime.model()?.architecture === 'remote' && api.runtime.state.kind === 'ready', 'the remote engine');
      const { doc } = await openSample();
      api.completion.engine.cache.clear();
      const before = api.completion.last.latest();
      await api.completion.provider.provideInlineCompletionItems(doc, fimPosition(doc), invoked, tokenSource().token);
      const shown = api.completion.last.latest();
      assert.ok(shown && shown !== before, 'the remote model answered');
      const steps = shown.candidates[0].steps;
      assert.ok(steps.length > 0 && steps.every((s) => s.remote?.source.startsWith('llama-server /infill')), 'FIM through /infill');
    } finally {
      child.kill();
      await setSetting('model.backend', undefined);
      await setSetting('remote.baseUrl', undefined);
      await setSetting('remote.flavour', undefined);
    }
    await waitFor(() => api.runtime.model()?.name === local.name && api.runtime.state.kind === 'ready', 'the local model again');
  });

  it('a GGUF file runs on llama.cpp in the worker: inline completions decoded natively, their figures computed when explained, and the backend reported', async () => {
    await ready(api);
    const local = api.runtime.model()!;
    // The default model's weights converted to GGUF (scripts/lib/default-gguf.mjs): a model that completes code.
    const gguf = process.env.TOKENSCOPE_TEST_GGUF;
    assert.ok(gguf, 'scripts/test-vscode.mjs converts the default model to GGUF (needs python3 with torch and onnx)');
    try {
      await setSetting('model.path', gguf);
      await waitFor(() => api.runtime.model()?.dir === gguf && api.runtime.state.kind === 'ready', 'the GGUF model');
      const state = api.runtime.state;
      assert.ok(state.kind === 'ready' && /llama\.cpp/.test(state.provider.notes?.[0] ?? ''), 'the backend says llama.cpp');
      const { doc } = await openSample();
      api.completion.engine.cache.clear();
      const before = api.completion.last.latest();
      await api.completion.provider.provideInlineCompletionItems(doc, fimPosition(doc), invoked, tokenSource().token);
      const shown = api.completion.last.latest();
      assert.ok(
        shown && shown !== before,
        `the GGUF model answered (${JSON.stringify(api.completion.engine.outcomes.last(doc.uri.toString()))})`,
      );
      // Greedy ghost text is decoded by llama.cpp's own sampler: token-only steps, figures on request.
      assert.ok(shown.candidates[0].steps.length > 0 && shown.candidates[0].steps.every((s) => s.deferred), 'native decode');
      const explained = (await vscode.commands.executeCommand('tokenscope.explainCompletion')) as { steps: number } | undefined;
      assert.equal(explained?.steps, shown.candidates[0].steps.length);
      for (const s of shown.candidates[0].steps) {
        assert.ok(!s.deferred && s.remote === undefined, 'computed here, from the model');
        assert.ok(s.rawProb > 0 && s.rawProb <= 1 && s.finalProb === 1 && s.alternatives.some((a) => a.id === s.id));
      }
    } finally {
      await setSetting('model.path', undefined);
    }
    await waitFor(() => api.runtime.model()?.name === local.name && api.runtime.state.kind === 'ready', 'the default model again');
  });

  it('Choose GGUF Model… lists the GGUF files Ollama holds; picking one with the keyboard makes it the completion model', async () => {
    await ready(api);
    const local = api.runtime.model()!;
    // An Ollama store (manifest -> blob named by its digest) holding the tiny GGUF fixture; nothing else to find.
    const store = mkdtempSync(join(tmpdir(), 'ollama-'));
    const gguf = readFileSync(join(EXTENSION_ROOT, 'test/fixtures/models/gguf/llama-tiny-f32.gguf'));
    const digest = createHash('sha256').update(gguf).digest('hex');
    const blob = join(store, 'blobs', `sha256-${digest}`);
    const manifest = join(store, 'manifests', 'registry.ollama.ai', 'library', 'tiny', 'latest');
    mkdirSync(join(store, 'blobs'), { recursive: true });
    mkdirSync(join(manifest, '..'), { recursive: true });
    writeFileSync(blob, gguf);
    writeFileSync(manifest, JSON.stringify({ layers: [{ mediaType: 'application/vnd.ollama.image.model', digest: `sha256:${digest}` }] }));
    const saved = { ollama: process.env.OLLAMA_MODELS, hf: process.env.HF_HUB_CACHE };
    process.env.OLLAMA_MODELS = store;
    process.env.HF_HUB_CACHE = join(store, 'no-hf-cache');
    try {
      const picked = vscode.commands.executeCommand('tokenscope.chooseGgufModel', 'completion');
      // The picker opens with "Browse…" first; the arrow key moves to the model found, Enter takes it.
      await new Promise((r) => setTimeout(r, 1500));
      await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      await picked;
      assert.equal(vscode.workspace.getConfiguration('tokenscope').get('model.path'), blob);
      await waitFor(() => api.runtime.model()?.dir === blob && api.runtime.state.kind === 'ready', 'the picked GGUF model');
      assert.equal(api.runtime.model()!.architecture, 'llama');
    } finally {
      process.env.OLLAMA_MODELS = saved.ollama;
      process.env.HF_HUB_CACHE = saved.hf;
      if (saved.ollama === undefined) delete process.env.OLLAMA_MODELS;
      if (saved.hf === undefined) delete process.env.HF_HUB_CACHE;
      // The picker writes the user setting (and the workspace one where set), as a choice made in the UI should.
      await vscode.workspace.getConfiguration('tokenscope').update('model.path', undefined, vscode.ConfigurationTarget.Global);
      await setSetting('model.path', undefined);
    }
    await waitFor(() => api.runtime.model()?.name === local.name && api.runtime.state.kind === 'ready', 'the default model again');
  });

  it('vscode.lm offers the model, where this VS Code has the provider API', async function () {
    const lm = vscode.lm as unknown as { registerLanguageModelChatProvider?: unknown };
    if (typeof lm.registerLanguageModelChatProvider !== 'function') return this.skip();
    await ready(api);
    const models = await waitFor(async () => {
      const found = await vscode.lm.selectChatModels({ vendor: 'tokenscope' });
      return found.length ? found : undefined;
    }, 'the Tokenscope language model');
    assert.equal(models[0].name, `Tokenscope: ${api.runtime.model()!.name}`);
    const res = await models[0].sendRequest([vscode.LanguageModelChatMessage.User('Write a function that adds two numbers.')]);
    let text = '';
    for await (const part of res.text) text += part;
    assert.ok(text.length > 0, 'the model replied');
    assert.ok((await models[0].countTokens('function add(a, b)')) > 0);
  });
});

describe('fill-in-the-middle family', () => {
  it("tokenscope.model.fimFamily restarts the worker with that family's tokens and order", async () => {
    await ready(api);
    try {
      await setSetting('model.fimFamily', 'codegemma');
      await waitFor(() => api.runtime.model()?.fim?.family === 'codegemma' && api.runtime.state.kind === 'ready', 'the codegemma family');
      assert.equal(api.runtime.model()!.fimLayout, 'psm');
    } finally {
      await setSetting('model.fimFamily', undefined);
    }
    await waitFor(
      () => api.runtime.model()?.fim?.family !== 'codegemma' && api.runtime.state.kind === 'ready',
      'the detected family again',
    );
  });
});

describe('model anatomy', () => {
  it('Show Model Anatomy draws the loaded model from its files: the stack, parameters and formats per part', async () => {
    await ready(api);
    const shown = (await vscode.commands.executeCommand('tokenscope.showAnatomy')) as AnatomyHostToView;
    assert.equal(shown.type, 'anatomy', JSON.stringify(shown));
    if (shown.type !== 'anatomy') return;
    const a = shown.anatomy;
    const m = api.runtime.model()!;
    assert.equal(a.shape.layers, m.layers);
    assert.equal(a.shape.vocab, m.vocabSize);
    assert.ok(
      a.parts.some((p) => p.group === 'attention' && p.formats[0] === 'q8'),
      'the fused export: 8-bit MatMulNBits blocks',
    );
    assert.ok(a.totalParams > 1e6 && a.totalBytes > a.totalParams / 2);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it("X-ray at Cursor: the logit lens per layer, ending at the model's answer, and attention per layer and head", async () => {
    await ready(api);
    const { editor, doc } = await openSample();
    editor.selection = new vscode.Selection(fimPosition(doc), fimPosition(doc));
    const shown = (await vscode.commands.executeCommand('tokenscope.xrayAtCursor')) as XrayHostToView;
    assert.equal(shown.type, 'xray', JSON.stringify(shown).slice(0, 300));
    if (shown.type !== 'xray') return;
    const m = api.runtime.model()!;
    const r = shown.report;
    assert.equal(r.lens.length, m.layers + 1, 'the embedding, then after each block');
    assert.equal(r.attention?.length, m.layers);
    assert.equal(r.attention![0].length, m.heads);
    const row = r.attention![m.layers - 1][0];
    assert.equal(row.length, r.tokens.length);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-3, "a head's weights sum to 1");
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});

/**
 * Runs `use` with a loopback hub as tokenscope.hub.endpoint and an empty HF_HUB_CACHE (the extension host reads it per
 * download); afterwards both are put back, model.path is cleared, and the default model is serving again.
 */
async function withHub(use: (hub: FakeHub, cache: string, local: ModelInfo) => Promise<void>): Promise<void> {
  await ready(api);
  const local = api.runtime.model()!;
  const hub = await FakeHub.start();
  const cache = mkdtempSync(join(tmpdir(), 'tokenscope-hub-'));
  const before = process.env.HF_HUB_CACHE;
  process.env.HF_HUB_CACHE = cache;
  try {
    await setSetting('hub.endpoint', hub.url);
    await use(hub, cache, local);
  } finally {
    if (before === undefined) delete process.env.HF_HUB_CACHE;
    else process.env.HF_HUB_CACHE = before;
    await setSetting('hub.endpoint', undefined);
    await clearUserSetting('model.path');
    await setSetting('model.path', undefined);
    await hub.close();
  }
  await waitFor(() => api.runtime.model()?.name === local.name && api.runtime.state.kind === 'ready', 'the default model again');
}

describe('the Hugging Face hub', () => {
  it('Download Model from Hugging Face… through its pickers: a curated entry, then its precision; a q4 export in two data files lands and runs', () =>
    withHub(async (hub, cache) => {
      // The first curated entry, served by the loopback hub with a fixture in the community's q4 form.
      const fixture = join(EXTENSION_ROOT, 'test/fixtures/models/qwen2-tiny-q4-gqa');
      const files = ['config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];
      const onnx = ['onnx/model_q4.onnx', 'onnx/model_q4.onnx_data', 'onnx/model_q4.onnx_data_1'];
      const repo = 'onnx-community/Qwen2.5-Coder-0.5B-Instruct';
      const commit = hub.addRepo(repo, Object.fromEntries([...files, ...onnx].map((f) => [f, readFileSync(join(fixture, f))])));
      // Not awaited: after the download it asks whether to use the model (a notification).
      void vscode.commands.executeCommand('tokenscope.downloadModel');
      const accept = async () => {
        await new Promise((r) => setTimeout(r, 1500));
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      };
      await accept(); // the curated list: its first entry
      await accept(); // the precisions the repo holds: q4 is the only one
      const snapshot = join(cache, `models--${repo.replace('/', '--')}`, 'snapshots', commit);
      await waitFor(() => onnx.every((f) => existsSync(join(snapshot, f))), 'the q4 graph and both data files in the cache');
      await vscode.commands.executeCommand('notifications.clearAll');
      await setSetting('model.path', snapshot);
      await waitFor(() => api.runtime.model()?.dir === snapshot && api.runtime.state.kind === 'ready', 'the downloaded model');
      assert.equal(api.runtime.model()!.onnxFile, 'model_q4.onnx');
      const greedy = { temperature: 0, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1, presencePenalty: 0, frequencyPenalty: 0 };
      const r = await api.runtime.generate({
        prompt: { text: 'def add(a, b):' },
        sampling: { ...greedy, maxTokens: 4, stop: [] },
        topN: 0,
      });
      assert.ok(r.ids.length > 0, 'the downloaded model generates');
    }));

  it('Download Model from Hugging Face… fetches from a loopback hub into the cache, sets the model and completes with it; a GGUF file too', () =>
    withHub(async (hub, cache, local) => {
      const files = [
        'config.json',
        'generation_config.json',
        'tokenizer.json',
        'tokenizer_config.json',
        'special_tokens_map.json',
        'onnx/model_quantized.onnx',
      ];
      const commit = hub.addRepo('test-org/tokenscope-code', Object.fromEntries(files.map((f) => [f, readFileSync(join(local.dir, f))])));
      await vscode.commands.executeCommand('tokenscope.downloadModel', { repo: 'test-org/tokenscope-code', use: true });
      const snapshot = join(cache, 'models--test-org--tokenscope-code', 'snapshots', commit);
      await waitFor(() => api.runtime.model()?.dir === snapshot && api.runtime.state.kind === 'ready', 'the downloaded model');
      const { doc } = await openSample();
      api.completion.engine.cache.clear();
      const shown = api.completion.last.latest();
      await api.completion.provider.provideInlineCompletionItems(doc, fimPosition(doc), invoked, tokenSource().token);
      assert.ok(api.completion.last.latest() !== shown, 'the downloaded model completed');
      // A GGUF repo: the picked file alone, and tokenscope.model.path names it.
      const gguf = hub.addRepo('test-org/tiny-GGUF', {
        'tiny-f32.gguf': readFileSync(join(EXTENSION_ROOT, 'test', 'fixtures', 'models', 'gguf', 'llama-tiny-f32.gguf')),
      });
      await vscode.commands.executeCommand('tokenscope.downloadModel', { repo: 'test-org/tiny-GGUF', variant: 'tiny-f32.gguf', use: true });
      const file = join(cache, 'models--test-org--tiny-GGUF', 'snapshots', gguf, 'tiny-f32.gguf');
      await waitFor(() => api.runtime.model()?.dir === file && api.runtime.state.kind === 'ready', 'the downloaded GGUF model');
    }));
});

describe('inspector', () => {
  it('holds at most MAX_SHOWN generations: the oldest go, from the host and the view', async () => {
    await ready(api);
    const steps: TokenStep[] = [];
    await api.runtime.generate({
      prompt: { text: 'x = ' },
      sampling: { ...DEFAULT_SAMPLER, maxTokens: 2, stop: [] },
      topN: 3,
      onToken: (s) => steps.push(s),
    });
    await vscode.commands.executeCommand('tokenscope.openInspector', { prompt: 'x = ', steps, origin: 'completion' });
    const panel = api.inspector()!;
    const forgotten: number[] = [];
    const sub = panel.onDidPost.event((m) => m.type === 'forget' && forgotten.push(...m.generationIds));
    try {
      const before = panel.stats().generations;
      for (let i = 0; i < MAX_SHOWN + 3; i++) await vscode.commands.executeCommand('tokenscope.openInspector', { prompt: `p${i}`, steps });
      assert.equal(panel.stats().generations, MAX_SHOWN);
      await waitFor(() => forgotten.length === before + 3, 'the view told to forget the oldest');
    } finally {
      sub.dispose();
    }
  });
});

describe('a model for each job', () => {
  it('tokenscope.chat.modelPath gives the chat its own worker, shown in the status bar; "Ask About Selection" answers from it', async () => {
    await ready(api);
    const completionModel = api.runtime.model()!.name;
    await setSetting('chat.modelPath', join(EXTENSION_ROOT, 'test/fixtures/models/llama-tiny'));
    try {
      await waitFor(() => api.status.chatText?.includes('llama-tiny'), 'the chat model in the status bar');
      assert.ok(api.chat.separate);
      assert.equal(api.chat.model()?.name, 'llama-tiny');
      assert.equal(api.runtime.model()?.name, completionModel, 'completions keep their model');
      const { editor } = await openSample();
      editor.selection = new vscode.Selection(0, 0, 2, 0);
      await vscode.commands.executeCommand('tokenscope.chat.askAboutSelection', 'What does this do?');
      const history = (await vscode.commands.executeCommand('tokenscope.chat.history')) as { role: string; content: string }[];
      const [question, reply] = history.slice(-2);
      assert.match(question.content, /^What does this do\?\n\nsample\.ts:1-3:\n```typescript\n/);
      assert.equal(reply.role, 'assistant');
      // A chat reply in the inspector is resampled by the worker that keeps it (the chat's); the completion worker,
      // which numbers its generations apart, does not know its id.
      const sampling = { ...DEFAULT_SAMPLER, temperature: 1, seed: 7, maxTokens: 4, stop: [] };
      const steps: TokenStep[] = [];
      const r = await api.chat.generate({ prompt: { text: 'def add(a, b):' }, sampling, topN: 3, onToken: (step) => steps.push(step) });
      await assert.rejects(api.runtime.resample(r.generationId, 1, sampling, 3), /no longer kept/);
      await vscode.commands.executeCommand('tokenscope.openInspector', {
        prompt: 'def add(a, b):',
        steps,
        generationId: r.generationId,
        origin: 'chat',
        keeper: api.chat,
      });
      const panel = api.inspector()!;
      const answer = new Promise<InspectorHostToView>((done) => {
        const sub = panel.onDidPost.event((m) => {
          if (m.type !== 'resampled' && m.type !== 'resample-failed') return;
          sub.dispose();
          done(m);
        });
      });
      await panel.receive({ type: 'resample-step', requestId: 1, generationId: r.generationId, position: 1, sampling });
      const m = await answer;
      assert.ok(m.type === 'resampled' && m.step.id === steps[1].id, JSON.stringify(m).slice(0, 200));
    } finally {
      await setSetting('chat.modelPath', undefined);
    }
    await waitFor(() => !api.chat.separate && api.status.chatText === undefined, 'the chat back on the completion model');
  });
});

describe('worker restart', () => {
  it('a killed worker is restarted and completes again', async () => {
    await ready(api);
    const pid = api.runtime.pid();
    assert.ok(pid);
    const starts = api.runtime.starts;
    process.kill(pid, 'SIGKILL');
    await waitFor(
      () => api.runtime.starts > starts && api.runtime.state.kind === 'ready' && api.runtime.pid() !== pid,
      'the worker to come back',
    );
    const { doc } = await openSample();
    api.completion.engine.cache.clear();
    const runs = api.completion.engine.runs;
    await api.completion.provider.provideInlineCompletionItems(doc, fimPosition(doc), automatic, tokenSource().token);
    assert.equal(api.completion.engine.runs, runs + 1);
    assert.ok((api.completion.last.latest()?.candidates[0].steps.length ?? 0) > 0);
  });
});

describe('reliability', () => {
  it('a model folder that fails to load leaves the working model serving, and the status bar says why', async () => {
    await ready(api);
    const name = api.runtime.model()!.name;
    const good = api.settings.value.modelPath;
    await setSetting('model.path', '/nonexistent/tokenscope-model');
    try {
      await waitFor(
        () => api.runtime.state.kind === 'ready' && api.runtime.state.notice?.includes('/nonexistent/tokenscope-model'),
        'the failed load to be reported',
      );
      assert.equal(api.runtime.model()?.name, name);
      assert.match(api.status.text, /warning/);
    } finally {
      await setSetting('model.path', good);
    }
    await waitFor(() => api.runtime.state.kind === 'ready' && !api.runtime.state.notice, 'the good model again');
  });

  it('after too many crashes the worker stays stopped, requests say why, and the status bar restarts it', async () => {
    for (let i = 0; i < 10 && api.runtime.state.kind !== 'stopped'; i++) {
      await ready(api);
      const pid = api.runtime.pid()!;
      process.kill(pid, 'SIGKILL');
      await waitFor(
        () => api.runtime.state.kind === 'stopped' || (api.runtime.state.kind === 'ready' && api.runtime.pid() !== pid),
        'a restart, or the stop',
      );
    }
    assert.equal(api.runtime.state.kind, 'stopped');
    assert.match(api.status.text, /stopped/);
    assert.equal(api.status.command, 'tokenscope.restartWorker');
    await assert.rejects(api.runtime.tokenize('x'), /stopped after \d+ crashes/);
    await vscode.commands.executeCommand(api.status.command!);
    await ready(api);
    assert.equal(api.status.command, 'tokenscope.showMenu');
    assert.ok((await api.runtime.tokenize('x')).length > 0);
  });
});
