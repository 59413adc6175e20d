// Prompt tokens from a Prompt: plain text, tokens, or fill-in-the-middle with the model's FIM sentinels
// (in the order the model was trained for: prefix-suffix-middle or suffix-prefix-middle), BOS first when the model wants one, cut to leave room for the answer.
// Only the end of a text (and of a FIM prefix) and the start of a FIM suffix are tokenized, as much as the budget
// can hold (bounded-encode.ts): a huge prompt costs what the budget costs.
import { headTokens, tailTokens } from './bounded-encode';
import { RuntimeError } from './errors';
import type { FimLayout, Prompt } from './protocol';
import type { Tokenizer } from './tokenizer';

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
  p: { prefix: string; suffix: string },
  budget: number,
  bos: number[],
  tokenizer: PromptModel['tokenizer'],
  layout: FimLayout,
): number[] {
  const fim = tokenizer.fim;
  if (!fim) return [...bos, ...tailTokens(tokenizer, p.prefix, budget)].slice(-budget);
  // Keep the end of the prefix and the start of the suffix, prefix first (it matters more).
  const avail = budget - 3 - bos.length;
  const pre = tailTokens(tokenizer, p.prefix, avail);
  let suf = headTokens(tokenizer, p.suffix, avail);
  const keepPre = Math.min(pre.length, Math.max(avail - Math.min(suf.length, Math.floor(avail / 4)), 0));
  suf = suf.slice(0, Math.max(0, avail - keepPre));
  const kept = pre.slice(pre.length - keepPre);
  // SPM puts the prefix last, so the middle the model writes continues it token by token.
  if (layout === 'spm') return [...bos, fim.prefix, fim.suffix, ...suf, fim.middle, ...kept];
  return [...bos, fim.prefix, ...kept, fim.suffix, ...suf, fim.middle];
}

/** The prompt a generation starts from: never empty (an empty one starts from the separator). */
export function generationPrompt(prompt: Prompt, room: number, m: PromptModel): number[] {
  const tokens = promptTokens(prompt, room, m);
  if (tokens.length) return tokens;
  if (m.separator === undefined)
    throw new RuntimeError('bad-request', 'the prompt is empty and the model has no BOS/EOS token to start from');
  return [m.separator];
}
