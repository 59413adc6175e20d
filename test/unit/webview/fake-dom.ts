// A small DOM for the webview unit tests (Node has none): elements with attributes, children, text and
// listeners, a document that creates them, and a DOMParser on parse5 (the HTML parser jsdom uses), whose
// trees follow the browser's rules that matter to a sanitizer: tagName upper-case for HTML elements only
// (an <svg>'s <a> stays 'a'), a <template>'s content outside its childNodes, comments as their own kind.
// `serialize` writes what a tree holds, text escaped, so a test can compare it with the exact HTML expected.
// For the inspector's renderers the elements also have what they use: classList, dataset, hidden, tabIndex,
// value, style, append/removeChild, textContent set as one text node, focus (document.activeElement), and
// querySelector(All) for simple selectors (tag, #id, .class, [attr] or [attr="value"], joined, no combinators).
import { parse } from 'parse5';

const HTML_NS = 'http://www.w3.org/1999/xhtml';

export class FakeText {
  readonly nodeType = 3;
  parentNode: FakeElement | null = null;
  readonly childNodes: never[] = [];
  constructor(readonly data: string) {}
  get textContent(): string {
    return this.data;
  }
}

export class FakeElement {
  readonly nodeType = 1;
  readonly attributes = new Map<string, string>();
  readonly childNodes: FakeNode[] = [];
  parentNode: FakeElement | null = null;
  /** Inline style set through the CSSOM (el.style.x = ...), not as an attribute. */
  readonly style: Record<string, string> = {};
  /** A form control's current value. */
  value = '';
  private readonly listeners = new Map<string, ((ev: unknown) => void)[]>();
  constructor(
    readonly namespaceURI: string | null,
    readonly localName: string,
  ) {}
  get tagName(): string {
    return this.namespaceURI === HTML_NS ? this.localName.toUpperCase() : this.localName;
  }
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, String(value));
  }
  getAttribute(name: string): string | null {
    return this.attributes.get(name) ?? null;
  }
  removeAttribute(name: string): void {
    this.attributes.delete(name);
  }
  hasAttribute(name: string): boolean {
    return this.attributes.has(name);
  }
  appendChild<T extends FakeNode>(child: T): T {
    // A fragment hands over its children, as in a browser.
    const moved = child instanceof FakeFragment ? child.childNodes.splice(0) : [child];
    for (const c of moved) {
      c.parentNode?.childNodes.splice(c.parentNode.childNodes.indexOf(c), 1);
      c.parentNode = this;
      this.childNodes.push(c);
    }
    return child;
  }
  append(...nodes: (FakeNode | string)[]): void {
    for (const n of nodes) this.appendChild(typeof n === 'string' ? new FakeText(n) : n);
  }
  removeChild<T extends FakeNode>(child: T): T {
    const i = this.childNodes.indexOf(child);
    if (i < 0) throw new Error('removeChild: not a child');
    this.childNodes.splice(i, 1);
    child.parentNode = null;
    return child;
  }
  get firstChild(): FakeNode | null {
    return this.childNodes[0] ?? null;
  }
  get childElementCount(): number {
    return this.children.length;
  }
  addEventListener(type: string, fn: (ev: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  /**
   * Calls the listeners of `type` on this element, as a user event would; `init` adds to the event (key,
   * target: an event that bubbled up from a child names it). Returns true when a listener called preventDefault.
   */
  dispatch(type: string, init: Record<string, unknown> = {}): boolean {
    let prevented = false;
    const ev = { type, target: this, preventDefault: () => (prevented = true), ...init };
    for (const fn of this.listeners.get(type) ?? []) fn(ev);
    return prevented;
  }
  get textContent(): string {
    return this.childNodes.map((c) => c.textContent).join('');
  }
  /** As in a browser: the children go, one text node holds the string. */
  set textContent(text: string) {
    for (const c of this.childNodes.splice(0)) c.parentNode = null;
    if (text !== '') this.appendChild(new FakeText(text));
  }
  get classList() {
    const get = () => (this.getAttribute('class') ?? '').split(/\s+/).filter(Boolean);
    const set = (names: string[]) => this.setAttribute('class', names.join(' '));
    return {
      contains: (n: string) => get().includes(n),
      add: (...ns: string[]) => set([...get(), ...ns.filter((n) => !get().includes(n))]),
      remove: (...ns: string[]) => set(get().filter((n) => !ns.includes(n))),
      toggle: (n: string, force?: boolean) => {
        const on = force ?? !get().includes(n);
        if (on && !get().includes(n)) set([...get(), n]);
        if (!on) set(get().filter((x) => x !== n));
        return on;
      },
    };
  }
  /** data-* attributes by camelCase name, as HTMLElement.dataset. */
  get dataset(): Record<string, string | undefined> {
    const attr = (k: string) => `data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    return new Proxy({} as Record<string, string | undefined>, {
      get: (_t, k) => (typeof k === 'string' ? (this.getAttribute(attr(k)) ?? undefined) : undefined),
      set: (_t, k, v) => {
        this.setAttribute(attr(String(k)), String(v));
        return true;
      },
    });
  }
  get hidden(): boolean {
    return this.attributes.has('hidden');
  }
  set hidden(on: boolean) {
    if (on) this.setAttribute('hidden', '');
    else this.attributes.delete('hidden');
  }
  /** The tabindex attribute; without one, 0 for what is focusable by default, -1 for the rest. */
  get tabIndex(): number {
    const t = this.getAttribute('tabindex');
    if (t !== null) return Number(t);
    return ['button', 'input', 'select', 'textarea', 'a'].includes(this.localName) ? 0 : -1;
  }
  set tabIndex(n: number) {
    this.setAttribute('tabindex', String(n));
  }
  focus(): void {
    fakeDocument.activeElement = this;
  }
  scrollIntoView(_opts?: unknown): void {}
  /** The first descendant matching a simple selector (see the header), or null. */
  querySelector(selector: string): FakeElement | null {
    return this.querySelectorAll(selector)[0] ?? null;
  }
  querySelectorAll(selector: string): FakeElement[] {
    const test = matcher(selector);
    const out: FakeElement[] = [];
    const walk = (e: FakeElement) => {
      for (const c of e.children) {
        if (test(c)) out.push(c);
        walk(c);
      }
    };
    walk(this);
    return out;
  }
  set innerHTML(_html: string) {
    throw new Error('innerHTML assigned: markup must be built with DOM calls');
  }
  /** The element children with this local name, at any depth, in document order. */
  all(localName: string): FakeElement[] {
    return this.childNodes.flatMap((c) =>
      c instanceof FakeElement ? [...(c.localName === localName ? [c] : []), ...c.all(localName)] : [],
    );
  }
  /** The direct element children. */
  get children(): FakeElement[] {
    return this.childNodes.filter((c): c is FakeElement => c instanceof FakeElement);
  }
}

/** What createDocumentFragment gives: an element with no tag of its own. */
export class FakeFragment extends FakeElement {
  constructor() {
    super(null, '#document-fragment');
  }
}

export type FakeNode = FakeElement | FakeText;

/** A test for one compound selector: tag, #id, .class, [attr], [attr="value"]. */
function matcher(selector: string): (e: FakeElement) => boolean {
  const parts = selector.trim().match(/^[a-z][a-z0-9-]*|#[\w-]+|\.[\w-]+|\[[\w-]+(?:="[^"]*")?\]/gi) ?? [];
  if (parts.join('') !== selector.trim()) throw new Error(`fake querySelector: unsupported selector ${selector}`);
  return (e) =>
    parts.every((p) => {
      if (p.startsWith('#')) return e.getAttribute('id') === p.slice(1);
      if (p.startsWith('.')) return e.classList.contains(p.slice(1));
      if (p.startsWith('[')) {
        const [, name, value] = p.match(/^\[([\w-]+)(?:="([^"]*)")?\]$/)!;
        return value === undefined ? e.hasAttribute(name) : e.getAttribute(name) === value;
      }
      return e.localName === p.toLowerCase();
    });
}

/** Every element a fake document created, by local name (to show that no <script> was ever made). */
export const created: string[] = [];

function element(ns: string, tag: string): FakeElement {
  created.push(tag);
  return new FakeElement(ns, tag);
}

export const fakeDocument = {
  /** The element last focused (focus()); tests reset it. */
  activeElement: null as FakeElement | null,
  createElement: (tag: string) => element(HTML_NS, tag.toLowerCase()),
  createElementNS: element,
  createTextNode: (text: string) => new FakeText(text),
  createDocumentFragment: () => new FakeFragment(),
};

/** Installs `document`, `Node` and `DOMParser` on globalThis, as a webview has them. */
export function installFakeDom(): void {
  Object.assign(globalThis, { document: fakeDocument, Node: { ELEMENT_NODE: 1, TEXT_NODE: 3 }, DOMParser: FakeDOMParser });
}

/** A parsed node (read-only, like the parser's tree in a browser): element, text, or any other kind. */
interface ParsedNode {
  nodeType: number;
  tagName?: string;
  textContent: string | null;
  childNodes: ParsedNode[];
  getAttribute?(name: string): string | null;
}

type P5Node = {
  nodeName: string;
  tagName?: string;
  namespaceURI?: string;
  value?: string;
  data?: string;
  attrs?: { name: string; value: string }[];
  childNodes?: P5Node[];
};

function wrap(n: P5Node): ParsedNode {
  if (n.nodeName === '#text') return { nodeType: 3, textContent: n.value ?? '', childNodes: [] };
  // A comment's textContent is its data, as in a browser (a doctype's is null).
  if (n.nodeName === '#comment') return { nodeType: 8, textContent: n.data ?? '', childNodes: [] };
  if (!n.tagName) return { nodeType: 10, textContent: null, childNodes: [] };
  const kids = (n.childNodes ?? []).map(wrap);
  return {
    nodeType: 1,
    tagName: n.namespaceURI === HTML_NS ? n.tagName.toUpperCase() : n.tagName,
    get textContent() {
      return kids.map((k) => k.textContent ?? '').join('');
    },
    childNodes: kids,
    getAttribute: (name: string) => n.attrs?.find((a) => a.name === name)?.value ?? null,
  };
}

export class FakeDOMParser {
  parseFromString(html: string, _type: string): { body: ParsedNode } {
    const doc = parse(html) as unknown as P5Node;
    const htmlEl = doc.childNodes!.find((c) => c.tagName === 'html')!;
    const body = htmlEl.childNodes!.find((c) => c.tagName === 'body')!;
    return { body: wrap(body) };
  }
}

const escapeText = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (t: string) => escapeText(t).replace(/"/g, '&quot;');

/** The tree's markup: elements with their attributes in the order set, text escaped. */
export function serialize(n: FakeNode): string {
  if (n instanceof FakeText) return escapeText(n.data);
  const inner = n.childNodes.map(serialize).join('');
  if (n instanceof FakeFragment) return inner;
  const attrs = [...n.attributes].map(([k, v]) => ` ${k}="${escapeAttr(v)}"`).join('');
  return `<${n.localName}${attrs}>${inner}</${n.localName}>`;
}
