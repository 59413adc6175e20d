// A small DOM for the webview unit tests (Node has none): elements with attributes, children, text and
// listeners, a document that creates them, and a DOMParser on parse5 (the HTML parser jsdom uses), whose
// trees follow the browser's rules that matter to a sanitizer: tagName upper-case for HTML elements only
// (an <svg>'s <a> stays 'a'), a <template>'s content outside its childNodes, comments as their own kind.
// `serialize` writes what a tree holds, text escaped, so a test can compare it with the exact HTML expected.
import { parse } from 'parse5';

const HTML_NS = 'http://www.w3.org/1999/xhtml';

export class FakeText {
  readonly nodeType = 3;
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
  appendChild<T extends FakeNode>(child: T): T {
    this.childNodes.push(child);
    return child;
  }
  addEventListener(type: string, fn: (ev: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  /** Calls the listeners of `type`, as a user event would. */
  dispatch(type: string): void {
    for (const fn of this.listeners.get(type) ?? []) fn({ type });
  }
  get textContent(): string {
    return this.childNodes.map((c) => c.textContent).join('');
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

/** Every element a fake document created, by local name (to show that no <script> was ever made). */
export const created: string[] = [];

function element(ns: string, tag: string): FakeElement {
  created.push(tag);
  return new FakeElement(ns, tag);
}

export const fakeDocument = {
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
