// X-ray webview: wiring only (render.ts draws). Text only through textContent; colours from the theme.
import type { XrayHostToView, XrayViewToHost } from '../protocol';
import { clear, h } from '../shared/dom';
import { channel } from '../shared/vscode-api';
import { renderXray } from './render';

const vscode = channel<XrayViewToHost>();
const root = h('main', { class: 'xray', 'aria-live': 'polite' });
document.body.appendChild(root);

window.addEventListener('message', (ev: MessageEvent<XrayHostToView>) => {
  const m = ev.data;
  clear(root);
  if (m.type === 'busy') root.append(h('p', { class: 'muted' }, `Running the model over the text before ${m.source}…`));
  else if (m.type === 'error') root.append(h('p', { class: 'error' }, `No X-ray: ${m.message}`));
  else root.append(...renderXray(m.report, m.source));
});
vscode.post({ type: 'ready' });
