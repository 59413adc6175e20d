// Sample generations for rendering the webviews without a model: realistic-looking steps with
// whitespace, newline, partial UTF-8 and hostile token strings.
import type { Alternative, SamplingSettings } from '../../model-runtime/protocol';
import type { PathStep } from '../../webview/protocol';
import { cumulative } from '../../sampling/draw';
import { applySampling } from '../../webview/shared/local-sampler';
import { entropy } from '../../webview/shared/stats';

export const SAMPLING: SamplingSettings = {
  temperature: 0.8,
  topK: 8,
  topP: 0.9,
  minP: 0,
  repetitionPenalty: 1,
  presencePenalty: 0,
  frequencyPenalty: 0,
  seed: 7,
  maxTokens: 64,
  stop: [],
};

/** A tiny deterministic PRNG so fixtures are stable. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

const VOCAB = [
  'function',
  ' add',
  '(',
  'a',
  ',',
  ' b',
  ')',
  ' {',
  '\n',
  '  ',
  ' return',
  ' a',
  ' +',
  ';',
  '}',
  ' x',
  ' sum',
  '<img src=x onerror=alert(1)>',
  '\t',
  ' ',
  '\u00e9',
  'const',
  ' =',
  ' 1',
  ' 2',
  ' const',
  ' let',
  ' var',
  '//',
  ' TODO',
];

export function makeStep(position: number, text: string, seed: number, sampling = SAMPLING, partialBytes?: number[]): PathStep {
  const r = rng(seed + 1);
  const chosenId = 1000 + position;
  const logits = new Map<number, number>();
  const texts = new Map<number, string>();
  logits.set(chosenId, 2 + r() * 3);
  texts.set(chosenId, text);
  for (let k = 0; k < 15; k++) {
    const id = Math.floor(r() * VOCAB.length);
    if (texts.get(id) !== undefined || VOCAB[id] === text) continue;
    logits.set(id, r() * 4 - 0.5 - k * 0.15);
    texts.set(id, VOCAB[id]);
  }
  // Put the hostile token into every step's alternatives.
  logits.set(17, -1);
  texts.set(17, VOCAB[17]);
  const z = [...logits.values()].reduce((s, l) => s + Math.exp(l), 0) * 1.15; // the rest of the vocab holds 13%
  const raw: Alternative[] = [...logits.entries()].map(([id, l]) => ({ id, text: texts.get(id)!, rawProb: Math.exp(l) / z, finalProb: 0 }));
  raw.sort((a, b) => b.rawProb - a.rawProb);
  const final = applySampling(raw, [], sampling);
  const alternatives: Alternative[] = final.map((a) => ({
    id: a.id,
    text: a.text,
    rawProb: a.rawProb,
    finalProb: a.finalProb,
    removedBy: a.removedBy === 'greedy' ? undefined : a.removedBy,
  }));
  const chosen = alternatives.find((a) => a.id === chosenId)!;
  // The draw lands inside the chosen token's segment of the cumulative distribution, as a real draw does.
  const seg = cumulative(alternatives).find((c) => c.id === chosenId);
  const bytes = partialBytes ?? [...new TextEncoder().encode(text)];
  return {
    position,
    id: chosenId,
    text: partialBytes ? '' : text,
    bytes,
    partial: !!partialBytes,
    rawProb: chosen.rawProb,
    finalProb: chosen.finalProb,
    entropy: entropy(raw.map((a) => a.rawProb)),
    draw: seg ? seg.start + (seg.end - seg.start) * (0.1 + 0.8 * r()) : 0,
    alternatives,
    rank: raw.findIndex((a) => a.id === chosenId) + 1,
  };
}

export function sampleSteps(): PathStep[] {
  const toks = [
    'function',
    ' add',
    '(',
    'a',
    ',',
    ' b',
    ')',
    ' {',
    '\n',
    '  ',
    ' return',
    ' a',
    ' +',
    ' b',
    ';',
    '\n',
    '}',
    '\n',
    '//',
    ' caf',
    '',
    ' ',
    '<img src=x onerror=alert(1)>',
  ];
  return toks.map((t, i) => (i === 20 ? makeStep(i, '', i * 7, SAMPLING, [0xc3]) : makeStep(i, t, i * 7)));
}
