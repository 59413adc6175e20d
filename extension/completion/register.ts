// Registers inline completions: the provider, "Complete Here", "Toggle Automatic Completions", "Why No Completion?",
// "Explain This Completion" (with a hover on accepted text that links to it), and the extra-context feed.
import * as vscode from 'vscode';
import type { InspectorInput } from '../inspector/inspector-panel';
import type { Settings } from '../settings';
import { CompletionEngine, type CompletionRuntime, TOP_N } from './engine';
import { LastCompletion, promptText } from './last-completion';
import { type CompletionOutcome, explainOutcome } from './outcomes';
import { ACCEPTED_COMMAND, InlineProvider } from './provider';

export interface CompletionDeps {
  runtime: CompletionRuntime;
  settings: Settings;
  log: vscode.LogOutputChannel;
  /** The inspector's open function, once the inspector is registered. */
  openInspector?: (input: InspectorInput) => void;
}

export interface CompletionApi {
  engine: CompletionEngine;
  provider: InlineProvider;
  last: LastCompletion;
}

export function registerCompletion(context: vscode.ExtensionContext, deps: CompletionDeps): CompletionApi {
  const engine = new CompletionEngine(deps.runtime, () => deps.settings.value);
  const last = new LastCompletion();
  const provider = new InlineProvider(engine, deps.settings, last, deps.log);
  /** Accepted completions: where their text now is, for the "explain" hover. */
  let accepted: { uri: string; range: vscode.Range; id: number } | undefined;

  context.subscriptions.push(
    provider,
    vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, provider),
    vscode.commands.registerCommand('tokenscope.triggerCompletion', () =>
      vscode.commands.executeCommand('editor.action.inlineSuggest.trigger'),
    ),
    vscode.commands.registerCommand('tokenscope.toggleAutoCompletion', async () => {
      const cfg = vscode.workspace.getConfiguration('tokenscope');
      const next = !deps.settings.value.completion.autoTrigger;
      await cfg.update('completion.autoTrigger', next, vscode.ConfigurationTarget.Global);
      vscode.window.setStatusBarMessage(`Tokenscope: automatic completions ${next ? 'on' : 'off'}`, 3000);
    }),
    vscode.commands.registerCommand('tokenscope.whyNoCompletion', () => whyNoCompletion(engine)),
    vscode.commands.registerCommand(ACCEPTED_COMMAND, (id: number, index: number, text: string, uri: vscode.Uri, offset: number) => {
      last.accept(id, index, text, offset + text.length);
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      if (doc)
        accepted = { uri: uri.toString(), id, range: new vscode.Range(doc.positionAt(offset), doc.positionAt(offset + text.length)) };
      deps.log.debug(`completion accepted (${text.length} chars)`);
    }),
    // `id`: a particular completion (the hover's link names the accepted one under the pointer).
    vscode.commands.registerCommand('tokenscope.explainCompletion', (id?: number) => explainCompletion(last, deps, id)),
    vscode.languages.registerHoverProvider(
      { pattern: '**' },
      {
        provideHover(document, position) {
          if (!accepted || accepted.uri !== document.uri.toString() || !accepted.range.contains(position)) return undefined;
          const args = encodeURIComponent(JSON.stringify([accepted.id]));
          const md = new vscode.MarkdownString(
            `$(sparkle) Tokenscope completion · [Explain this completion](command:tokenscope.explainCompletion?${args})`,
            true,
          );
          md.isTrusted = { enabledCommands: ['tokenscope.explainCompletion'] };
          return new vscode.Hover(md, accepted.range);
        },
      },
    ),
    vscode.workspace.onDidChangeTextDocument((e) => {
      for (const c of e.contentChanges) last.noteInsertion(e.document.uri.toString(), c.rangeOffset, c.text);
      // Edits elsewhere in the document make the accepted range stale: drop the hover.
      if (
        accepted &&
        e.document.uri.toString() === accepted.uri &&
        e.contentChanges.some((c) => !c.range.intersection(accepted!.range) && c.range.start.isBefore(accepted!.range.start))
      )
        accepted = undefined;
    }),
    vscode.window.onDidChangeActiveTextEditor((ed) => provider.observe(ed)),
    vscode.workspace.onDidSaveTextDocument((doc) => provider.observe(vscode.window.visibleTextEditors.find((e) => e.document === doc))),
  );
  provider.observe(vscode.window.activeTextEditor);
  return { engine, provider, last };
}

/** Opens a completion in the inspector: `id` names one (the hover's link), else the latest accepted or shown. */
async function explainCompletion(last: LastCompletion, deps: CompletionDeps, id?: number) {
  const entry = (typeof id === 'number' ? last.get(id) : undefined) ?? last.latest();
  const candidate = last.candidate(entry);
  if (!entry || !candidate) {
    void vscode.window.showInformationMessage('Tokenscope: no completion to explain yet. Type in an editor until a suggestion appears.');
    return undefined;
  }
  if (candidate.steps.some((s) => s.deferred)) {
    // Decoded natively (GGUF, greedy): the figures come from one model run over the completion's tokens.
    try {
      candidate.steps = (await deps.runtime.detail(candidate.generationId, TOP_N)).slice(0, candidate.steps.length);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      void vscode.window.showWarningMessage(`Tokenscope: the figures of this completion could not be computed (${why}).`);
      return undefined;
    }
  }
  const input: InspectorInput = {
    prompt: promptText(entry.prompt),
    steps: candidate.steps,
    generationId: candidate.generationId,
    sampling: candidate.sampling,
    origin: 'completion',
  };
  if (deps.openInspector) deps.openInspector(input);
  else deps.log.info(`explain: ${candidate.steps.map((s) => `${JSON.stringify(s.text)} p=${s.finalProb.toFixed(3)}`).join(' ')}`);
  return { generationId: candidate.generationId, steps: candidate.steps.length, text: candidate.text };
}

/** Says why the active editor's last request showed nothing (or that it showed something); returns the outcome for tests. */
function whyNoCompletion(engine: CompletionEngine): CompletionOutcome | undefined {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Tokenscope: open an editor first; this explains its last completion request.');
    return undefined;
  }
  const outcome = engine.outcomes.last(editor.document.uri.toString());
  void vscode.window.showInformationMessage(`Tokenscope: ${explainOutcome(outcome)}`, 'Show Log').then((pick) => {
    if (pick) void vscode.commands.executeCommand('tokenscope.showLog');
  });
  return outcome;
}
