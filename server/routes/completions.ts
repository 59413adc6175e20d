// POST /v1/completions (OpenAI's legacy completions, as vLLM and llama-server serve it): a string or token-id
// prompt, `suffix` for fill-in-the-middle, `logprobs: N` for the top-N raw log-probabilities per token.
import type { Prompt } from '../../model-runtime/protocol';
import { finishReason, generate, type ServerRuntime, usage } from '../generation';
import { HttpError } from '../http-error';
import { completionLogprobs } from '../logprobs';
import { type Body, generationParams } from '../params';
import type { Reply } from '../reply';

export function completionPrompt(body: Body): Prompt {
  const { prompt, suffix } = body;
  if (body.echo === true) throw new HttpError(400, 'echo is not supported');
  if (suffix !== undefined && suffix !== null && typeof suffix !== 'string') throw new HttpError(400, 'suffix must be a string');
  if (typeof prompt === 'string') return suffix ? { fim: { prefix: prompt, suffix } } : { text: prompt };
  if (Array.isArray(prompt) && prompt.length > 0 && prompt.every((t) => Number.isInteger(t) && t >= 0)) {
    if (suffix) throw new HttpError(400, 'suffix needs a string prompt');
    return { tokens: prompt as number[] };
  }
  throw new HttpError(400, 'prompt must be a string or a non-empty array of token ids (one prompt per request)');
}

export async function completions(runtime: ServerRuntime, body: Body, reply: Reply, signal: AbortSignal): Promise<void> {
  const p = generationParams(body, 'completions');
  const prompt = completionPrompt(body);
  const model = (await runtime.whenReady()).name;
  const head = { id: `cmpl-${Date.now().toString(36)}`, object: 'text_completion', created: Math.floor(Date.now() / 1000), model };
  let offset = 0;
  const { result, steps } = await generate(runtime, prompt, p, signal, (step, delta) => {
    if (!p.stream) return;
    const logprobs = p.logprobs ? completionLogprobs([step], p.topN, offset) : null;
    offset += step.text.length;
    reply.event({ ...head, choices: [{ index: 0, text: delta, logprobs, finish_reason: null }] });
  });
  const finish = finishReason(result);
  if (p.stream) {
    reply.event({ ...head, choices: [{ index: 0, text: '', logprobs: null, finish_reason: finish }], usage: usage(result) });
    return reply.end(true);
  }
  const logprobs = p.logprobs ? completionLogprobs(steps, p.topN, 0) : null;
  reply.json(200, { ...head, choices: [{ index: 0, text: result.text, logprobs, finish_reason: finish }], usage: usage(result) });
}
