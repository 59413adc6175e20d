// Chip colouring: by probability (five bands) or by GLTR rank bucket (top-10/100/1000/rest).
// Returns class names; media/webview.css maps them to theme chart colours.
import type { TokenStep } from '../../model-runtime/protocol';

export type ColorMode = 'probability' | 'rank';
export type RankBucket = 'top10' | 'top100' | 'top1000' | 'rest';

export const RANK_BUCKET_LABELS: Record<RankBucket, string> = {
  top10: 'top 10',
  top100: 'top 100',
  top1000: 'top 1000',
  rest: 'rest',
};

/** 0 (very likely) .. 4 (very unlikely). */
export function probBand(p: number): 0 | 1 | 2 | 3 | 4 {
  if (p >= 0.8) return 0;
  if (p >= 0.5) return 1;
  if (p >= 0.2) return 2;
  if (p >= 0.05) return 3;
  return 4;
}

export function rankBucket(rank: number): RankBucket {
  if (rank <= 10) return 'top10';
  if (rank <= 100) return 'top100';
  if (rank <= 1000) return 'top1000';
  return 'rest';
}

/** `step.rank` is exact: the runtime counts every token above the chosen one, not only the reported ones. */
export function chipClass(mode: ColorMode, step: Pick<TokenStep, 'rawProb' | 'rank'>): string {
  if (mode === 'probability') return `p${probBand(step.rawProb)}`;
  return `r-${rankBucket(step.rank)}`;
}
