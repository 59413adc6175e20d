// Builds the completion prompt: the code before the cursor (prefix) and after it (suffix), cut at whole
// lines to fit a token budget, plus optional chunks from other files. Pure, no vscode.
// The prefix is cut from its start one line at a time so that, keystroke after keystroke, the prompt's
// beginning stays the same and the worker can reuse its cached keys/values.
import type { Prompt } from '../../model-runtime/protocol';

/** Cheap token estimate for budgeting (code runs ~3-4 characters per BPE token; err on the high side). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3);
}

export interface ExtraChunk {
  /** Path shown to the model, relative to the workspace when possible. */
  path: string;
  text: string;
}

export interface PromptRequest {
  /** All text of the document before the cursor. */
  before: string;
  /** All text of the document after the cursor. */
  after: string;
  budgetTokens: number;
  suffixShare: number;
  supportsFim: boolean;
  /** Chunks from other files, oldest first, and the share of the budget they may take. */
  extra?: { chunks: ExtraChunk[]; share: number; lineComment: string };
  /**
   * Set when the model has repository-context tokens: the chunks go to the worker as files of this repository
   * (prompt.fim.context) instead of comments in the prefix.
   */
  repo?: { name: string; path: string };
  /** Counts tokens; estimateTokens by default. */
  count?: (text: string) => number;
}

export interface BuiltPrompt {
  prompt: Prompt;
  /** The part of `before` that made it into the prompt. */
  prefix: string;
  /** The part of `after` that made it into the prompt ('' without FIM). */
  suffix: string;
  /** Extra context put before the prefix ('' if none). */
  extra: string;
  tokens: { prefix: number; suffix: number; extra: number };
}

/** The longest tail of `text` made of whole lines (the partial cursor line always included) within `budget`. */
export function takeTail(text: string, budget: number, count: (t: string) => number): string {
  const lines = text.split('\n');
  let used = 0;
  let start = lines.length;
  for (let i = lines.length - 1; i >= 0; i--) {
    const cost = count(lines[i] + '\n');
    if (used + cost > budget && start < lines.length) break;
    used += cost;
    start = i;
  }
  return lines.slice(start).join('\n');
}

/** The longest head of `text` made of whole lines within `budget` (the cursor line's rest always included). */
export function takeHead(text: string, budget: number, count: (t: string) => number): string {
  if (budget <= 0) return '';
  const lines = text.split('\n');
  let used = 0;
  let end = 0;
  for (let i = 0; i < lines.length; i++) {
    const cost = count(lines[i] + '\n');
    if (used + cost > budget && end > 0) break;
    used += cost;
    end = i + 1;
  }
  return lines.slice(0, end).join('\n');
}

/**
 * Picks chunks within `budget` tokens, newest first (returned oldest first), formatted as comment-headed blocks.
 * A chunk too big for what is left is cut to its first lines (at least 3 of them), so one large chunk cannot
 * crowd out all others; `picked` holds each as it was cut.
 */
export function pickExtra(
  chunks: ExtraChunk[],
  budget: number,
  lineComment: string,
  count: (t: string) => number,
): { text: string; picked: ExtraChunk[] } {
  const blocks: string[] = [];
  const picked: ExtraChunk[] = [];
  let used = 0;
  for (let i = chunks.length - 1; i >= 0; i--) {
    const header = `${lineComment} ${chunks[i].path}\n`;
    const whole = chunks[i].text.replace(/\n*$/, '');
    const body = takeHead(whole, budget - used - count(header) - 1, count);
    if (body.split('\n').length < 3 && body !== whole) continue;
    const block = `${header}${body}\n\n`;
    const cost = count(block);
    if (used + cost > budget) continue;
    used += cost;
    blocks.unshift(block);
    picked.unshift({ path: chunks[i].path, text: body });
  }
  return { text: blocks.join(''), picked };
}

/**
 * Characters kept on each side of the cursor before any line or token counting: code runs 3-4 characters per
 * token, so 8 per token of the budget loses nothing, and a keystroke in a huge (or minified one-line) file
 * costs what a small file does. The worker cuts the rest exactly in tokens.
 */
export const MAX_CHARS_PER_TOKEN = 8;

export function buildPrompt(req: PromptRequest): BuiltPrompt {
  const budget = Math.max(1, req.budgetTokens);
  const span = budget * MAX_CHARS_PER_TOKEN;
  if (req.before.length > span || req.after.length > span)
    req = { ...req, before: req.before.slice(-span), after: req.after.slice(0, span) };
  const count = req.count ?? estimateTokens;
  const extraBudget = req.extra?.chunks.length ? Math.floor(budget * req.extra.share) : 0;
  const picked = extraBudget > 0 && req.extra ? pickExtra(req.extra.chunks, extraBudget, req.extra.lineComment, count) : undefined;
  const extra = picked?.text ?? '';
  const extraTokens = extra ? count(extra) : 0;
  const rest = budget - extraTokens;
  const suffix = req.supportsFim ? takeHead(req.after, Math.floor(rest * req.suffixShare), count) : '';
  const suffixTokens = suffix ? count(suffix) : 0;
  const prefix = takeTail(req.before, rest - suffixTokens, count);
  const asFiles = req.supportsFim && req.repo && extra ? req.repo : undefined;
  const fullPrefix = asFiles ? prefix : extra + prefix;
  const context = asFiles && picked ? { repo: asFiles.name, path: asFiles.path, files: picked.picked } : undefined;
  const prompt: Prompt = req.supportsFim ? { fim: { prefix: fullPrefix, suffix, ...(context ? { context } : {}) } } : { text: fullPrefix };
  return { prompt, prefix, suffix, extra, tokens: { prefix: count(prefix), suffix: suffixTokens, extra: extraTokens } };
}

/** Line-comment token per language, for the headers of extra chunks. */
export function lineCommentFor(languageId: string): string {
  if (/^(python|shellscript|ruby|perl|r|yaml|toml|dockerfile|makefile|powershell|elixir|julia|coffeescript)$/.test(languageId)) return '#';
  if (/^(lua|sql|haskell|ada)$/.test(languageId)) return '--';
  if (/^(html|xml|markdown)$/.test(languageId)) return '<!--';
  return '//';
}
