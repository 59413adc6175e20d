// The chat's second line of defence: sanitizedFragment rebuilds markdown-it's HTML from an allowlist before it
// reaches the document. Parsed by parse5 (a browser's HTML parsing rules) into a fake DOM; the result is
// serialised and compared with the exact markup expected.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderMarkdownHtml, sanitizedFragment } from '../../../../webview/chat/markdown';
import { created, type FakeElement, fakeDocument, installFakeDom, serialize } from '../fake-dom';

installFakeDom();

const clean = (html: string) => {
  created.length = 0;
  const out = serialize(sanitizedFragment(html, fakeDocument as unknown as Document) as unknown as FakeElement);
  // Whatever went in, only allowlisted elements were ever made.
  for (const tag of created)
    assert.match(tag, /^(p|br|pre|code|em|strong|ul|ol|li|blockquote|h[1-6]|a|hr|table|thead|tbody|tr|th|td|s|del)$/);
  return out;
};

test('rendered markdown comes through whole: blocks, inline marks, lists, tables, code with its language', () => {
  const md =
    '# Title\n\nSome **bold**, *em*, ~~old~~ and `x < y`.\n\n- one\n- two\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n```ts\nconst a = "<b>" && b;\n```\n';
  assert.equal(
    clean(renderMarkdownHtml(md)),
    '<h1>Title</h1>\n<p>Some <strong>bold</strong>, <em>em</em>, <s>old</s> and <code>x &lt; y</code>.</p>\n' +
      '<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n' +
      '<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n' +
      '<pre><code data-lang="ts">const a = "&lt;b&gt;" &amp;&amp; b;\n</code></pre>\n',
  );
});

test('scripts, styles, frames and images are dropped; a dropped element leaves only inert text', () => {
  assert.equal(
    clean('<p>hi<script>alert(1)</script><img src=x onerror=alert(2)><iframe src="https://evil.example"></iframe><style>p{}</style></p>'),
    '<p>hialert(1)p{}</p>',
  );
  // Wrappers that are not allowed go; what they held stays, itself filtered.
  assert.equal(clean('<div class="x"><span style="color:red"><em>a</em><object data="x">b</object></span></div>'), '<em>a</em>b');
  // Comments go.
  assert.equal(clean('<p>a<!-- <script>x</script> -->b</p>'), '<p>ab</p>');
  // A template's content is not its children: nothing of it comes through.
  assert.equal(clean('<template><script>x()</script><p>t</p></template>'), '');
});

test('event handlers and every other attribute are dropped from kept elements', () => {
  assert.equal(
    clean('<p onclick="alert(1)" style="position:fixed" class="c" id="i">a</p><strong onmouseover="x()">b</strong>'),
    '<p>a</p><strong>b</strong>',
  );
  assert.equal(
    clean('<table background="javascript:x"><tr><td onclick="y">1</td></tr></table>'),
    '<table><tbody><tr><td>1</td></tr></tbody></table>',
  );
});

test('links keep an http(s) href only; anything else keeps its text and shows the target as a title', () => {
  assert.equal(
    clean('<a href="https://example.com/a?b=1" onclick="x()">ok</a>'),
    '<a href="https://example.com/a?b=1" title="https://example.com/a?b=1">ok</a>',
  );
  assert.equal(clean('<a href="http://example.com">ok</a>'), '<a href="http://example.com" title="http://example.com">ok</a>');
  for (const bad of [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    ' javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:x',
    '//evil.example/',
    '/relative',
    'command:workbench.action.terminal.new',
  ])
    assert.equal(
      clean(`<a href="${bad.replace(/"/g, '&quot;')}">t</a>`),
      `<a title="${bad.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}">t</a>`,
      bad,
    );
  // Markdown-it's own links go the same way.
  assert.equal(
    clean(renderMarkdownHtml('[a](https://ok.example) <javascript:alert(1)>')),
    '<p><a href="https://ok.example" title="https://ok.example">a</a> &lt;javascript:alert(1)&gt;</p>\n',
  );
});

test('code keeps its text and language only; the language is letters, digits and dashes', () => {
  assert.equal(
    clean('<pre><code class="language-js extra" onclick="x">if (a &lt; b) { run(); }</code></pre>'),
    '<pre><code data-lang="js">if (a &lt; b) { run(); }</code></pre>',
  );
  assert.equal(clean('<code class="language-c++&quot;onload=x">y</code>'), '<code data-lang="c">y</code>');
  assert.equal(clean('<code class="lang">y</code>'), '<code>y</code>');
});

test('foreign content and markup that tries to leave the wrapper are filtered the same way', () => {
  // In an <svg>, <a> is SVG's own element (tagName 'a', not 'A'): not allowlisted, so only its text stays.
  assert.equal(clean('<svg><a href="javascript:alert(1)"><text>t</text></a></svg>'), 't');
  assert.equal(clean('<math><mi xlink:href="javascript:x">m</mi></math>'), 'm');
  // Closing the <body> the sanitizer wraps around its input does not escape it.
  assert.equal(clean('</body></html><script>alert(1)</script><p onclick="x">after</p>'), 'alert(1)<p>after</p>');
});
