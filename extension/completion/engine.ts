// The inline-completion pipeline without vscode: cache lookup, debounce, prompt, model run(s), filters.
// extension/completion/provider.ts adapts vscode documents to it; the bench drives it directly.
import type { GenerationStats, ModelInfo, Prompt, SamplingSettings, TokenStep } from '../../model-runtime/protocol';
import type { RuntimePort } from '../runtime-port';
import { samplingFor, type TokenscopeConfig } from '../config';
import { SAMPLING } from '../../sampling/settings';
import { CompletionCache } from './cache';
import { debounce, type CancelToken } from './debounce';
import { ChunkRing } from './extra-context';
import { allowsMultiLine, type Processed, postProcessTraced } from './filters';
import { type CompletionReason, CompletionOutcomes } from './outcomes';
import { buildPrompt, lineCommentFor, type BuiltPrompt } from './prompt';

export interface CompletionRequest {
  /** Document identity (uri string). */
  doc: string;
  languageId: string;
  /** Text before and after the cursor (the whole document). */
  before: string;
  after: string;
  /** Explicit (a command, Alt+], Trigger Inline Suggestion): no debounce, several candidates. */
  explicit: boolean;
  /** The file's path in its workspace and the workspace's name (a model with repository tokens is told them). */
  path?: string;
  repo?: string;
}

/** One generated candidate, with what "Explain this completion" needs. */
export interface Candidate {
  text: string;
  raw: string;
  generationId: number;
  steps: TokenStep[];
  stats: GenerationStats;
  sampling: SamplingSettings;
  /** Set when the filters removed a non-empty output entirely. */
  emptiedBy?: Processed['emptiedBy'];
}

export interface CompletionResult {
  /** Ghost texts to show, best first (already filtered, never empty strings). */
  texts: string[];
  candidates: Candidate[];
  prompt: BuiltPrompt;
  /** 'cache' when no model ran. */
  source: 'model' | 'cache';
  /** Characters of a cached completion typed since it was made. */
  typed: number;
}

/** What the engine needs from the runtime. */
export type CompletionRuntime = Pick<RuntimePort, 'generate' | 'detail' | 'model'>;

export const TOP_N = 8;

export class CompletionEngine {
  readonly cache = new CompletionCache<{ candidates: Candidate[]; prompt: BuiltPrompt }>(64);
  readonly ring: ChunkRing;
  /** Why each document's last request ended as it did. */
  readonly outcomes = new CompletionOutcomes();
  /** Model runs started, for tests and the bench. */
  runs = 0;
  /**
   * Characters per token of the model's tokenizer on this code, learned from the worker's prompt token
   * counts. The budget must hold in real tokens: past the context the worker cuts the prompt's start one
   * token at a time, which would move the prompt's beginning on every keystroke and defeat prefix reuse.
   */
  charsPerToken = 3;

  constructor(
    private readonly runtime: CompletionRuntime,
    private readonly config: () => TokenscopeConfig,
  ) {
    this.ring = new ChunkRing(config().context.maxChunks);
  }

  /**
   * One request. Undefined when nothing is shown; every return records why in `outcomes` (per document), so
   * "Why No Completion?" can say it.
   */
  async complete(req: CompletionRequest, token: CancelToken): Promise<CompletionResult | undefined> {
    const cfg = this.config();
    const skip = (reason: CompletionReason, detail?: string) => {
      this.outcomes.record(req.doc, reason, detail);
      return undefined;
    };
    if (!req.explicit && cfg.completion.disabledLanguages.includes(req.languageId)) return skip('disabled-language', req.languageId);
    const model = this.runtime.model();
    if (!model) return skip('no-model');
    const want = req.explicit ? cfg.completion.candidates : 1;

    const hit = this.cache.get(req.doc, req.before, req.after);
    if (hit?.entry.data && (hit.texts.length >= want || !req.explicit)) {
      this.outcomes.record(req.doc, 'cached', `${hit.typed} characters typed through`);
      return { texts: hit.texts, candidates: hit.entry.data.candidates, prompt: hit.entry.data.prompt, source: 'cache', typed: hit.typed };
    }

    const at = cursorLines(req);
    // In the middle of a word, ghost text would split it: only a deliberate request completes there.
    if (!req.explicit && /^\w/.test(at.lineSuffix)) return skip('mid-word');
    if (!req.explicit && !(await debounce(cfg.completion.debounceMs, token))) return skip('debounced');

    const result = await this.run(req, cfg, model, at, want, token);
    if (!result) return skip('cancelled');
    if (result.texts.length === 0) {
      const emptied = result.candidates.map((c) => c.emptiedBy).find((e) => e);
      return emptied ? skip('filtered', `${emptied.name} (${emptied.why})`) : skip('empty');
    }
    this.outcomes.record(req.doc, 'shown', `${result.texts.length} candidate(s) from the model`);
    return result;
  }

