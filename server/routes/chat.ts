// POST /v1/chat/completions: the conversation rendered with the model folder's chat template (the chat view's
// code), streamed as OpenAI's chat chunks, with `logprobs: true` and `top_logprobs: N`.
import { type ChatTurn, chatPrompt, cleanReply } from '../../model-runtime/chat-template';
import { isChatRole } from '../../model-runtime/protocol';
import { finishReason, generate, type ServerRuntime, usage } from '../generation';
import { HttpError } from '../http-error';
import { chatLogprobs } from '../logprobs';
import { type Body, generationParams } from '../params';
import type { Reply } from '../reply';

/** Text content, or OpenAI's list of content parts (text parts joined; other parts refused). */
function content(v: unknown, i: number): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((p) => p && typeof p === 'object' && p.type === 'text' && typeof p.text === 'string'))
    return v.map((p) => p.text).join('');
  throw new HttpError(400, `messages[${i}].content must be a string or a list of text parts`);
}

export function chatTurns(body: Body): ChatTurn[] {
  const m = body.messages;
  if (!Array.isArray(m) || m.length === 0) throw new HttpError(400, 'messages must be a non-empty array');
  return m.map((x, i) => {
    if (!x || typeof x !== 'object' || !isChatRole(x.role))
      throw new HttpError(400, `messages[${i}].role must be system, user or assistant`);
    return { role: x.role, content: content(x.content, i) };
  });
}

export async function chat(runtime: ServerRuntime, body: Body, reply: Reply, signal: AbortSignal): Promise<void> {
  const p = generationParams(body, 'chat');
  const turns = chatTurns(body);
  const model = await runtime.whenReady();
  let req: ReturnType<typeof chatPrompt>;
  try {
    req = chatPrompt(model, turns);
  } catch (e) {
    throw new HttpError(400, `the model's chat template failed on these messages: ${e instanceof Error ? e.message : String(e)}`);
  }
  p.sampling.stop = [...p.sampling.stop, ...req.stop];
  const head = { id: `chatcmpl-${Date.now().toString(36)}`, created: Math.floor(Date.now() / 1000), model: model.name };
  const chunk = { ...head, object: 'chat.completion.chunk' };
  if (p.stream)
    reply.event({ ...chunk, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }] });
  const { result, steps } = await generate(runtime, req.prompt, p, signal, (step, delta) => {
    if (!p.stream) return;
    const logprobs = p.logprobs ? chatLogprobs([step], p.topN) : null;
    reply.event({ ...chunk, choices: [{ index: 0, delta: { content: delta }, logprobs, finish_reason: null }] });
  });
  const finish = finishReason(result);
  if (p.stream) {
    reply.event({ ...chunk, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: finish }], usage: usage(result) });
    return reply.end(true);
  }
  const message = { role: 'assistant', content: cleanReply(result.text, req.stop) };
  const logprobs = p.logprobs ? chatLogprobs(steps, p.topN) : null;
  reply.json(200, {
    ...head,
    object: 'chat.completion',
    choices: [{ index: 0, message, logprobs, finish_reason: finish }],
    usage: usage(result),
  });
}
