// Entry point: wires the pieces together and returns quickly. The model worker starts in the background;
// every feature registers itself through its own register function.
import * as vscode from 'vscode';
import { providerList, samplingFor, type TokenscopeConfig } from './config';
import { registerChat } from './chat/register';
import { registerCompletion, type CompletionApi } from './completion/register';
import { registerHeatmap } from './heatmap/register';
import type { InspectorPanel } from './inspector/inspector-panel';
import { inspectorPanel, registerInspector } from './inspector/register';
import type { ViewDeps } from './runtime-port';
import { createLog } from './log';
import { defaultModelDir } from './model-location';
import type { ModelInfo } from '../model-runtime/protocol';
import { ModelRuntime, type RuntimeState } from '../model-runtime/runtime';
import { applyChoice, Settings } from './settings';
import { StatusBar } from './status-bar';
import { registerTokenizerView } from './tokenizer-view/register';
import { chatFormatFor } from '../model-runtime/chat-template';
import { ChatModel } from './chat-model';
import { registerLanguageModel } from './lm-provider';
import { chatWarning, completionWarning } from './model-roles';
import { REMOTE_KEY_SECRET, registerRemote, remoteSpec } from './remote/register';
import { registerAnatomy } from './anatomy/anatomy-panel';
import { registerXray } from './xray/xray-panel';
import { registerCudaDownload } from './gguf/cuda-download';
import { registerGgufPicker } from './gguf/register';
import { registerHubDownload } from './hub/register';
import { SAMPLING } from '../sampling/settings';

/** What activate() returns: used by the extension-host tests. */
export interface TokenscopeApi {
  runtime: ModelRuntime;
  completion: CompletionApi;
  settings: Settings;
  status: StatusBar;
  /** The model folder the worker was last started on. */
  modelDir(): string;
  /** Where Tokenscope: Start Server listens, while it runs. */
  serverUrl(): string | undefined;
  /** The chat's model (its own worker, or the completion model's). */
  chat: ChatModel;
  /** The inspector's host side, once registered. */
  inspector(): InspectorPanel | undefined;
}

export function activate(context: vscode.ExtensionContext): TokenscopeApi {
  const log = createLog(context);
  const settings = new Settings(log);
  const status = new StatusBar();
  const runtime = new ModelRuntime({
    workerPath: context.asAbsolutePath('dist/worker.js'),
    log: (level, message) => log[level](message),
  });
  context.subscriptions.push(settings, status, runtime);
  context.subscriptions.push(runtime.onDidChangeState((s) => status.update(s, settings.value.completion.autoTrigger)));
  status.update(runtime.state, settings.value.completion.autoTrigger);

  const worker = workerStarter(context, runtime, status, log);
  context.subscriptions.push(runtime.onDidChangeState((s) => s.kind === 'stopped' && s.reason && void offerRestart(s.reason)));
  context.subscriptions.push(
    settings.onDidChange(({ previous, current }) => {
      const m = (c: TokenscopeConfig) =>
        JSON.stringify([c.backend, c.modelPath, c.fimFamily, c.executionProvider, c.threads, c.backend === 'remote' && c.remote]);
      if (m(previous) !== m(current)) worker.start(current);
      status.update(runtime.state, current.completion.autoTrigger);
    }),
  );
  // A new remote API key takes effect at once.
  context.subscriptions.push(
    context.secrets.onDidChange((e) => e.key === REMOTE_KEY_SECRET && settings.value.backend === 'remote' && worker.start(settings.value)),
  );
  const chat = setupChatModel(context, { runtime, settings, status, log });
  const completion = registerFeatures(context, { runtime, chat }, settings, log);
  const remote = registerRemote(context, { runtime, settings, log });
  registerHubDownload(context, { settings, log });
  registerGgufPicker(context, log);
  registerCudaDownload(context, settings, log);
  if (!registerLanguageModel(context, runtime))
    log.info('this VS Code has no language model provider API: the model is not offered to vscode.lm');
  context.subscriptions.push(
    vscode.commands.registerCommand('tokenscope.restartWorker', () => worker.start(settings.value)),
    vscode.commands.registerCommand('tokenscope.showLog', () => log.show()),
    vscode.commands.registerCommand('tokenscope.chooseModelFolder', chooseModelFolder),
    vscode.commands.registerCommand('tokenscope.showMenu', showMenu),
  );

  // Off the activation path: spawning the worker and loading the model take a moment.
  setImmediate(() => worker.start(settings.value));
  return {
    runtime,
    completion,
    settings,
    status,
    modelDir: () => worker.modelDir,
    serverUrl: remote.serverUrl,
    chat,
    inspector: inspectorPanel,
  };
}

