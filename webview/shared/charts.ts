// Small SVG charts: probability bars for one alternative, the cumulative distribution with the draw,
// and an entropy strip over a completion. Built with DOM calls; labels via textContent.
import { s } from './dom';
import type { CdfSegment } from '../../sampling/draw';
import { visibleText } from './token-text';

/**
 * Two bars in one row: raw (model) above, final (after processors) below. `scale` is the largest
 * probability in the list, so a flat distribution still shows visible bars (the numbers say the rest).
 */
export function probBars(raw: number, final: number, removed: boolean, scale = 1): SVGElement {
  const w = 100 / Math.max(scale, 1e-9);
  return s(
    'svg',
    { class: 'bars', viewBox: '0 0 100 12', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
    s('rect', { class: 'bar-track', x: 0, y: 0, width: 100, height: 12 }),
    s('rect', { class: 'bar-raw', x: 0, y: 1, width: Math.max(raw * w, raw > 0 ? 0.5 : 0), height: 4 }),
    s('rect', {
      class: removed ? 'bar-final removed' : 'bar-final',
      x: 0,
      y: 6,
      width: Math.max(final * w, final > 0 ? 0.5 : 0),
      height: 5,
    }),
  );
}

/**
 * The kept tokens stacked from 0 to 1 (the cumulative distribution), the draw as a line. `picksId`: the
 * token the draw lands on now, when it differs from the chosen one (settings changed since).
 */
export function cdfChart(cdf: readonly CdfSegment[], chosenId: number, draw: number, showDraw: boolean, picksId?: number): SVGElement {
  const W = 400;
  const H = 46;
  const bar = { y: 14, h: 18 };
  const svg = s('svg', {
    class: 'cdf',
    viewBox: `0 0 ${W} ${H}`,
    role: 'img',
    'aria-label': `Cumulative distribution of ${cdf.length} kept tokens${showDraw ? `, draw at ${draw.toFixed(3)}` : ''}`,
  });
  cdf.forEach((seg, i) => {
    const x = seg.start * W;
    const width = Math.max((seg.end - seg.start) * W, 0.5);
    const cls = seg.id === chosenId ? 'seg chosen' : seg.id === picksId ? 'seg picks' : i % 2 ? 'seg odd' : 'seg';
    const rect = s('rect', { class: cls, x, y: bar.y, width, height: bar.h });
    rect.appendChild(s('title', {}, `${visibleText(seg.text)}  ${seg.start.toFixed(3)}–${seg.end.toFixed(3)}`));
    svg.appendChild(rect);
    if (width > 28)
      svg.appendChild(s('text', { class: 'seg-label', x: x + 3, y: bar.y + 13 }, clip(visibleText(seg.text), Math.floor(width / 7))));
  });
  for (const t of [0, 0.25, 0.5, 0.75, 1]) {
    svg.appendChild(s('line', { class: 'tick', x1: t * W, x2: t * W, y1: bar.y + bar.h, y2: bar.y + bar.h + 4 }));
    svg.appendChild(
      s('text', { class: 'tick-label', x: Math.min(Math.max(t * W, 8), W - 8), y: H - 2, 'text-anchor': 'middle' }, String(t)),
    );
  }
  if (showDraw) {
    const x = draw * W;
    svg.appendChild(s('line', { class: 'draw', x1: x, x2: x, y1: 2, y2: bar.y + bar.h + 2 }));
    svg.appendChild(
      s('text', { class: 'draw-label', x: Math.min(Math.max(x, 30), W - 30), y: 10, 'text-anchor': 'middle' }, `draw ${draw.toFixed(3)}`),
    );
  }
  return svg;
}

/** Entropy per step as a bar strip; the selected step is marked. */
export function entropyStrip(entropies: readonly number[], selected: number | undefined, onPick: (i: number) => void): SVGElement {
  const n = Math.max(entropies.length, 1);
  const W = Math.max(n * 6, 120);
  const H = 28;
  const max = Math.max(1, ...entropies);
  const svg = s('svg', {
    class: 'entropy',
    viewBox: `0 0 ${W} ${H}`,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': `Entropy per token, max ${max.toFixed(2)} nats`,
  });
  entropies.forEach((e, i) => {
    const bh = Math.max(1, (e / max) * (H - 2));
    const r = s('rect', {
      class: i === selected ? 'ent selected' : 'ent',
      x: i * (W / n) + 0.5,
      y: H - bh,
      width: Math.max(W / n - 1, 1),
      height: bh,
    });
    r.appendChild(s('title', {}, `step ${i}: ${e.toFixed(2)} nats`));
    r.addEventListener('click', () => onPick(i));
    svg.appendChild(r);
  });
  return svg;
}

function clip(t: string, n: number): string {
  return t.length > n ? t.slice(0, Math.max(1, n - 1)) + '…' : t;
}
