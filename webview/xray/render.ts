// Draws an X-ray: the logit lens (what each layer's residual stream would predict if the model stopped there)
// and the attention of the last position over the context, per layer and head or averaged. Buttons pick the
// layer and head; the context's tokens are faded by weight (opacity set through the CSSOM: the CSP forbids
// style attributes). Token text only through textContent.
import type { XrayReport } from '../../model-runtime/protocol';
import { clear, h } from '../shared/dom';
import { visibleText } from '../shared/token-text';

const pct = (p: number) => `${(100 * p).toFixed(p < 0.1 ? 1 : 0)}%`;

export function renderXray(r: XrayReport, source: string): HTMLElement[] {
  const answer = r.lens[r.lens.length - 1]?.top[0];
  return [
    h('h1', {}, 'X-ray'),
    h('p', { class: 'muted' }, `The next token after ${source}, from the last ${r.tokens.length} tokens.`),
    h('h2', {}, 'Logit lens: what each layer would predict'),
    lensTable(r, answer?.id),
    h('h2', {}, 'Attention: where the last position looks'),
    ...(r.attention
      ? [...(r.attentionNote ? [h('p', { class: 'muted' }, `Weights ${r.attentionNote}.`)] : []), attentionView(r, r.attention)]
      : [h('p', { class: 'muted' }, `Not shown: ${r.attentionNote ?? 'the model does not expose it'}.`)]),
  ];
}

function lensTable(r: XrayReport, answer: number | undefined): HTMLElement {
  const last = r.lens.length - 1;
  return h(
    'table',
    { class: 'lens' },
    h('tr', {}, h('th', {}, 'layer'), ...r.lens[0].top.map((_, i) => h('th', {}, `#${i + 1}`))),
    ...r.lens.map((row) =>
      h(
        'tr',
        { class: row.layer === last ? 'final' : '' },
        h(
          'th',
          { scope: 'row' },
          row.layer === 0 ? 'embedding' : row.layer === last ? `block ${row.layer} (output)` : `block ${row.layer}`,
        ),
        ...row.top.map((t) =>
          h(
            'td',
            { class: t.id === answer ? 'answer' : '', title: `token ${t.id}` },
            h('code', {}, visibleText(t.text)),
            h('span', { class: 'muted' }, ` ${pct(t.prob)}`),
          ),
        ),
      ),
    ),
  );
}

function attentionView(r: XrayReport, att: number[][][]): HTMLElement {
  const pick = { layer: att.length - 1, head: -1 }; // head -1: the average over heads
  const text = h('div', { class: 'attended', role: 'list', 'aria-label': 'Context tokens shaded by attention' });
  const draw = () => {
    drawWeights(text, r, weightsOf(att[pick.layer], pick.head));
    for (const b of layerButtons) b.setAttribute('aria-pressed', String(Number(b.dataset.value) === pick.layer));
    for (const b of headButtons) b.setAttribute('aria-pressed', String(Number(b.dataset.value) === pick.head));
  };
  const layerButtons = buttons(
    att.map((_, i) => i),
    (i) => `block ${i + 1}`,
    (i) => {
      pick.layer = i;
      draw();
    },
  );
  const headButtons = buttons(
    [-1, ...(att[0] ?? []).map((_, i) => i)],
    (i) => (i < 0 ? 'average' : `head ${i + 1}`),
    (i) => {
      pick.head = i;
      draw();
    },
  );
  const view = h(
    'div',
    { class: 'attention' },
    h('div', { class: 'pick', role: 'group', 'aria-label': 'Layer' }, ...layerButtons),
    h('div', { class: 'pick', role: 'group', 'aria-label': 'Head' }, ...headButtons),
    text,
  );
  draw();
  return view;
}

/** One head's weights over the context, or (head -1) the average over the layer's heads. */
function weightsOf(rows: number[][], head: number): number[] {
  return head >= 0 ? rows[head] : rows[0].map((_, j) => rows.reduce((s, row) => s + row[j], 0) / rows.length);
}

function drawWeights(into: HTMLElement, r: XrayReport, w: number[]): void {
  clear(into);
  const max = Math.max(...w, 1e-9);
  r.tokens.forEach((t, j) => {
    const span = h(
      'span',
      { class: 'att', role: 'listitem', title: `${pct(w[j])} of the attention`, 'aria-label': `${t.text}: ${pct(w[j])}` },
      visibleText(t.text),
    );
    // Faded by weight, never below readable; the strongest also get a border (visible in high contrast).
    span.style.opacity = (0.35 + (0.65 * w[j]) / max).toFixed(3);
    if (w[j] / max > 0.5) span.classList.add('strong');
    into.append(span);
  });
}

function buttons(values: number[], label: (v: number) => string, onPick: (v: number) => void): HTMLElement[] {
  return values.map((v) => h('button', { 'data-value': v, onclick: () => onPick(v) }, label(v)));
}
