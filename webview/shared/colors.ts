// Chip colouring: by probability (five bands) or by GLTR rank bucket (top-10/100/1000/rest).
// Returns class names; media/webview.css maps them to theme chart colours.
import type { Alternative, TokenStep } from '../../model-runtime/protocol';

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

export interface RankInfo {
  /** 1-based rank by raw probability; a lower bound when `exact` is false. */
  rank: number;
  exact: boolean;
}

/**
 * Rank of the chosen token among the reported alternatives. When the token is not among them its rank
 * is only known to be past the list: reported as list length + 1, inexact.
 */
export function stepRank(step: Pick<TokenStep, 'id' | 'rawProb'> & { alternatives: readonly Alternative[]; rank?: number }): RankInfo {
  if (typeof step.rank === 'number') return { rank: step.rank, exact: true };
  const inList = step.alternatives.some((a) => a.id === step.id);
  if (!inList) return { rank: step.alternatives.length + 1, exact: false };
  const higher = step.alternatives.filter((a) => a.id !== step.id && a.rawProb > step.rawProb).length;
  return { rank: higher + 1, exact: true };
}

/** Bucket of a rank; an inexact rank (past the reported list) gets the best bucket it could be in. */
export function bucketOf(info: RankInfo): RankBucket {
  return rankBucket(info.rank);
}

export function chipClass(mode: ColorMode, step: TokenStep & { rank?: number }): string {
  if (mode === 'probability') return `p${probBand(step.rawProb)}`;
  return `r-${bucketOf(stepRank(step))}`;
}
