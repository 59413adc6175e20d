// TokenSteps: what the inspector draws for one generated position, from the sampler's report (a sampled
// token) or from the raw logits (a token forced by a branch).
import { rankOfToken, type SampleReport, softmaxStats, topIndices } from '../sampling/sampler';
import type { TokenStep } from './protocol';
import { tokenText } from './text-stream';
import type { Tokenizer } from './tokenizer';

const lossy = new TextDecoder('utf-8');

type Bytes = Pick<Tokenizer, 'tokenBytes'>;

/** An alternative's text: lossy, so a partial character still shows something. */
export function altText(tokenizer: Bytes, id: number): string {
  return lossy.decode(tokenizer.tokenBytes(id));
}

/** The token's own fields: id, text (empty when it holds part of a character), bytes. */
function tokenFields(tokenizer: Bytes, id: number): Pick<TokenStep, 'id' | 'text' | 'bytes' | 'partial'> {
  const bytes = tokenizer.tokenBytes(id);
  const t = tokenText(bytes);
  return { id, text: t.text, bytes: Array.from(bytes), partial: t.partial };
}

export function sampledStep(tokenizer: Bytes, index: number, r: SampleReport): TokenStep {
  return {
    index,
    ...tokenFields(tokenizer, r.id),
    rawProb: r.rawProb,
    finalProb: r.finalProb,
    entropy: r.entropy,
    draw: r.draw,
    alternatives: r.alternatives.map((a) => ({ ...a, text: altText(tokenizer, a.id) })),
    rank: r.rank,
  };
}

/** A step whose figures are computed later (an engine's native greedy pick): the token alone. */
export function deferredStep(tokenizer: Bytes, index: number, id: number): TokenStep {
  return { index, ...tokenFields(tokenizer, id), rawProb: 0, finalProb: 1, entropy: 0, draw: 0, alternatives: [], rank: 1, deferred: true };
}

export function forcedStep(tokenizer: Bytes, index: number, id: number, logits: Float32Array, topN: number): TokenStep {
  const st = softmaxStats(logits);
  const raw = (x: number) => Math.exp(logits[x] - st.max) / st.sum;
  const ids = topIndices(logits, topN);
  if (!ids.includes(id)) ids.push(id);
  return {
    index,
    ...tokenFields(tokenizer, id),
    rawProb: raw(id),
    finalProb: 1,
    entropy: st.entropy,
    draw: 0,
    alternatives: ids.map((x) => ({ id: x, text: altText(tokenizer, x), rawProb: raw(x), finalProb: x === id ? 1 : 0 })),
    rank: rankOfToken(logits, id, st.argmax),
    forced: true,
  };
}
