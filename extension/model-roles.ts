// Which job a model is fit for. Base models fill in code well and chat badly; instruct models chat well and
// complete badly (they answer instead of continuing). A model picked for the wrong job gets a warning that says
// what to pick instead. Pure: no vscode.
import type { ModelInfo } from '../model-runtime/protocol';

/** Instruct/chat models announce themselves in their names (…-Instruct, …-Chat, …-it, …-SFT). */
export function looksInstruct(name: string): boolean {
  return /(^|[-_./ ])(instruct|chat|it|sft|dpo)([-_./ ]|$)/i.test(name);
}

export function completionWarning(model: ModelInfo): string | undefined {
  if (model.architecture === 'remote' || !looksInstruct(model.name)) return undefined;
  return `${model.name} looks like an instruct (chat) model: completions come out better from a base model of the same family (for example Qwen2.5-Coder-0.5B, not -Instruct). Set tokenscope.model.path to a base model, and tokenscope.chat.modelPath to this one for the chat.`;
}

export function chatWarning(model: ModelInfo, hasTemplate: boolean): string | undefined {
  if (model.architecture === 'remote' || hasTemplate) return undefined;
  return `${model.name} has no chat template (a base model): the chat only continues a transcript. Set tokenscope.chat.modelPath to an instruct model (one whose tokenizer_config.json has a chat_template).`;
}
