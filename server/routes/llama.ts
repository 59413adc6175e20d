// llama-server's native routes: POST /completion (a prompt) and POST /infill (input_prefix, input_suffix and
// input_extra chunks of other files), with `n_probs` for `completion_probabilities`. Streamed chunks carry
// `content`; the last one has `stop: true` and `stop_type`, and no [DONE] follows (as llama-server does).
import type { Prompt } from '../../model-runtime/protocol';
import { generate, type ServerRuntime, stopType } from '../generation';
import { HttpError } from '../http-error';
import { llamaProbabilities } from '../logprobs';
import { type Body, generationParams, text } from '../params';
import type { Reply } from '../reply';
import { completionPrompt } from './completions';

/** input_extra's chunks ({filename, text}) go before the prefix, each under a comment line naming its file. */
function extraContext(body: Body): string {
  const extra = body.input_extra ?? [];
  if (!Array.isArray(extra)) throw new HttpError(400, 'input_extra must be an array of {filename, text}');
  return extra
    .map((c, i) => {
      if (!c || typeof c.text !== 'string') throw new HttpError(400, `input_extra[${i}].text must be a string`);
      return `// ${typeof c.filename === 'string' ? c.filename : 'context'}\n${c.text}\n`;
    })
    .join('');
}

export function infillPrompt(body: Body): Prompt {
  const prefix = extraContext(body) + text(body, 'input_prefix', '') + text(body, 'prompt', '');
  return { fim: { prefix, suffix: text(body, 'input_suffix', '') } };
}

export async function llamaCompletion(
  runtime: ServerRuntime,
  body: Body,
  reply: Reply,
  signal: AbortSignal,
  route: 'completion' | 'infill',
): Promise<void> {
  const p = generationParams(body, 'llama');
  const prompt = route === 'infill' ? infillPrompt(body) : completionPrompt({ prompt: body.prompt });
  const model = (await runtime.whenReady()).name;
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
