// Summary numbers for a completion: entropy per step, perplexity and mean log-probability.

/** Entropy in nats of a (possibly unnormalised, possibly truncated) distribution. */
export function entropy(probs: readonly number[]): number {
  const total = probs.reduce((a, b) => a + b, 0);
  if (total <= 0) return 0;
  let h = 0;
  for (const p of probs) if (p > 0) h -= (p / total) * Math.log(p / total);
  return h;
}

/** Probabilities are clamped so a zero never turns a whole completion into infinity. */
const FLOOR = 1e-12;

export function meanLogProb(probs: readonly number[]): number {
  if (probs.length === 0) return 0;
  return probs.reduce((s, p) => s + Math.log(Math.max(p, FLOOR)), 0) / probs.length;
}

export function perplexity(probs: readonly number[]): number {
  if (probs.length === 0) return 1;
  return Math.exp(-meanLogProb(probs));
}

export interface CompletionSummary {
  tokens: number;
  perplexity: number;
  meanLogProb: number;
  meanEntropy: number;
}

export function summarize(steps: readonly { rawProb: number; entropy: number }[]): CompletionSummary {
  const probs = steps.map((s) => s.rawProb);
  return {
    tokens: steps.length,
    perplexity: perplexity(probs),
    meanLogProb: meanLogProb(probs),
    meanEntropy: steps.length ? steps.reduce((a, s) => a + s.entropy, 0) / steps.length : 0,
  };
}

/** A probability as a percentage; below 0.01 % it says so instead of switching to "9.0e-6" notation. */
export function formatProb(p: number): string {
  if (p >= 0.995) return (p * 100).toFixed(0) + '%';
  if (p >= 0.01) return (p * 100).toFixed(1) + '%';
  if (p >= 0.0001) return (p * 100).toFixed(2) + '%';
  if (p > 0) return '<0.01%';
  return '0%';
}
