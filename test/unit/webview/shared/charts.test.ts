// The inspector's SVG charts, built on a fake DOM: the geometry each draws for given probabilities, the
// classes that mark the chosen token, and token text going in as text only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cumulative } from '../../../../sampling/draw';
import { cdfChart, entropyStrip, probBars } from '../../../../webview/shared/charts';
import { created, type FakeElement, FakeText, installFakeDom } from '../fake-dom';

installFakeDom();

const el = (x: unknown) => x as FakeElement;
const num = (e: FakeElement, a: string) => Number(e.getAttribute(a));
/** Each rect as [class, x, y, width, height]. */
const rects = (svg: FakeElement) =>
  svg.all('rect').map((r) => [r.getAttribute('class'), num(r, 'x'), num(r, 'y'), num(r, 'width'), num(r, 'height')]);

test('probBars: raw above, final below, both scaled by the largest probability', () => {
  const svg = el(probBars(0.5, 0.25, false));
  assert.equal(svg.localName, 'svg');
  assert.equal(svg.getAttribute('viewBox'), '0 0 100 12');
  assert.equal(svg.getAttribute('aria-hidden'), 'true');
  assert.deepEqual(rects(svg), [
    ['bar-track', 0, 0, 100, 12],
    ['bar-raw', 0, 1, 50, 4],
    ['bar-final', 0, 6, 25, 5],
  ]);
  // Scale 0.5: the largest probability in the list spans the whole track.
  assert.deepEqual(rects(el(probBars(0.5, 0.25, false, 0.5))).slice(1), [
    ['bar-raw', 0, 1, 100, 4],
    ['bar-final', 0, 6, 50, 5],
  ]);
});

test('probBars: a removed token is marked; zero draws nothing, a sliver stays visible', () => {
  assert.deepEqual(rects(el(probBars(0.3, 0, true))).slice(1), [
    ['bar-raw', 0, 1, 30, 4],
    ['bar-final removed', 0, 6, 0, 5],
  ]);
  assert.deepEqual(rects(el(probBars(1e-6, 1e-6, false))).slice(1), [
    ['bar-raw', 0, 1, 0.5, 4],
    ['bar-final', 0, 6, 0.5, 5],
  ]);
});

const alts = [
  { id: 7, text: 'the', finalProb: 0.5 },
  { id: 8, text: ' a', finalProb: 0.25 },
  { id: 9, text: ' <script>alert(1)</script>', finalProb: 0.125 },
  { id: 10, text: '\n', finalProb: 0.125 },
  { id: 11, text: 'gone', finalProb: 0 },
];

test('cdfChart: one segment per kept token, stacked from 0 to 1 across the 400-wide chart', () => {
  const svg = el(cdfChart(cumulative(alts), 8, 0.6, true));
  assert.equal(svg.getAttribute('viewBox'), '0 0 400 46');
  assert.equal(svg.getAttribute('aria-label'), 'Cumulative distribution of 4 kept tokens, draw at 0.600');
  // 1/2, 1/4, 1/8, 1/8: x = start * 400, width = share * 400; the chosen token is marked, the rest alternate.
  assert.deepEqual(rects(svg), [
    ['seg', 0, 14, 200, 18],
    ['seg chosen', 200, 14, 100, 18],
    ['seg', 300, 14, 50, 18],
    ['seg odd', 350, 14, 50, 18],
  ]);
  // Each segment's title says its token (whitespace made visible) and its span.
  assert.deepEqual(
    svg.all('rect').map((r) => r.all('title')[0].textContent),
    ['the  0.000–0.500', '·a  0.500–0.750', '·<script>alert(1)</script>  0.750–0.875', '↵  0.875–1.000'],
  );
  // Labels on segments wider than 28, clipped to width / 7 characters.
  assert.deepEqual(
    svg
      .all('text')
      .filter((t) => t.getAttribute('class') === 'seg-label')
      .map((t) => [num(t, 'x'), t.textContent]),
    [
      [3, 'the'],
      [203, '·a'],
      [303, '·<scri…'],
      [353, '↵'],
    ],
  );
  // Ticks at quarters, their labels kept inside the chart.
  assert.deepEqual(
    svg
      .all('line')
      .filter((l) => l.getAttribute('class') === 'tick')
      .map((l) => num(l, 'x1')),
    [0, 100, 200, 300, 400],
  );
  assert.deepEqual(
    svg
      .all('text')
      .filter((t) => t.getAttribute('class') === 'tick-label')
      .map((t) => [num(t, 'x'), t.textContent]),
    [
      [8, '0'],
      [100, '0.25'],
      [200, '0.5'],
      [300, '0.75'],
      [392, '1'],
    ],
  );
  // The draw: a line at 0.6 * 400 and its label.
  const draw = svg.all('line').filter((l) => l.getAttribute('class') === 'draw');
  assert.deepEqual(
    draw.map((l) => [num(l, 'x1'), num(l, 'x2')]),
    [[240, 240]],
  );
  assert.deepEqual(
    svg
      .all('text')
      .filter((t) => t.getAttribute('class') === 'draw-label')
      .map((t) => [num(t, 'x'), t.textContent]),
    [[240, 'draw 0.600']],
  );
});

