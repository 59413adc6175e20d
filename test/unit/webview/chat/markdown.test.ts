import assert from 'node:assert/strict';
import { test } from 'node:test';
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