  /** The model part: prompt, one run per candidate, filters, cache. Undefined when cancelled. */
  private async run(
    req: CompletionRequest,
    cfg: TokenscopeConfig,
    model: ModelInfo,
    { linePrefix, lineSuffix, linesBelow }: CursorLines,
    want: number,
    token: CancelToken,
  ): Promise<CompletionResult | undefined> {
    const multi = allowsMultiLine({ linePrefix, lineSuffix, lineMode: cfg.completion.lineMode });
    const maxTokens = cfg.completion.maxTokens;
    // Token healing: the prompt ends before the spaces typed at the cursor. BPE tokens carry their leading
    // space (' x'), so a prompt ending in a lone ' ' or an indentation run sends the model off course; the
    // model writes the spaces again and they are taken off its output below.
    const heal = /[ \t]*$/.exec(linePrefix)![0];
    const prompt = this.prompt(req, cfg, model, heal);
    const candidates: Candidate[] = [];
    for (let i = 0; i < want && !token.isCancellationRequested; i++) {
      // Extra candidates must differ: a greedy sampling setting falls back to the table's default temperature.
      const temperature = i === 0 ? cfg.completion.temperature : cfg.sampling.temperature || SAMPLING.temperature.default;
      // A set seed keeps every candidate reproducible; without one each draw is fresh.
      const seed = cfg.sampling.seed === undefined ? undefined : cfg.sampling.seed + i;
      const sampling = samplingFor(cfg, { maxTokens, temperature, seed, stop: multi ? [] : ['\n'] });
      // At the end of a line, a one-line completion may begin on the next line: do not stop at its first '\n'.
      if (!multi && linePrefix.trim() === '') sampling.stop = [];
      const c = await this.generateOne(prompt.prompt, sampling, multi ? cfg.completion.maxLines : 1, token);
      if (!c) return undefined;
      this.learnRatio(prompt, c.stats.promptTokens);
      const processed = postProcessTraced(stripTyped(c.raw, heal), {
        linePrefix,
        lineSuffix,
        linesBelow,
        lineMode: cfg.completion.lineMode,
        maxLines: cfg.completion.maxLines,
      });
      c.text = processed.text;
      c.emptiedBy = processed.emptiedBy;
      candidates.push(c);
    }
    if (token.isCancellationRequested) return undefined;
    const texts = [...new Set(candidates.map((c) => c.text).filter((t) => t !== ''))];
    this.cache.put(req.doc, req.before, req.after, texts, { candidates, prompt });
    return { texts, candidates, prompt, source: 'model', typed: 0 };
  }

