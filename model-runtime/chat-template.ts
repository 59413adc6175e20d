// Turns a conversation into the model's prompt (the chat view and the OpenAI-compatible server share it). With a chat_template in tokenizer_config.json it is
// rendered by @huggingface/jinja (the same engine transformers.js uses); a base model gets a plain
// transcript and a stop sequence that ends the reply before the next "User:" turn, and the chat says
// plainly that it is talking to a base model and what to pick instead.
import { Template } from '@huggingface/jinja';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatTurn, EmbeddedChatTemplate, ModelInfo, Prompt } from './protocol';

export type { ChatTurn } from './protocol';

export interface ChatFormat {
  name: string;
  /** False for the plain transcript: the model has no chat template (a base model). */
  hasTemplate: boolean;
  /** Why a template in the folder was not used (it could not be parsed). */
  problem?: string;
  render(messages: readonly ChatTurn[]): string;
  /** Stop sequences that end the assistant's turn. */
  stop: string[];
}

type TokenValue = string | { content?: string } | null | undefined;

interface TokenizerConfig {
  chat_template?: string | { name: string; template: string }[];
  bos_token?: TokenValue;
  eos_token?: TokenValue;
}

const tokenText = (t: TokenValue): string => (typeof t === 'string' ? t : (t?.content ?? ''));

export const TRANSCRIPT_HEADER = 'A conversation between a user and a helpful coding assistant.\n';

export function transcriptFormat(): ChatFormat {
  return {
    name: 'plain transcript',
    hasTemplate: false,
    stop: ['\nUser:', '\nUSER:'],
    render(messages) {
      let out = TRANSCRIPT_HEADER;
      for (const m of messages) {
        if (m.role === 'system') out += `${m.content.trim()}\n`;
        else out += `\n${m.role === 'user' ? 'User' : 'Assistant'}: ${m.content.trim()}\n`;
      }
      return out + '\nAssistant:';
    },
  };
}

export function templateFormat(config: TokenizerConfig, from = 'tokenizer_config.json'): ChatFormat | undefined {
  let source = config.chat_template;
  if (Array.isArray(source)) source = (source.find((t) => t.name === 'default') ?? source[0])?.template;
  if (typeof source !== 'string' || !source.trim()) return undefined;
  const template = new Template(source);
  const bos = tokenText(config.bos_token);
  const eos = tokenText(config.eos_token);
  return {
    name: `chat template (${from})`,
    hasTemplate: true,
    stop: eos ? [eos] : [],
    render(messages) {
      return template.render({
        messages: messages.map((m) => ({ role: m.role, content: m.content })),
        add_generation_prompt: true,
        bos_token: bos,
        eos_token: eos,
      });
    },
  };
}

/**
 * The prompt for a conversation, and the stop sequences that end the reply: the messages themselves for a remote
 * engine (its server applies its own template), else the model folder's template (or the transcript) rendered.
 * Throws when the template raises. The chat view, the vscode.lm provider and the server share it.
 */
export function chatPrompt(
  model: Pick<ModelInfo, 'dir' | 'architecture' | 'chatTemplate'> | undefined,
  turns: readonly ChatTurn[],
): { prompt: Prompt; stop: string[] } {
  if (model?.architecture === 'remote') return { prompt: { chat: turns.map(({ role, content }) => ({ role, content })) }, stop: [] };
  const fmt = chatFormatFor(model?.dir, model?.chatTemplate);
  return { prompt: { text: fmt.render(turns) }, stop: fmt.stop };
}

/**
 * The template the model file carries (GGUF), else the model folder's tokenizer_config.json; falls back to the
 * transcript when there is no usable template.
 */
export function chatFormatFor(modelDir: string | undefined, embedded?: EmbeddedChatTemplate): ChatFormat {
  if (embedded) {
    try {
      const fmt = templateFormat({ chat_template: embedded.template, bos_token: embedded.bos, eos_token: embedded.eos }, 'GGUF metadata');
      if (fmt) return fmt;
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return { ...transcriptFormat(), problem: `the GGUF file's chat template could not be read (${why})` };
    }
  }
  if (modelDir) {
    const file = join(modelDir, 'tokenizer_config.json');
    if (existsSync(file)) {
      try {
        const fmt = templateFormat(JSON.parse(readFileSync(file, 'utf8')) as TokenizerConfig);
        if (fmt) return fmt;
      } catch (e) {
        // A broken template should not break chat: the transcript, and the chat says why.
        const why = e instanceof Error ? e.message : String(e);
        return { ...transcriptFormat(), problem: `tokenizer_config.json's chat template could not be read (${why})` };
      }
    }
  }
  return transcriptFormat();
}

/**
 * The line under the chat's input that says how prompts are built. Without a chat template it says plainly that
 * this is a base model, what that means for its replies, and what to pick instead.
 */
export function formatLabel(fmt: ChatFormat, modelName?: string): string {
  if (fmt.hasTemplate) return fmt.name;
  const model = modelName ? `${modelName} has` : 'This model has';
  const cause = fmt.problem ? `${fmt.problem}, so` : `${model} no chat template (it is a base model), so`;
  return `${fmt.name}: ${cause} it continues a "User: … Assistant:" transcript instead of following a chat, and replies may wander. For real chat, choose an instruct model whose tokenizer_config.json has a chat_template (Tokenscope: Choose Model Folder…).`;
}

/** The chat's message when rendering the template failed (a template may raise, e.g. on roles out of order). */
export function templateErrorMessage(e: unknown): string {
  const why = e instanceof Error ? e.message : String(e);
  return `The model's chat template failed on this conversation: ${why}. Clear the chat and try again, or choose another model.`;
}

/** Cuts the reply at the first stop sequence and trims the whitespace a model leaves around a turn. */
export function cleanReply(text: string, stop: readonly string[]): string {
  let end = text.length;
  for (const s of stop) {
    const i = s ? text.indexOf(s) : -1;
    if (i >= 0 && i < end) end = i;
  }
  return text.slice(0, end).trim();
}
