// The model Tokenscope runs (local, or the remote server it uses) as a VS Code language model, so the editor's
// own chat and other extensions can use it through vscode.lm. The provider API arrived in VS Code 1.104, after
// the @types/vscode this extension builds against, so its shapes are declared here and the call is made only
// where the running VS Code has it.
import * as vscode from 'vscode';
import { type ChatTurn, chatPrompt } from '../model-runtime/chat-template';
import type { ModelRuntime } from '../model-runtime/runtime';
import { SAMPLING_DEFAULTS } from '../sampling/settings';

/** LanguageModelChatInformation (vscode.d.ts 1.104). */
interface ChatInformation {
  id: string;
  name: string;
  family: string;
  version: string;
  maxInputTokens: number;
  maxOutputTokens: number;
  tooltip?: string;
  capabilities: { imageInput?: boolean; toolCalling?: boolean | number };
}

/** LanguageModelChatRequestMessage: a role and parts, of which we read the text ones. */
interface RequestMessage {
  role: vscode.LanguageModelChatMessageRole | number;
  content: readonly unknown[];
}

interface ChatProvider {
  onDidChangeLanguageModelChatInformation?: vscode.Event<void>;
  provideLanguageModelChatInformation(options: unknown, token: vscode.CancellationToken): ChatInformation[];
  provideLanguageModelChatResponse(
    model: ChatInformation,
    messages: readonly RequestMessage[],
    options: unknown,
    progress: vscode.Progress<vscode.LanguageModelTextPart>,
    token: vscode.CancellationToken,
  ): Promise<void>;
  provideTokenCount(model: ChatInformation, text: string | RequestMessage, token: vscode.CancellationToken): Promise<number>;
}

type Runtime = Pick<ModelRuntime, 'generate' | 'tokenize' | 'model' | 'onDidChangeState'>;

export const LM_VENDOR = 'tokenscope';
const MAX_OUTPUT_TOKENS = 512;

function textOf(m: RequestMessage): string {
  return m.content.map((p) => (p instanceof vscode.LanguageModelTextPart ? p.value : '')).join('');
}

/** VS Code's roles (User 1, Assistant 2, System 3 where it exists) as chat turns. */
export function turnsOf(messages: readonly RequestMessage[]): ChatTurn[] {
  return messages.map((m) => ({ role: m.role === 1 ? 'user' : m.role === 2 ? 'assistant' : 'system', content: textOf(m) }));
}

function information(runtime: Runtime): ChatInformation[] {
  const m = runtime.model();
  if (!m) return [];
  return [
    {
      id: 'tokenscope-model',
      name: `Tokenscope: ${m.name}`,
      family: m.architecture,
      version: m.name,
      maxInputTokens: Math.max(0, m.contextLength - MAX_OUTPUT_TOKENS),
      maxOutputTokens: MAX_OUTPUT_TOKENS,
      tooltip: 'The model Tokenscope runs: its local worker, or the remote server it is set to',
      capabilities: { imageInput: false, toolCalling: false },
    },
  ];
}

async function respond(
  runtime: Runtime,
  messages: readonly RequestMessage[],
  progress: vscode.Progress<vscode.LanguageModelTextPart>,
  token: vscode.CancellationToken,
) {
  const model = runtime.model();
  if (!model) throw new Error('Tokenscope has no model loaded yet.');
  const { prompt, stop } = chatPrompt(model, turnsOf(messages));
  const abort = new AbortController();
  // A token cancelled before we got here never fires its event.
  if (token.isCancellationRequested) return;
  const sub = token.onCancellationRequested(() => abort.abort());
  try {
    await runtime.generate({
      prompt,
      sampling: { ...SAMPLING_DEFAULTS, maxTokens: MAX_OUTPUT_TOKENS, stop },
      topN: 0,
      // Only the text goes back: a GGUF engine may decode natively (greedy requests).
      detail: 'deferred',
      priority: 'interactive',
      signal: abort.signal,
      onToken: (_step, delta) => delta && progress.report(new vscode.LanguageModelTextPart(delta)),
    });
  } finally {
    sub.dispose();
  }
}

/** Registers the provider where VS Code has the API; returns whether it did. */
export function registerLanguageModel(context: vscode.ExtensionContext, runtime: Runtime): boolean {
  const lm = vscode.lm as unknown as { registerLanguageModelChatProvider?: (vendor: string, p: ChatProvider) => vscode.Disposable };
  if (typeof lm.registerLanguageModelChatProvider !== 'function') return false;
  const changed = new vscode.EventEmitter<void>();
  let shown = '';
  context.subscriptions.push(
    changed,
    runtime.onDidChangeState(() => {
      const name = runtime.model()?.name ?? '';
      if (name !== shown) changed.fire();
      shown = name;
    }),
  );
  const provider: ChatProvider = {
    onDidChangeLanguageModelChatInformation: changed.event,
    provideLanguageModelChatInformation: () => information(runtime),
    provideLanguageModelChatResponse: (_model, messages, _options, progress, token) => respond(runtime, messages, progress, token),
    async provideTokenCount(_model, text) {
      const s = typeof text === 'string' ? text : textOf(text);
      // A remote model has no tokenizer here: about four characters a token.
      return runtime.tokenize(s).then(
        (t) => t.length,
        () => Math.ceil(s.length / 4),
      );
    },
  };
  context.subscriptions.push(lm.registerLanguageModelChatProvider(LM_VENDOR, provider));
  return true;
}