  private prompt(req: CompletionRequest, cfg: TokenscopeConfig, model: ModelInfo, heal: string): BuiltPrompt {
    const budget = Math.max(16, Math.min(cfg.context.budgetTokens, model.contextLength - cfg.completion.maxTokens - 8));
    this.ring.setCapacity(cfg.context.maxChunks);
    const ratio = this.charsPerToken;
    return buildPrompt({
      count: (t) => Math.ceil((t.length / ratio) * 1.1),
      before: heal ? req.before.slice(0, -heal.length) : req.before,
      after: req.after,
      budgetTokens: budget,
      suffixShare: cfg.context.suffixShare,
      supportsFim: model.supportsFim && cfg.completion.fillInTheMiddle,
      extra: cfg.context.extraChunks
        ? { chunks: this.ring.forPrompt(req.doc), share: cfg.context.extraShare, lineComment: lineCommentFor(req.languageId) }
        : undefined,
      repo: takesRepoFiles(model) && req.path ? { name: req.repo ?? '', path: req.path } : undefined,
    });
  }

  private learnRatio(p: BuiltPrompt, promptTokens: number): void {
    const chars = p.extra.length + p.prefix.length + p.suffix.length;
    if (promptTokens < 8 || chars < 16) return;
    const observed = chars / promptTokens;
    this.charsPerToken = Math.min(8, Math.max(0.5, 0.7 * this.charsPerToken + 0.3 * observed));
  }

  /** One model run; ends early once it has more lines than can be shown. Undefined when cancelled. */
  private async generateOne(
    prompt: Prompt,
    sampling: SamplingSettings,
    maxLines: number,
    token: CancelToken,
  ): Promise<Candidate | undefined> {
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    const steps: TokenStep[] = [];
    let raw = '';
    let enough = false;
    this.runs++;
    try {
      const res = await this.runtime.generate({
        prompt,
        sampling,
        topN: TOP_N,
        // Nobody watches the figures while ghost text is typed: an engine that decodes faster without them (GGUF)
        // sends token-only steps and computes the figures when the completion is explained.
        detail: 'deferred',
        priority: 'interactive',
        signal: abort.signal,
        onToken: (step, delta) => {
          steps.push(step);
          raw += delta;
          // Lines past the limit (plus one to see where a block ends) will be cut anyway: stop the model.
          if (!enough && raw.replace(/^\n/, '').split('\n').length > maxLines + 1) {
            enough = true;
            abort.abort();
          }
        },
      });
      if (token.isCancellationRequested || (res.stats.stopReason === 'cancelled' && !enough)) return undefined;
      return { text: '', raw: enough ? raw : res.text, generationId: res.generationId, steps, stats: res.stats, sampling };
    } catch (e) {
      if (token.isCancellationRequested) return undefined;
      if (enough) return { text: '', raw, generationId: -1, steps, stats: emptyStats('cancelled', steps.length), sampling };
      throw e;
    } finally {
      sub.dispose();
    }
  }
}

/** Whether extra chunks go as repository files: the model has the tokens, or its server formats them itself. */
function takesRepoFiles(model: ModelInfo): boolean {
  return model.fim?.fileSep !== undefined || !!model.serverRepoFiles;
}

interface CursorLines {
  /** The cursor's line before and after the cursor. */
  linePrefix: string;
  lineSuffix: string;
  /** A few lines below the cursor's line. */
  linesBelow: string[];
}

function cursorLines(req: CompletionRequest): CursorLines {
  const lineStart = req.before.lastIndexOf('\n') + 1;
  const lineEnd = req.after.indexOf('\n');
  return {
    linePrefix: req.before.slice(lineStart),
    lineSuffix: lineEnd < 0 ? req.after : req.after.slice(0, lineEnd),
    linesBelow: lineEnd < 0 ? [] : req.after.slice(lineEnd + 1).split('\n', 8),
  };
}

/** Removes from the start of `raw` the part of `typed` (whitespace left out of the prompt) it repeats. */
export function stripTyped(raw: string, typed: string): string {
  let k = 0;
  while (k < typed.length && k < raw.length && raw[k] === typed[k]) k++;
  return raw.slice(k);
}

function emptyStats(stopReason: GenerationStats['stopReason'], generatedTokens: number): GenerationStats {
  return { promptTokens: 0, reusedTokens: 0, generatedTokens, prefillMs: 0, decodeMs: 0, stopReason, seed: 0 };
}
