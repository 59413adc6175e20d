// Markdown for chat replies: markdown-it with raw HTML disabled (so model output cannot inject tags)
// and its link validation, then a DOM allowlist pass as a second line of defence before anything
// reaches the document. Code blocks get copy and insert buttons.
import MarkdownIt from 'markdown-it';
import { fenceBareCode } from './bare-code';

const md = new MarkdownIt({ html: false, linkify: false, breaks: false });
// A line of === or --- under model text is seldom meant as a heading (code models write them in comments).
md.disable('lheading');

const ALLOWED = new Set([
  'P',
  'BR',
  'PRE',
  'CODE',
  'EM',
  'STRONG',
  'UL',
  'OL',
  'LI',
  'BLOCKQUOTE',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'A',
  'HR',
  'TABLE',
  'THEAD',
  'TBODY',
  'TR',
  'TH',
  'TD',
  'S',
  'DEL',
]);

/** Bare code (no fences) is fenced first, so its lines and indentation survive. */
export function renderMarkdownHtml(text: string): string {
  return md.render(fenceBareCode(text));
}

/** Parses markdown-it's output into an inert fragment, keeping only allowlisted tags and attributes. */
export function sanitizedFragment(html: string, doc: Document = document): DocumentFragment {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  const frag = doc.createDocumentFragment();
  const copy = (src: Node, dst: Node) => {
    for (const child of Array.from(src.childNodes)) {
      if (child.nodeType === Node.TEXT_NODE) dst.appendChild(doc.createTextNode(child.textContent ?? ''));
      else if (child.nodeType === Node.ELEMENT_NODE) {
        const el = child as Element;
        if (!ALLOWED.has(el.tagName)) {
          // Unknown element: keep its text, drop the element.
          copy(el, dst);
          continue;
        }
        const out = doc.createElement(el.tagName.toLowerCase());
        if (el.tagName === 'A') {
          const href = el.getAttribute('href') ?? '';
          if (/^https?:\/\//i.test(href)) out.setAttribute('href', href);
          out.setAttribute('title', href);
        }
        if (el.tagName === 'CODE') {
          const lang = /(?:^|\s)language-([\w-]+)/.exec(el.getAttribute('class') ?? '');
          if (lang) out.setAttribute('data-lang', lang[1]);
        }
        copy(el, out);
        dst.appendChild(out);
      }
    }
  };
  copy(parsed.body, frag);
  return frag;
}
