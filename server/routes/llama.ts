// llama-server's native routes: POST /completion (a prompt) and POST /infill (input_prefix, input_suffix and
// input_extra chunks of other files), with `n_probs` for `completion_probabilities`. Streamed chunks carry
// `content`; the last one has `stop: true` and `stop_type`, and no [DONE] follows (as llama-server does).
import type { ModelInfo, Prompt } from '../../model-runtime/protocol';
import { generate, type ServerRuntime, stopType } from '../generation';
import { HttpError } from '../http-error';
import { llamaProbabilities } from '../logprobs';
import { type Body, generationParams, text } from '../params';
import type { Reply } from '../reply';
import { completionPrompt } from './completions';

/** input_extra's chunks ({filename, text}), checked. */
function extraFiles(body: Body): { path: string; text: string }[] {
  const extra = body.input_extra ?? [];
  if (!Array.isArray(extra)) throw new HttpError(400, 'input_extra must be an array of {filename, text}');
  return extra.map((c, i) => {
    if (!c || typeof c.text !== 'string') throw new HttpError(400, `input_extra[${i}].text must be a string`);
    return { path: typeof c.filename === 'string' ? c.filename : 'context', text: c.text };
  });
}

/**
 * The /infill prompt. input_extra's files go as repository context to a model with repository tokens (/infill names
 * neither the repository nor the current file: placeholders), else before the prefix under a comment naming each.
 */
export function infillPrompt(body: Body, model: Pick<ModelInfo, 'fim'>): Prompt {
  const files = extraFiles(body);
  const prefix = text(body, 'input_prefix', '') + text(body, 'prompt', '');
  const suffix = text(body, 'input_suffix', '');
  if (files.length && model.fim?.fileSep !== undefined)
    return { fim: { prefix, suffix, context: { repo: 'myproject', path: 'filename', files } } };
  return { fim: { prefix: files.map((f) => `// ${f.path}\n${f.text}\n`).join('') + prefix, suffix } };
}

export async function llamaCompletion(
  runtime: ServerRuntime,
  body: Body,
  reply: Reply,
  signal: AbortSignal,
  route: 'completion' | 'infill',
): Promise<void> {
  const p = generationParams(body, 'llama');
  const info = await runtime.whenReady();
  const prompt = route === 'infill' ? infillPrompt(body, info) : completionPrompt({ prompt: body.prompt });
  const model = info.name;
  const { result, steps } = await generate(runtime, prompt, p, signal, (step, delta) => {
    if (!p.stream) return;
    const probs = p.logprobs ? { completion_probabilities: llamaProbabilities([step], p.topN) } : {};
    reply.event({ content: delta, tokens: [step.id], stop: false, ...probs });
  });
  const last = {
    stop: true,
    stop_type: stopType(result),
    model,
    tokens_predicted: result.stats.generatedTokens,
    tokens_evaluated: result.stats.promptTokens,
    tokens_cached: result.stats.reusedTokens,
  };
  if (p.stream) {
    reply.event({ content: '', tokens: [], ...last });
    return reply.end(false);
  }
  const probs = p.logprobs ? { completion_probabilities: llamaProbabilities(steps, p.topN) } : {};
  reply.json(200, { content: result.text, tokens: result.ids, ...last, ...probs });
}
