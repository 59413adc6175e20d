// The anatomy view on a fake DOM: the facts, the stack with its block repeated N times, the parts table with
// bars sized through the CSSOM (the CSP forbids style attributes), and a hostile model name kept as text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAnatomy } from '../../../model-runtime/anatomy';
import { renderAnatomy } from '../../../webview/anatomy/render';
import { created, type FakeElement, installFakeDom, serialize } from './fake-dom';

installFakeDom();

const shape = {
  architecture: 'llama',
  layers: 10,
  hidden: 512,
  heads: 8,
  kvHeads: 4,
  headDim: 64,
  ffn: 1408,
  vocab: 50284,
  context: 1024,
  positions: { kind: 'rope' as const, base: 10000, dims: 64 },
  tiedEmbedding: true,
};
const anatomy = buildAnatomy({ name: '<img src=x onerror=alert(1)>', format: 'gguf', file: 'm.gguf', shape }, [
  { name: 'token_embd.weight', dims: [50284, 512], elements: 50284 * 512, bytes: 27354496, format: 'q8_0' },
  { name: 'blk.0.attn_q.weight', dims: [512, 512], elements: 512 * 512, bytes: 278528, format: 'q8_0' },
  { name: 'blk.0.ffn_up.weight', dims: [1408, 512], elements: 1408 * 512, bytes: 765952, format: 'q8_0' },
  { name: 'blk.0.attn_norm.weight', dims: [512], elements: 512, bytes: 2048, format: 'f32' },
]);

test('the anatomy view: facts, the repeated block, parts with bars; the model name stays text', () => {
  let refreshed = 0;
  const root = document.createElement('main');
  root.append(...renderAnatomy(anatomy, () => refreshed++));
  const html = serialize(root as unknown as FakeElement);
  assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.ok(!created.includes('img') && !created.includes('script'));
  assert.match(html, /8 query heads, 4 key\/value heads \(grouped: 2 queries share one\), 64 per head/);
  assert.match(html, /RoPE, base 10000, rotating 64 of 64 dimensions in 32 pairs; wavelengths 6\.3 to/);
  assert.match(html, /× 10 blocks/);
  assert.match(html, /tied to the embedding/);
  const bars = (root as unknown as FakeElement).querySelectorAll('.bar');
  assert.equal(bars.length, 4);
  assert.equal(bars[0].style.width, '100%');
  assert.ok(
    bars.every((b) => b.getAttribute('style') === null),
    'no style attribute',
  );
  const button = (root as unknown as FakeElement).querySelector('button')!;
  button.dispatch('click');
  assert.equal(refreshed, 1, 'Refresh asks the host again');
});
