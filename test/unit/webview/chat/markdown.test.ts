import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fenceBareCode } from '../../../../webview/chat/bare-code';
import { renderMarkdownHtml } from '../../../../webview/chat/markdown';

test('raw HTML in model output is escaped, not passed through', () => {
  const html = renderMarkdownHtml('hi <img src=x onerror=alert(1)> <script>alert(1)</script>');
  assert.ok(!/<img|<script/i.test(html), html);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
});

test('javascript: links are not turned into links', () => {
  const html = renderMarkdownHtml('[click](javascript:alert(1)) [ok](https://example.com)');
  assert.ok(!/href="javascript/i.test(html), html);
  assert.match(html, /href="https:\/\/example.com"/);
});

test('fenced code keeps its language and escapes its content', () => {
  const html = renderMarkdownHtml('```ts\nconst a = "<b>";\n```');
  assert.match(html, /<pre><code class="language-ts">const a = &quot;&lt;b&gt;&quot;;\n<\/code><\/pre>/);
});

test('underlined lines stay text, not headings', () => {
  const html = renderMarkdownHtml('Use a tuple\n---\n');
  assert.ok(!/<h2>/.test(html), html);
});

test('code without fences keeps its lines and indentation (fenced before rendering)', () => {
  const html = renderMarkdownHtml('Here it is:\ndef add(a, b):\n    """Sum."""\n\n    return a + b\n\nCall it with two numbers.');
  assert.match(html, /<p>Here it is:<\/p>/);
  assert.match(html, /<pre><code>def add\(a, b\):\n {4}&quot;&quot;&quot;Sum.&quot;&quot;&quot;\n\n {4}return a \+ b\n<\/code><\/pre>/);
  assert.match(html, /<p>Call it with two numbers.<\/p>/);
});

test('bare code in braces languages, prose and existing fences are told apart', () => {
  assert.equal(
    fenceBareCode('function add(a, b) {\n  return a + b;\n}\nDone.'),
    '```\nfunction add(a, b) {\n  return a + b;\n}\n```\nDone.',
  );
  for (const prose of ['If you want, use a loop.', 'for example, this one', '- const is a keyword', 'Use `const x = 1` here.'])
    assert.equal(fenceBareCode(prose), prose);
  const fenced = '```py\ndef f():\n    pass\n```';
  assert.equal(fenceBareCode(fenced), fenced);
});

test('top-level calls and assignments after a function stay in its code block', () => {
  assert.equal(
    fenceBareCode('def add(a, b):\n    return a + b\n\nprint(add(1, 2))\ntotal = add(3, 4)\nThat prints 3.'),
    '```\ndef add(a, b):\n    return a + b\n\nprint(add(1, 2))\ntotal = add(3, 4)\n```\nThat prints 3.',
  );
});

test('import lines without punctuation are code too', () => {
  assert.equal(
    fenceBareCode('Start with:\nfrom __future__ import annotations\n\nimport dataclasses\nimport os\nThen define it.'),
    'Start with:\n\n```\nfrom __future__ import annotations\n\nimport dataclasses\nimport os\n```\nThen define it.',
  );
  assert.equal(fenceBareCode('Import the module first.'), 'Import the module first.');
});
