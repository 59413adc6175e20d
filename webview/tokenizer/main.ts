// Tokenizer webview: the text split into token pieces (boundaries visible, whitespace and byte
// tokens shown as glyphs), then a table of ids and bytes. Token text only via textContent.
import type { TokenizerHostToView, TokenizerViewToHost } from '../protocol';
import { clear, h } from '../shared/dom';
import { byteHex, hexByte, tokenLabel } from '../shared/token-text';
import { channel } from '../shared/vscode-api';

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
  const bytes = m.tokens.filter((t) => tokenLabel(t).kind === 'bytes').length;
  head.textContent = `${m.tokens.length} tokens for ${[...m.text].length} characters of the ${m.source}${bytes ? ` · ${bytes} partial-UTF-8 byte tokens` : ''}`;
  m.tokens.forEach((t, i) => {
    const l = tokenLabel(t);
    pieces.appendChild(
      h(
        'span',
        {
          class: `piece kind-${l.kind}`,
          role: 'listitem',
          title: `#${i} id ${t.id}: ${l.description}`,
          'aria-label': `Token ${i + 1}, id ${t.id}: ${l.description}`,
        },
        l.label,
        h('sub', {}, String(t.id)),
      ),
    );
    if (t.text.endsWith('\n')) pieces.appendChild(h('br'));
  });
  table.appendChild(h('tr', {}, h('th', {}, '#'), h('th', {}, 'id'), h('th', {}, 'token'), h('th', {}, 'bytes (hex)')));
  m.tokens.slice(0, 300).forEach((t, i) => {
    const l = tokenLabel(t);
    table.appendChild(
      h(
        'tr',
        {},
        h('td', {}, String(i)),
        h('td', {}, String(t.id)),
        h('td', { class: `kind-${l.kind}` }, l.label),
        h('td', { class: 'bytes', title: byteHex(t.bytes) }, t.bytes.map(hexByte).join(' ')),
      ),
    );
  });
});

vscode.post({ type: 'ready' });