/** Starts the worker on the configured (or bundled) model, or the remote server; a newer start makes an older one's failure moot. */
function workerStarter(context: vscode.ExtensionContext, runtime: ModelRuntime, status: StatusBar, log: vscode.LogOutputChannel) {
  let startSeq = 0;
  const fail = (message: string, cfg: TokenscopeConfig) => {
    log.error(message);
    status.update({ kind: 'error', message }, cfg.completion.autoTrigger);
  };
  const worker = {
    modelDir: '',
    async start(cfg: TokenscopeConfig): Promise<void> {
      const seq = ++startSeq;
      const remote = cfg.backend === 'remote';
      const dir = remote ? cfg.remote.baseUrl : cfg.modelPath || defaultModelDir(context.extensionPath) || '';
      worker.modelDir = dir;
      if (!dir)
        return fail(
          remote
            ? 'no remote server: set tokenscope.remote.baseUrl (Tokenscope: Use Remote Server…)'
            : 'no model folder (set tokenscope.model.path)',
          cfg,
        );
      const spec = remote ? { modelDir: dir, remote: await remoteSpec(cfg, context.secrets) } : { modelDir: dir };
      if (seq !== startSeq) return;
      log.info(`starting the worker on ${dir}`);
      const fimFamily = cfg.fimFamily || undefined;
      runtime
        .start({ ...spec, providers: providerList(cfg.executionProvider), threads: cfg.threads, fimFamily })
        .then(undefined, (e: Error) => {
          if (seq === startSeq) void reportLoadFailure(dir, e, runtime.model()?.name, remote);
        });
    },
  };
  return worker;
}

/**
 * The chat's own model when tokenscope.chat.modelPath names one (else it shares the completion model), and a
 * warning, once per model, when a model sits in the wrong job (an instruct model completing, a base model chatting).
 */
function setupChatModel(
  context: vscode.ExtensionContext,
  d: { runtime: ModelRuntime; settings: Settings; status: StatusBar; log: vscode.LogOutputChannel },
): ChatModel {
  const warned = new Set<string>();
  const warnOnce = (text: string | undefined) => {
    if (!text || warned.has(text)) return;
    warned.add(text);
    d.log.warn(text);
    void vscode.window.showWarningMessage(`Tokenscope: ${text}`);
  };
  const make = () =>
    new ModelRuntime({
      workerPath: context.asAbsolutePath('dist/worker.js'),
      log: (level, message) => d.log[level](`chat model: ${message}`),
    });
  const checkChat = perModel((m) => warnOnce(chatWarning(m, chatFormatFor(m.dir, m.chatTemplate).hasTemplate)));
  const chat = new ChatModel(d.runtime, make, (s) => {
    d.status.updateChat(s);
    checkChat(s);
  });
  const apply = (cfg: TokenscopeConfig) =>
    chat.apply(cfg, providerList(cfg.executionProvider)).catch((e: Error) => {
      chat.stop();
      const text = `Tokenscope could not load the chat model in ${cfg.chatModelPath}: ${e.message}. The chat uses the completion model meanwhile.`;
      d.log.error(text);
      void vscode.window.showErrorMessage(text);
    });
  const key = (c: TokenscopeConfig) => JSON.stringify([c.backend, c.chatModelPath, c.executionProvider, c.threads]);
  context.subscriptions.push(
    { dispose: () => chat.stop() },
    d.runtime.onDidChangeState(perModel((m) => warnOnce(completionWarning(m)))),
    d.settings.onDidChange(({ previous, current }) => key(previous) !== key(current) && void apply(current)),
  );
  setImmediate(() => void apply(d.settings.value));
  return chat;
}

