// The X-ray view on a fake DOM: the lens table marks the model's answer, the attention view starts on the last
// block's average and switches layer and head with buttons (pressed state shown), tokens faded by weight through
// the CSSOM; hostile token text stays text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { XrayReport } from '../../../model-runtime/protocol';
import { renderXray } from '../../../webview/xray/render';
import { created, type FakeElement, installFakeDom, serialize } from './fake-dom';

installFakeDom();

const report: XrayReport = {
  tokens: [
    { id: 1, text: '<script>' },
    { id: 2, text: ' x' },
    { id: 3, text: ' =' },
  ],
  lens: [
    { layer: 0, top: [{ id: 9, text: ' a', prob: 0.1 }] },
    { layer: 1, top: [{ id: 7, text: ' 1', prob: 0.5 }] },
    { layer: 2, top: [{ id: 7, text: ' 1', prob: 0.9 }] },
  ],
  attention: [
    [
      [0.2, 0.3, 0.5],
      [0.6, 0.2, 0.2],
    ],
    [
      [1, 0, 0],
      [0, 0, 1],
    ],
  ],
};

test('the X-ray view: lens rows with the answer marked, attention by layer and head', () => {
  const root = document.createElement('main') as unknown as FakeElement;
  root.append(...(renderXray(report, 'a.ts:3') as unknown as FakeElement[]));
  const html = serialize(root);
  assert.match(html, /&lt;script&gt;/);
  assert.ok(!created.includes('script'));
  assert.equal(root.querySelectorAll('td.answer').length, 2, 'the final answer is marked where a layer already predicts it');
  const spans = () => root.querySelectorAll('.att');
  // The last block, averaged over heads: [0.5, 0, 0.5].
  assert.deepEqual(
    spans().map((s) => s.style.opacity),
    ['1.000', '0.350', '1.000'],
  );
  const button = (label: string) => root.querySelectorAll('button').find((b) => b.textContent === label)!;
  button('block 1').dispatch('click');
  button('head 2').dispatch('click');
  assert.deepEqual(
    spans().map((s) => s.style.opacity),
    ['1.000', '0.567', '0.567'],
  );
  assert.equal(button('head 2').getAttribute('aria-pressed'), 'true');
  assert.equal(button('average').getAttribute('aria-pressed'), 'false');
  assert.ok(spans()[0].classList.contains('strong'));
});

test('a model whose attention is fused says so instead of drawing it', () => {
  const root = document.createElement('main') as unknown as FakeElement;
  root.append(...(renderXray({ ...report, attention: undefined, attentionNote: 'a fused kernel' }, 'a.ts:1') as unknown as FakeElement[]));
  assert.match(serialize(root), /Not shown: a fused kernel\./);
});
