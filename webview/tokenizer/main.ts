// Tokenizer webview: the text split into token pieces (boundaries visible, whitespace and byte
// tokens shown as glyphs, byte tokens grouped under the character they form), then a table of ids and
// bytes. Token text only via textContent.
import type { TokenizerHostToView, TokenizerViewToHost, TokenPiece } from '../protocol';
import { clear, h } from '../shared/dom';
import { byteHex, hexByte, tokenLabel, visibleText } from '../shared/token-text';
import { channel } from '../shared/vscode-api';
import { groupPieces, type PieceGroup } from './groups';

const vscode = channel<TokenizerViewToHost>();
const head = h('div', { class: 'muted', id: 'tok-head', 'aria-live': 'polite' });
const pieces = h('div', { class: 'pieces', id: 'pieces', role: 'list', 'aria-label': 'Tokens' });
const table = h('table', { class: 'ids', id: 'ids' });
const input = h('textarea', { rows: 2, 'aria-label': 'Text to tokenize', placeholder: 'Or type text to tokenize…' });
input.addEventListener('input', () => vscode.post({ type: 'tokenize', text: input.value }));
document.body.appendChild(
  h('main', { class: 'tokenizer' }, head, pieces, table, h('details', {}, h('summary', {}, 'Tokenize typed text'), input)),
);

window.addEventListener('message', (ev: MessageEvent<TokenizerHostToView>) => {
  const m = ev.data;
  clear(pieces);
  clear(table);
  if (m.type !== 'tokens') {
    head.textContent = m.type === 'empty' ? m.reason : `Error: ${m.message}`;
    return;
  }
  const groups = groupPieces(m.tokens);
  const joined = groups.filter((g) => g.text !== undefined);
  const bytes = m.tokens.filter((t) => tokenLabel(t).kind === 'bytes').length;
  head.textContent =
    `${m.tokens.length} tokens for ${[...m.text].length} characters of the ${m.source}` +
    (bytes ? ` · ${bytes} partial-UTF-8 byte tokens` : '') +
    (joined.length ? `, forming ${joined.map((g) => JSON.stringify(g.text)).join(' ')}` : '');
  for (const g of groups) {
    const spans = g.tokens.map((t, k) => piece(t, g.start + k));
    if (g.text === undefined) pieces.append(...spans);
    else
      pieces.appendChild(
        h(
          'span',
          {
            class: 'piece-group',
            role: 'group',
            'aria-label': `${JSON.stringify(g.text)} from ${g.tokens.length} byte tokens`,
            title: `${g.tokens.length} byte tokens forming ${JSON.stringify(g.text)}`,
          },
          h('span', { class: 'group-char', 'aria-hidden': 'true' }, visibleText(g.text)),
          ...spans,
        ),
      );
    if (g.tokens[g.tokens.length - 1].text.endsWith('\n')) pieces.appendChild(h('br'));
  }
  renderTable(m.tokens, groups);
});

function piece(t: TokenPiece, i: number): HTMLElement {
  const l = tokenLabel(t);
  return h(
    'span',
    {
      class: `piece kind-${l.kind}`,
      role: 'listitem',
      title: `#${i} id ${t.id}: ${l.description}`,
      'aria-label': `Token ${i + 1}, id ${t.id}: ${l.description}`,
    },
    l.label,
    h('sub', {}, String(t.id)),
  );
}

/** Ids and bytes, one row per token; byte tokens say which character they help form. */
function renderTable(tokens: TokenPiece[], groups: PieceGroup[]): void {
  const forms = new Map<number, string>();
  for (const g of groups) if (g.text !== undefined) for (let k = 0; k < g.tokens.length; k++) forms.set(g.start + k, g.text);
  table.appendChild(
    h('tr', {}, h('th', {}, '#'), h('th', {}, 'id'), h('th', {}, 'token'), h('th', {}, 'bytes (hex)'), h('th', {}, 'forms')),
  );
  tokens.slice(0, 300).forEach((t, i) => {
    const l = tokenLabel(t);
    const f = forms.get(i);
    table.appendChild(
      h(
        'tr',
        {},
        h('td', {}, String(i)),
        h('td', {}, String(t.id)),
        h('td', { class: `kind-${l.kind}` }, l.label),
        h('td', { class: 'bytes', title: byteHex(t.bytes) }, t.bytes.map(hexByte).join(' ')),
        h('td', { class: 'forms' }, f === undefined ? '' : visibleText(f)),
      ),
    );
  });
}

vscode.post({ type: 'ready' });