/** Calls `check` once per model a runtime becomes ready on: 'ready' also follows every generation. */
function perModel(check: (model: ModelInfo) => void): (state: RuntimeState | undefined) => void {
  let last = '';
  return (s) => {
    if (s?.kind !== 'ready' || s.model.dir === last) return;
    last = s.model.dir;
    check(s.model);
  };
}

/** Registers every feature; one failing to register must not take the others down with it. */
function registerFeatures(
  context: vscode.ExtensionContext,
  { runtime, chat }: { runtime: ModelRuntime; chat: ChatModel },
  settings: Settings,
  log: vscode.LogOutputChannel,
) {
  const views: ViewDeps = {
    runtime,
    sampling: () => samplingFor(settings.value, { maxTokens: SAMPLING.maxTokens.default }),
  };
  const safely = <T>(name: string, f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      log.error(`registering ${name} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return undefined;
    }
  };
  const xray = safely('the X-ray', () => registerXray(context, { xray: (what, topK) => runtime.xray(what, topK) }));
  const xrayStep = xray && xray.atStep.bind(xray);
  const openInspector = safely('the inspector', () => registerInspector(context, { ...views, xrayStep }))?.openInspector;
  const completion = registerCompletion(context, { runtime, settings, log, openInspector });
  safely('the chat view', () => registerChat(context, { ...views, runtime: chat, openInspector: (input) => openInspector?.(input) }));
  safely('the heatmap', () => registerHeatmap(context, views));
  safely('the tokenizer view', () => registerTokenizerView(context, views));
  safely('the anatomy view', () =>
    registerAnatomy(context, { anatomy: () => runtime.anatomy(), onDidLoad: (l) => runtime.onDidChangeState(perModel(l)) }),
  );
  return completion;
}

/** A model folder that did not load: say so, and whether the model that was serving still does. */
async function reportLoadFailure(dir: string, e: Error, serving: string | undefined, remote: boolean): Promise<void> {
  const still = serving ? ` Still using ${serving}.` : '';
  const what = remote ? `could not use the server at ${dir}` : `could not load the model in ${dir}`;
  const pick = await vscode.window.showErrorMessage(`Tokenscope ${what}: ${e.message}.${still}`, 'Choose Model Folder…', 'Show Log');
  if (pick === 'Show Log') await vscode.commands.executeCommand('tokenscope.showLog');
  else if (pick) await vscode.commands.executeCommand('tokenscope.chooseModelFolder');
}

/** The worker stopped after its crash budget: say why once, with a Restart button. */
async function offerRestart(reason: string): Promise<void> {
  const pick = await vscode.window.showErrorMessage(`Tokenscope: ${reason}`, 'Restart', 'Show Log');
  if (pick === 'Restart') await vscode.commands.executeCommand('tokenscope.restartWorker');
  else if (pick) await vscode.commands.executeCommand('tokenscope.showLog');
}

async function chooseModelFolder(): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    title: 'Tokenscope: model folder (with config.json and onnx/)',
  });
  if (!picked?.[0]) return;
  await applyChoice('model.path', picked[0].fsPath);
}

async function showMenu(): Promise<void> {
  const items: (vscode.QuickPickItem & { command: string })[] = [
    { label: '$(sparkle) Complete Here', command: 'tokenscope.triggerCompletion' },
    { label: '$(inspect) Explain This Completion', command: 'tokenscope.explainCompletion' },
    { label: '$(check) Toggle Automatic Completions', command: 'tokenscope.toggleAutoCompletion' },
    { label: '$(question) Why No Completion?', command: 'tokenscope.whyNoCompletion' },
    { label: '$(debug-restart) Restart Model Worker', command: 'tokenscope.restartWorker' },
    { label: '$(folder-opened) Choose Model Folder…', command: 'tokenscope.chooseModelFolder' },
    { label: '$(file-binary) Choose GGUF Model…', command: 'tokenscope.chooseGgufModel' },
    { label: '$(type-hierarchy) Show Model Anatomy', command: 'tokenscope.showAnatomy' },
    { label: '$(eye) X-ray at Cursor', command: 'tokenscope.xrayAtCursor' },
    { label: '$(output) Show Log', command: 'tokenscope.showLog' },
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Tokenscope' });
  if (pick) await vscode.commands.executeCommand(pick.command);
}

export function deactivate(): void {
  // Disposables in context.subscriptions stop the worker.
}
