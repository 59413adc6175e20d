// Draws the loaded model from its files: the stack (embedding, N identical blocks of attention and MLP, the
// output head), the positional scheme, and each part's parameters, bytes and number format. Text only through
// textContent (h()).
import type { Anatomy, PartSummary } from '../../model-runtime/anatomy';
import { h } from '../shared/dom';
import { formatCount, formatSize } from './format';

export function renderAnatomy(a: Anatomy, onRefresh: () => void): HTMLElement[] {
  const s = a.shape;
  return [
    h('h1', {}, a.name),
    h('p', { class: 'muted' }, `${a.format === 'gguf' ? 'GGUF' : 'ONNX'} · ${a.file} · ${s.architecture}`),
    facts(a),
    h('h2', {}, 'The stack'),
    stack(a),
    h('h2', {}, 'What the file holds'),
    partsTable(a),
    h('button', { class: 'refresh', onclick: onRefresh }, 'Refresh'),
  ];
}

function facts(a: Anatomy): HTMLElement {
  const s = a.shape;
  const rows: [string, string][] = [
    ['Parameters', formatCount(a.totalParams)],
    ['Weights on disk', formatSize(a.totalBytes)],
    ['Context', `${s.context} tokens`],
    ['Vocabulary', `${s.vocab} tokens`],
    ['Hidden size', String(s.hidden)],
    [
      'Attention',
      `${s.heads} query heads, ${s.kvHeads} key/value heads${s.kvHeads < s.heads ? ` (grouped: ${s.heads / s.kvHeads} queries share one)` : ''}, ${s.headDim} per head`,
    ],
    ['MLP', `${s.hidden} → ${s.ffn} → ${s.hidden}`],
    ['Positions', positions(a)],
    ['Output head', s.tiedEmbedding ? 'tied to the embedding (the same matrix reads tokens in and scores them out)' : 'its own matrix'],
  ];
  return h('dl', { class: 'facts' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function positions(a: Anatomy): string {
  const p = a.shape.positions;
  if (p.kind === 'learned') return `learned: one vector per position, ${p.rows} rows`;
  if (p.kind === 'unknown') return 'not stated in the file';
  const w = a.ropeWavelengths;
  const range = w ? `; wavelengths ${w[0].toFixed(1)} to ${formatCount(Math.round(w[1]))} positions` : '';
  return `RoPE, base ${p.base}, rotating ${p.dims} of ${a.shape.headDim} dimensions in ${p.dims / 2} pairs${range}`;
}

const part = (a: Anatomy, g: PartSummary['group']) => a.parts.find((x) => x.group === g);

function box(title: string, detail: string, p?: PartSummary): HTMLElement {
  return h(
    'div',
    { class: `box${p ? ` part-${p.group}` : ''}` },
    h('div', { class: 'box-title' }, title),
    h('div', { class: 'box-detail' }, detail),
    p ? h('div', { class: 'box-size muted' }, `${formatCount(p.params)} parameters · ${p.formats.join(', ')}`) : null,
  );
}

/** The embedding; when the file stores none of its own (tied, gathered from the head's matrix), it says so. */
function embeddingBox(a: Anatomy): HTMLElement {
  const p = part(a, 'embedding');
  const what = `token id → vector of ${a.shape.hidden}`;
  if (p?.params || !part(a, 'head')) return box('Embedding', what, p);
  return box('Embedding', `${what}; its rows are read from the output head's matrix (stored once in this file)`);
}

function stack(a: Anatomy): HTMLElement {
  const s = a.shape;
  const perBlock = (g: PartSummary['group']) => {
    const p = part(a, g);
    return p && s.layers ? { ...p, params: Math.round(p.params / s.layers) } : p;
  };
  const block = h(
    'div',
    { class: 'block', role: 'group', 'aria-label': `Transformer block, repeated ${s.layers} times` },
    h('div', { class: 'block-repeat' }, `× ${s.layers} blocks`),
    box('Norm', 'RMSNorm of the residual stream'),
    box('Attention', `${s.heads} heads look back over the context; ${s.kvHeads} key/value heads kept in the cache`, perBlock('attention')),
    h('div', { class: 'residual muted' }, '+ added back to the residual stream'),
    box('Norm', 'RMSNorm'),
    box('MLP', `gated: ${s.hidden} → ${s.ffn} → ${s.hidden}`, perBlock('mlp')),
    h('div', { class: 'residual muted' }, '+ added back to the residual stream'),
  );
  return h(
    'div',
    { class: 'stack' },
    embeddingBox(a),
    block,
    box('Final norm', 'RMSNorm', undefined),
    box('Output head', `vector → ${s.vocab} logits${s.tiedEmbedding ? ' (tied to the embedding)' : ''}`, part(a, 'head')),
  );
}

/** A bar of the given fraction; its width is set through the CSSOM, which the CSP allows (style attributes it does not). */
function bar(fraction: number): HTMLElement {
  const el = h('span', { class: 'bar' });
  el.style.width = `${Math.max(1, Math.round(100 * fraction))}%`;
  return el;
}

function partsTable(a: Anatomy): HTMLElement {
  const max = Math.max(...a.parts.map((p) => p.bytes), 1);
  return h(
    'table',
    { class: 'parts' },
    h('tr', {}, h('th', {}, 'part'), h('th', {}, 'parameters'), h('th', {}, 'bytes'), h('th', {}, 'share'), h('th', {}, 'format')),
    ...a.parts.map((p) =>
      h(
        'tr',
        {},
        h('td', {}, p.group),
        h('td', { class: 'num' }, formatCount(p.params)),
        h('td', { class: 'num' }, formatSize(p.bytes)),
        h('td', { 'aria-label': `${((100 * p.bytes) / a.totalBytes).toFixed(1)}% of the bytes` }, bar(p.bytes / max)),
        h('td', {}, p.formats.join(', ')),
      ),
    ),
  );
}
