// Chat webview entry: the conversation, a streaming reply, and the composer with send, stop,
// regenerate and clear. Replies render as sanitized markdown; user text renders as plain text.
import type { ChatHostToView, ChatMessage, ChatViewToHost } from '../protocol';
import { clear, h, icon } from '../shared/dom';
import { channel } from '../shared/vscode-api';
import { renderMarkdownHtml, sanitizedFragment } from './markdown';

const vscode = channel<ChatViewToHost>();
let messages: ChatMessage[] = [];
let busy = false;
let streaming: string | undefined;
/** Replies the user stopped, marked so that a cut-off answer does not read as a finished one. */
const stopped = new Set<number>();

const list = h('div', { class: 'messages', id: 'messages', role: 'log', 'aria-live': 'polite', 'aria-label': 'Conversation' });
const input = h('textarea', {
  id: 'chat-input',
  rows: 3,
  'aria-label': 'Message',
  placeholder: 'Ask the model… (Enter to send, Shift+Enter for a new line)',
});
// Labels in their own span: a short view shows the icons alone (the aria-label keeps the name).
const button = (id: string, cls: string, codicon: string, label: string) =>
  h('button', { class: cls, id, 'aria-label': label, title: label }, icon(codicon), h('span', { class: 'label' }, label));
const send = button('send', 'primary', 'send', 'Send');
const stop = button('stop', 'secondary', 'debug-stop', 'Stop');
const regen = button('regenerate', 'secondary', 'refresh', 'Regenerate');
const clr = button('clear', 'secondary', 'clear-all', 'Clear');
const template = h('div', { class: 'template', id: 'template' });
const errorBox = h('div', { class: 'error', role: 'alert', hidden: true });

document.body.appendChild(
  h(
    'main',
    { class: 'chat' },
    list,
    errorBox,
    h('div', { class: 'composer' }, input, h('div', { class: 'row' }, send, stop, regen, clr), template),
  ),
);

function body(m: ChatMessage | { role: 'assistant'; content: string }, live: boolean): HTMLElement {
  const el = h('div', { class: `body${live ? ' streaming' : ''}` });
  if (m.role === 'user') {
    el.appendChild(h('p', {}, m.content));
    el.style.whiteSpace = 'pre-wrap';
    return el;
  }
  el.appendChild(sanitizedFragment(renderMarkdownHtml(m.content)));
  for (const pre of Array.from(el.querySelectorAll('pre'))) {
    const code = pre.textContent ?? '';
    const copy = h('button', { class: 'icon-btn', title: 'Copy code', 'aria-label': 'Copy code' }, icon('copy'));
    const ins = h('button', { class: 'icon-btn', title: 'Insert at cursor', 'aria-label': 'Insert code at the cursor' }, icon('insert'));
    copy.addEventListener('click', () => vscode.post({ type: 'copy', text: code.replace(/\n$/, '') }));
    ins.addEventListener('click', () => vscode.post({ type: 'insert', text: code.replace(/\n$/, '') }));
    pre.after(h('div', { class: 'code-tools' }, copy, ins));
  }
  return el;
}

function render(): void {
  clear(list);
  if (!messages.length && streaming === undefined)
    list.appendChild(
      h(
        'p',
        { class: 'hint' },
        'Chat with the local model. Every reply can be opened in the inspector to see each token and its alternatives.',
      ),
    );
  messages.forEach((m, i) => {
    const who = h('div', { class: 'who' }, h('span', {}, m.role === 'user' ? 'You' : m.role === 'assistant' ? 'Model' : 'System'));
    if (m.role === 'assistant') {
      const inspect = h(
        'button',
        { class: 'icon-btn inspect', title: 'Open this reply in the inspector', 'aria-label': `Open reply ${i + 1} in the inspector` },
        icon('telescope'),
      );
      inspect.addEventListener('click', () => vscode.post({ type: 'inspect', index: i }));
      who.appendChild(inspect);
    }
    const note =
      m.generationId !== undefined && stopped.has(m.generationId)
        ? [h('div', { class: 'stopped-note' }, icon('debug-stop'), ' Stopped')]
        : [];
    list.appendChild(h('div', { class: `msg ${m.role}`, 'data-index': i }, who, body(m, false), ...note));
  });
  if (streaming !== undefined)
    list.appendChild(
      h(
        'div',
        { class: 'msg assistant pending', id: 'streaming' },
        h('div', { class: 'who' }, h('span', {}, 'Model')),
        body({ role: 'assistant', content: streaming }, true),
      ),
    );
  list.scrollTop = list.scrollHeight;
  send.disabled = busy || !input.value.trim();
  stop.disabled = !busy;
  regen.disabled = busy || !messages.some((m) => m.role === 'user');
}

function submit(): void {
  const text = input.value;
  if (!text.trim() || busy) return;
  input.value = '';
  send.disabled = true;
  vscode.post({ type: 'send', text });
}

send.addEventListener('click', submit);
input.addEventListener('input', () => (send.disabled = busy || !input.value.trim()));
input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey) {
    e.preventDefault();
    submit();
  }
});
stop.addEventListener('click', () => vscode.post({ type: 'stop' }));
regen.addEventListener('click', () => vscode.post({ type: 'regenerate' }));
clr.addEventListener('click', () => vscode.post({ type: 'clear' }));

window.addEventListener('message', (ev: MessageEvent<ChatHostToView>) => {
  const m = ev.data;
  switch (m.type) {
    case 'history':
      messages = m.messages;
      busy = m.busy;
      if (!busy) streaming = undefined;
      template.textContent = `Prompt format: ${m.templateName}`;
      errorBox.hidden = true;
      break;
    case 'reply-start':
      busy = true;
      streaming = '';
      break;
    case 'reply-delta':
      streaming = m.text;
      break;
    case 'reply-done':
      streaming = undefined;
      if (m.stopReason === 'cancelled' && m.message.generationId !== undefined) stopped.add(m.message.generationId);
      break;
    case 'error':
      errorBox.hidden = false;
      errorBox.textContent = m.message;
      streaming = undefined;
      break;
  }
  render();
});

render();
vscode.post({ type: 'ready' });
