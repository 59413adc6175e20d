// "Resample" draws a position again under new settings and continues from the new token. The worker runs
// that continuation as a branch, so it reports the new token as forced (final 100 %, every alternative
// 0 %); the view must instead see the draw that chose it, on the resampled distribution. Pure: no vscode.
import type { TokenStep } from '../../model-runtime/protocol';
import { cumulative, tokenAtDraw } from '../../sampling/draw';

/** Which token the resample takes: the worker's own draw (seeded, reproducible) or a fresh uniform draw. */
export function resamplePick(
  resampled: TokenStep,
  fresh: boolean,
  random: () => number,
): { id: number; text: string; draw: number } | undefined {
  if (!fresh) return { id: resampled.id, text: resampled.text, draw: resampled.draw };
  const draw = random();
  const seg = tokenAtDraw(cumulative(resampled.alternatives), draw);
  return seg && { id: seg.id, text: seg.text, draw };
}

/** The branch's first (forced) step as what it really was: a draw of `draw` on the resampled distribution. */
export function drawnStep(forced: TokenStep, resampled: TokenStep, draw: number): TokenStep {
  const { forced: _, ...step } = forced;
  const alt = resampled.alternatives.find((a) => a.id === forced.id);
  return { ...step, finalProb: alt?.finalProb ?? 0, draw, alternatives: resampled.alternatives };
}
