// How the heatmap looks: one decoration type per rank bucket and per probability band, and the words for
// its colour key. In high-contrast themes each also gets its own outline style (contrastBorder is unset
// in the other themes, so the outline only shows there): the buckets never differ by colour alone.
import * as vscode from 'vscode';
import type { RankBucket } from '../../webview/shared/colors';

export type HeatmapMode = 'rank' | 'probability';

const RANK: Record<RankBucket, { color: string; outline: string; name: string }> = {
  top10: { color: 'rgba(46, 160, 67, 0.28)', outline: 'solid', name: 'green' },
  top100: { color: 'rgba(210, 170, 0, 0.35)', outline: 'dashed', name: 'yellow' },
  top1000: { color: 'rgba(230, 60, 60, 0.38)', outline: 'dotted', name: 'red' },
  rest: { color: 'rgba(150, 80, 210, 0.45)', outline: 'double', name: 'purple' },
};
const PROB = [
  { color: 'rgba(46, 160, 67, 0.30)', outline: 'solid', name: 'green', range: '≥ 80%' },
  { color: 'rgba(46, 160, 67, 0.14)', outline: 'dashed', name: 'pale green', range: '50–80%' },
  { color: 'rgba(210, 170, 0, 0.30)', outline: 'dotted', name: 'yellow', range: '20–50%' },
  { color: 'rgba(230, 130, 30, 0.35)', outline: 'double', name: 'orange', range: '5–20%' },
  { color: 'rgba(230, 60, 60, 0.42)', outline: 'groove', name: 'red', range: '< 5%' },
];

function decoration(color: string, outline: string): vscode.TextEditorDecorationType {
  return vscode.window.createTextEditorDecorationType({
    backgroundColor: color,
    borderRadius: '2px',
    outlineColor: new vscode.ThemeColor('contrastBorder'),
    outlineStyle: outline,
    outlineWidth: '1px',
  });
}

export function rankDecorations(): Map<RankBucket, vscode.TextEditorDecorationType> {
  return new Map((Object.keys(RANK) as RankBucket[]).map((b) => [b, decoration(RANK[b].color, RANK[b].outline)]));
}

export function probDecorations(): vscode.TextEditorDecorationType[] {
  return PROB.map((p) => decoration(p.color, p.outline));
}

/** The colour key in words, for the status bar and the hover. */
export function legend(mode: HeatmapMode): string {
  if (mode === 'rank')
    return `rank: ${(Object.keys(RANK) as RankBucket[]).map((b) => `${RANK[b].name} ${b.replace('top', 'top ')}`).join(', ')}`;
  return `probability: ${PROB.map((p) => `${p.name} ${p.range}`).join(', ')}`;
}
