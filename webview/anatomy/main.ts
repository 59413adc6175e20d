// Model anatomy webview: wiring only (render.ts draws). Text only through textContent; colours from the theme.
import type { AnatomyHostToView, AnatomyViewToHost } from '../protocol';
import { clear, h } from '../shared/dom';
import { channel } from '../shared/vscode-api';
import { renderAnatomy } from './render';

const vscode = channel<AnatomyViewToHost>();
const root = h('main', { class: 'anatomy', 'aria-live': 'polite' });
document.body.appendChild(root);
const refresh = () => vscode.post({ type: 'refresh' });

window.addEventListener('message', (ev: MessageEvent<AnatomyHostToView>) => {
  const m = ev.data;
  clear(root);
  if (m.type === 'error') root.append(h('p', { class: 'error' }, `No anatomy: ${m.message}`), h('button', { onclick: refresh }, 'Refresh'));
  else root.append(...renderAnatomy(m.anatomy, refresh));
});
vscode.post({ type: 'ready' });