test('cdfChart: token text goes in as text nodes only, never as markup', () => {
  created.length = 0;
  const svg = el(cdfChart(cumulative(alts), 8, 0.6, true));
  assert.ok(!created.includes('script'), `elements created: ${created.join(', ')}`);
  const title = svg.all('rect')[2].all('title')[0];
  assert.equal(title.childNodes.length, 1);
  assert.ok(title.childNodes[0] instanceof FakeText);
});

test('cdfChart: no draw shown, where the draw now lands marked, no label on a segment 28 wide or less', () => {
  // Exact binary fractions: widths 375, 24.21875, and two slivers of 0.390625 drawn 0.5 wide.
  const cdf = [
    { id: 1, text: 'big', start: 0, end: 0.9375 },
    { id: 2, text: 'mid', start: 0.9375, end: 1 - 2 ** -9 },
    { id: 3, text: 'tiny', start: 1 - 2 ** -9, end: 1 - 2 ** -10 },
    { id: 4, text: 'tiny', start: 1 - 2 ** -10, end: 1 },
  ];
  const svg = el(cdfChart(cdf, 1, 0.9995, false, 4));
  assert.equal(svg.getAttribute('aria-label'), 'Cumulative distribution of 4 kept tokens');
  assert.deepEqual(
    svg.all('line').filter((l) => l.getAttribute('class') === 'draw'),
    [],
  );
  assert.deepEqual(
    rects(svg).map(([cls, x, , w]) => [cls, x, w]),
    [
      ['seg chosen', 0, 375],
      ['seg odd', 375, 24.21875],
      ['seg', 399.21875, 0.5],
      ['seg picks', 399.609375, 0.5],
    ],
  );
  assert.deepEqual(
    svg
      .all('text')
      .filter((t) => t.getAttribute('class') === 'seg-label')
      .map((t) => t.textContent),
    ['big'],
  );
});

test('entropyStrip: one bar per step, heights relative to the largest entropy, a click picks its step', () => {
  const picked: number[] = [];
  const svg = el(entropyStrip([2, 1, 0], 1, (i) => picked.push(i)));
  // Three steps: the strip is at least 120 wide, 40 per step; 28 high, bars up to 26.
  assert.equal(svg.getAttribute('viewBox'), '0 0 120 28');
  assert.equal(svg.getAttribute('aria-label'), 'Entropy per token, max 2.00 nats');
  assert.deepEqual(rects(svg), [
    ['ent', 0.5, 2, 39, 26],
    ['ent selected', 40.5, 15, 39, 13],
    ['ent', 80.5, 27, 39, 1],
  ]);
  assert.deepEqual(
    svg.all('title').map((t) => t.textContent),
    ['step 0: 2.00 nats', 'step 1: 1.00 nats', 'step 2: 0.00 nats'],
  );
  svg.all('rect')[2].dispatch('click');
  svg.all('rect')[0].dispatch('click');
  assert.deepEqual(picked, [2, 0]);
});

test('entropyStrip: long completions widen it (6 per step); entropies under 1 nat are not blown up', () => {
  const long = el(entropyStrip(new Array(50).fill(0.5), undefined, () => undefined));
  assert.equal(long.getAttribute('viewBox'), '0 0 300 28');
  assert.deepEqual(rects(long)[49], ['ent', 294.5, 15, 5, 13]);
  assert.ok(rects(long).every(([cls]) => cls === 'ent'));
  assert.deepEqual(rects(el(entropyStrip([], undefined, () => undefined))), []);
});
