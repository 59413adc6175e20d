// Prompt tokens from a Prompt: plain text, tokens, or fill-in-the-middle with the model's FIM sentinels
// (in the order the model was trained for: prefix-suffix-middle or suffix-prefix-middle), BOS first when the model wants one, cut to leave room for the answer.
// Only the end of a text (and of a FIM prefix) and the start of a FIM suffix are tokenized, as much as the budget
// can hold (bounded-encode.ts): a huge prompt costs what the budget costs.
import { headTokens, tailTokens } from './bounded-encode';
import { RuntimeError } from './errors';
import type { FimLayout, Prompt, RepoContext } from './protocol';
import type { FimIds, Tokenizer } from './tokenizer';

export interface PromptModel {
  contextLength: number;
  tokenizer: Pick<Tokenizer, 'encode' | 'fim'>;
  /** Put before a text or FIM prompt (tokenizer_config.json's add_bos_token). */
  bos?: number;
  /** The FIM order the model was trained for. */
  fimLayout: FimLayout;
  /** What an empty prompt starts from: the document separator the model saw at every document start. */
  separator?: number;
}

/** Prompt tokens, cut from the left to leave room for `room` new tokens within the context. */
export function promptTokens(prompt: Prompt, room: number, m: PromptModel): number[] {
  const ctx = m.contextLength;
  const budget = Math.max(1, ctx - Math.min(room, Math.floor(ctx / 2)));
  const bos = m.bos !== undefined ? [m.bos] : [];
  if (prompt.tokens) return prompt.tokens.slice(-budget);
  if (prompt.fim) return fimTokens(prompt.fim, budget, bos, m.tokenizer, prompt.fim.layout ?? m.fimLayout);
  if (prompt.text !== undefined) return [...bos, ...tailTokens(m.tokenizer, prompt.text, budget)].slice(-budget);
  if (prompt.chat) throw new RuntimeError('bad-request', 'a local model takes a chat as text rendered with its template, not as messages');
  throw new RuntimeError('bad-request', 'a prompt needs text, fim or tokens');
}

function fimTokens(
  p: { prefix: string; suffix: string; context?: RepoContext },
  budget: number,
  bos: number[],
  tokenizer: PromptModel['tokenizer'],
  layout: FimLayout,
): number[] {
  const fim = tokenizer.fim;
  if (!fim) return [...bos, ...tailTokens(tokenizer, p.prefix, budget)].slice(-budget);
  // Other files first, where the model has repository tokens: at most half the budget, the newest files kept.
  const repo =
    p.context && fim.fileSep !== undefined ? repoTokens(p.context, fim, Math.floor((budget - 3 - bos.length) / 2), tokenizer) : [];
  const lead = [...bos, ...repo];
  // Keep the end of the prefix and the start of the suffix, prefix first (it matters more).
  const avail = budget - 3 - lead.length;
  const pre = tailTokens(tokenizer, p.prefix, avail);
  let suf = headTokens(tokenizer, p.suffix, avail);
  const keepPre = Math.min(pre.length, Math.max(avail - Math.min(suf.length, Math.floor(avail / 4)), 0));
  suf = suf.slice(0, Math.max(0, avail - keepPre));
  const kept = pre.slice(pre.length - keepPre);
  // SPM puts the prefix last, so the middle the model writes continues it token by token.
  if (layout === 'spm') return [...lead, fim.prefix, fim.suffix, ...suf, fim.middle, ...kept];
  return [...lead, fim.prefix, ...kept, fim.suffix, ...suf, fim.middle];
}

/** <|repo_name|>repo, each file as <|file_sep|>path + text (newest kept, each cut to what is left), then <|file_sep|>path. */
function repoTokens(ctx: RepoContext, fim: FimIds, budget: number, tokenizer: PromptModel['tokenizer']): number[] {
  const head = [fim.repoName!, ...tokenizer.encode(`${ctx.repo}\n`)];
  const current = [fim.fileSep!, ...tokenizer.encode(`${ctx.path}\n`)];
  let used = head.length + current.length;
  if (used > budget) return [];
  const files: number[][] = [];
  for (let i = ctx.files.length - 1; i >= 0 && budget - used > 16; i--) {
    const f = ctx.files[i];
    const ids = [fim.fileSep!, ...headTokens(tokenizer, `${f.path}\n${f.text.replace(/\n*$/, '')}\n`, budget - used - 1)];
    used += ids.length;
    files.unshift(ids);
  }
  return [...head, ...files.flat(), ...current];
}

/** The prompt a generation starts from: never empty (an empty one starts from the separator). */
export function generationPrompt(prompt: Prompt, room: number, m: PromptModel): number[] {
  const tokens = promptTokens(prompt, room, m);
  if (tokens.length) return tokens;
  if (m.separator === undefined)
    throw new RuntimeError('bad-request', 'the prompt is empty and the model has no BOS/EOS token to start from');
  return [m.separator];
}
