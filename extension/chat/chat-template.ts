// Turns a conversation into the model's prompt. With a chat_template in tokenizer_config.json it is
// rendered by @huggingface/jinja (the same engine transformers.js uses); a base model gets a plain
// transcript and a stop sequence that ends the reply before the next "User:" turn.
import { Template } from '@huggingface/jinja';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatMessage } from '../../webview/protocol';

export interface ChatFormat {
  name: string;
  render(messages: readonly ChatMessage[]): string;
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

export function templateFormat(config: TokenizerConfig): ChatFormat | undefined {
  let source = config.chat_template;
  if (Array.isArray(source)) source = (source.find((t) => t.name === 'default') ?? source[0])?.template;
  if (typeof source !== 'string' || !source.trim()) return undefined;
  const template = new Template(source);
  const bos = tokenText(config.bos_token);
  const eos = tokenText(config.eos_token);
  return {
    name: 'chat template (tokenizer_config.json)',
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

/** Reads the model folder's tokenizer_config.json; falls back to the transcript when there is no template. */
export function chatFormatFor(modelDir: string | undefined): ChatFormat {
  if (modelDir) {
    const file = join(modelDir, 'tokenizer_config.json');
    if (existsSync(file)) {
      try {
        const fmt = templateFormat(JSON.parse(readFileSync(file, 'utf8')) as TokenizerConfig);
        if (fmt) return fmt;
      } catch {
        // A broken template should not break chat: use the transcript.
      }
    }
  }
  return transcriptFormat();
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
