// A generated step (model-runtime's TokenStep) in each server's logprobs shape. The probabilities are the
// model's raw softmax (what vLLM returns by default and llama-server's n_probs gives), not after sampling.
import type { Alternative, TokenStep } from '../model-runtime/protocol';

const log = (p: number): number => (p > 0 ? Math.log(p) : -9999);

/** The top `n` alternatives (TokenStep's are sorted by raw probability, the chosen one included). */
const top = (s: TokenStep, n: number): Alternative[] => s.alternatives.slice(0, n);

const bytesOf = (text: string): number[] => Array.from(new TextEncoder().encode(text));

/** A token's text; one holding part of a UTF-8 character is spelled as vLLM does, "bytes:\\xe2\\x80". */
function tokenText(s: TokenStep): string {
  return s.partial ? `bytes:${s.bytes.map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}` : s.text;
}

/** /v1/completions: parallel arrays, top_logprobs as {token: logprob} maps (OpenAI's legacy shape). */
export function completionLogprobs(steps: readonly TokenStep[], n: number, startOffset: number) {
  let offset = startOffset;
  const textOffset = steps.map((s) => {
    const at = offset;
    offset += s.text.length;
    return at;
  });
  return {
    tokens: steps.map(tokenText),
    token_logprobs: steps.map((s) => log(s.rawProb)),
    top_logprobs: steps.map((s) => Object.fromEntries(top(s, n).map((a) => [a.text, log(a.rawProb)]))),
    text_offset: textOffset,
  };
}

/** /v1/chat/completions: one entry per token with its bytes and its top alternatives. */
export function chatLogprobs(steps: readonly TokenStep[], n: number) {
  return {
    content: steps.map((s) => ({
      token: s.text,
      logprob: log(s.rawProb),
      bytes: s.bytes,
      top_logprobs: top(s, n).map((a) => ({ token: a.text, logprob: log(a.rawProb), bytes: bytesOf(a.text) })),
    })),
  };
}

/** llama-server's /completion and /infill `completion_probabilities` (with n_probs, raw). */
export function llamaProbabilities(steps: readonly TokenStep[], n: number) {
  return steps.map((s) => ({
    id: s.id,
    token: s.text,
    bytes: s.bytes,
    logprob: log(s.rawProb),
    top_logprobs: top(s, n).map((a) => ({ id: a.id, token: a.text, bytes: bytesOf(a.text), logprob: log(a.rawProb) })),
  }));
}
