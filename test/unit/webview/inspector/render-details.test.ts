// The selected step on a fake DOM: its numbers and rank as the state has them, the alternatives in raw
// order with raw and final probabilities and what removed each, hostile token text only ever as text, the
// list as one Tab stop walked with the arrow keys, and the before/after when the settings changed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Alternative, PathStep } from '../../../../webview/protocol';
import { renderDetails } from '../../../../webview/inspector/render-details';
import { created, fakeDocument, FakeText } from '../fake-dom';
import { container, el, HOSTILE, nodes, recorder, S, stateWith, step } from './fixtures';

// Given out of raw order; the list sorts them. The chosen token (21) is third by raw probability.
const ALTS: Alternative[] = [
  { id: 21, text: HOSTILE[1], rawProb: 0.15, finalProb: 0.2 },
  { id: 11, text: 'chosen?', rawProb: 0.5, finalProb: 0.5 },
  { id: 22, text: '\u0000\ud800', rawProb: 0.05, finalProb: 0, removedBy: 'top-p' },
  { id: 20, text: HOSTILE[0], rawProb: 0.3, finalProb: 0.3 },
];

function detailState(over: Partial<PathStep> = {}) {
  const s = step(1, 21, { text: HOSTILE[1], rawProb: 0.15, finalProb: 0.2, rank: 3, entropy: 1.25, alternatives: ALTS, ...over });
  return stateWith([step(0, 10), s]);
}

/** Renders `st` with the step at `position` shown ('none': no step shown). */
function render(st = detailState(), position: number | 'none' = 1) {
  const root = container();
  const r = recorder();
  created.length = 0;
  renderDetails(root, st, position === 'none' ? undefined : position, r.a);
  return { root: el(root), ...r };
}

const rowsOf = (root: ReturnType<typeof el>) => root.querySelector('#alts')!.querySelectorAll('button');

test('no step shown: a hint that says how to get one', () => {
  const empty = stateWith([]);
  assert.deepEqual(
    render(empty, 'none').root.children.map((c) => [c.localName, c.textContent]),
    [['p', 'Generate from a prompt to see each token with its alternatives.']],
  );
  assert.deepEqual(
    render(detailState(), 'none').root.children.map((c) => c.textContent),
    ['Click a token, or focus the tokens and use the arrow keys, to see its alternatives.'],
  );
});

test('the head: the token as text, its step, raw and final p, rank with its bucket, entropy, how it was chosen', () => {
  const { root } = render();
  const head = root.querySelector('#detail-head')!;
  assert.deepEqual(
    head.children.map((c) => c.textContent),
    [
      '</script><script>alert(1)</script>',
      'step 1',
      'raw p 15.0%',
      'final p 20.0%',
      'rank 3 (top 10)',
      'entropy 1.25 nats',
      'sampled: draw 0.300',
    ],
  );
  assert.ok(head.children[0].childNodes[0] instanceof FakeText);
  assert.equal(head.children[0].getAttribute('class'), 'chip big p3 kind-text');
  // Unchanged settings: no "now", no change note.
  assert.equal(root.querySelector('#head-now'), null);
  assert.equal(root.querySelector('#change-note'), null);
  assert.equal(root.querySelector('#dist-source')!.textContent, ' Final probabilities as generated.');
  // Rank past the top 10, and a partial token.
  const far = render(detailState({ rank: 150, partial: true, text: '', bytes: [0xe2] })).root.querySelector('#detail-head')!;
  assert.deepEqual(
    far.children.map((c) => c.textContent),
    [
      '<0xE2>',
      'step 1',
      'raw p 15.0%',
      'final p 20.0%',
      'rank 150 (top 1000)',
      'entropy 1.25 nats',
      'sampled: draw 0.300',
      'partial UTF-8',
    ],
  );
  const rest = render(detailState({ rank: 4000 })).root.querySelector('#detail-head')!;
  assert.equal(rest.children[4].textContent, 'rank 4000 (rest)');
});

test('alternatives: sorted by raw probability, each a button saying raw and final p, the removed ones by what', () => {
  const { root } = render();
  const list = root.querySelector('#alts')!;
  assert.equal(list.getAttribute('role'), 'group');
  assert.equal(list.getAttribute('aria-label'), 'Alternatives: arrow keys move, Enter on one branches on it (runs the model)');
  const rows = rowsOf(root);
  assert.deepEqual(
    rows.map((r) => [r.getAttribute('data-token-id'), r.getAttribute('class'), r.getAttribute('aria-label')]),
    [
      ['11', 'alt', 'Branch on "chosen?": raw 50.0%, final 50.0%'],
      ['20', 'alt', 'Branch on "<img src=x onerror=alert(1)>": raw 30.0%, final 30.0%'],
      ['21', 'alt chosen', 'Chosen token "</script><script>alert(1)</script>": raw 15.0%, final 20.0%'],
      ['22', 'alt removed', 'Branch on "\\u0000\\ud800": raw 5.0%, final removed by top-p'],
    ],
  );
  // Cells: token, bars, raw, final, tag.
  const cells = (r: (typeof rows)[number]) => r.children.filter((c) => c.localName === 'span').map((c) => c.textContent);
  assert.deepEqual(rows.map(cells), [
    ['chosen?', '50.0%', '50.0%', ' branch'],
    ['<img·src=x·onerror=alert(1)>', '30.0%', '30.0%', ' branch'],
    ['</script><script>alert(1)</script>', '15.0%', '20.0%', ' chosen'],
    ['^@\ud800', '5.0%', '—', '✕ top-p'],
  ]);
  const removedTag = rows[3].querySelector('.badge')!;
  assert.equal(removedTag.getAttribute('class'), 'badge removed');
  assert.equal(removedTag.getAttribute('title'), 'removed by top-p');
  assert.equal(rows[3].querySelector('.bar-final')!.getAttribute('class'), 'bar-final removed');
  // The header row is hidden from assistive tech; its columns without "then".
  const header = list.children[0];
  assert.equal(header.getAttribute('aria-hidden'), 'true');
  assert.deepEqual(
    header.children.map((c) => c.textContent),
    ['token', '', 'raw', 'final', ''],
  );
});

test('hostile token text stays text: each token cell is one text node, no element but the renderer’s own is made', () => {
  const { root } = render();
  const allowed = new Set(['p', 'div', 'span', 'button', 'i', 'svg', 'rect', 'title', 'text', 'line']);
  assert.deepEqual(
    created.filter((t) => !allowed.has(t)),
    [],
  );
  for (const r of rowsOf(root)) {
    const tok = r.children[0];
    assert.equal(tok.getAttribute('class')!.split(' ')[0], 'tok');
    assert.equal(tok.childNodes.length, 1);
    assert.ok(tok.childNodes[0] instanceof FakeText);
  }
  assert.deepEqual(nodes(rowsOf(root)[1].children[0]), ['<img·src=x·onerror=alert(1)>']);
});

test('clicks: another alternative branches on it with its exact text; the chosen one does nothing; Resample redraws; X-ray asks for the step', () => {
  const { root, calls } = render();
  const rows = rowsOf(root);
  rows[1].dispatch('click');
  rows[2].dispatch('click');
  rows[3].dispatch('click');
  const resample = root.querySelector('#resample-btn')!;
  assert.equal(resample.textContent, ' Resample from this step');
  resample.dispatch('click');
  const xray = root.querySelector('#xray-btn')!;
  assert.equal(xray.textContent, ' X-ray this step');
  xray.dispatch('click');
  assert.deepEqual(calls, [['branch', 20, HOSTILE[0]], ['branch', 22, '\u0000\ud800'], ['regenerate'], ['xrayStep']]);
  assert.equal(rows[2].getAttribute('title'), 'The generated token');
});

test('keyboard: the list is one Tab stop, on the chosen row; arrows move in raw order, Home and End jump', () => {
  const { root } = render();
  const list = root.querySelector('#alts')!;
  const rows = rowsOf(root);
  const stops = () => rows.map((r) => r.tabIndex);
  assert.deepEqual(stops(), [-1, -1, 0, -1]);
  const key = (from: number, k: string) => list.dispatch('keydown', { key: k, target: rows[from] });
  assert.equal(key(2, 'ArrowDown'), true);
  assert.equal(fakeDocument.activeElement, rows[3]);
  assert.deepEqual(stops(), [-1, -1, -1, 0]);
  // Past the end nothing moves, and the key is left alone.
  assert.equal(key(3, 'ArrowDown'), false);
  assert.equal(fakeDocument.activeElement, rows[3]);
  key(3, 'Home');
  assert.equal(fakeDocument.activeElement, rows[0]);
  assert.equal(key(0, 'ArrowUp'), false);
  key(0, 'End');
  assert.equal(fakeDocument.activeElement, rows[3]);
  key(3, 'ArrowUp');
  assert.equal(fakeDocument.activeElement, rows[2]);
  assert.deepEqual(stops(), [-1, -1, 0, -1]);
  // Left and right have nowhere to go in one column; other keys are not taken.
  assert.equal(key(2, 'ArrowRight'), false);
  assert.equal(key(2, 'a'), false);
});

test('settings changed: before and after for the step, the same draw’s new pick, "then" and "now" per row', () => {
  const st = detailState();
  st.selectedPosition = 1;
  st.sampling = { ...S, topK: 2 };
  const { root } = render(st);
  // Top-k 2 keeps 0.5 and 0.3 (renormalised to 62.5% and 37.5%); the chosen token is cut.
  const head = root.querySelector('#detail-head')!;
  assert.equal(root.querySelector('#head-final')!.textContent, 'final p 20.0% as generated');
  assert.equal(root.querySelector('#head-now')!.textContent, '→ 0% now');
  assert.equal(head.children.length, 8);
  const note = root.querySelector('#change-note')!;
  assert.equal(note.getAttribute('role'), 'status');
  assert.equal(
    note.textContent,
    ' Settings changed since this token was generated: Top-k 0 → 2.' +
      ' Final p of "</script><script>alert(1)</script>": 20.0% → 0%. The same draw 0.300 would now pick "chosen?".',
  );
  assert.equal(
    root.querySelector('#dist-source')!.textContent,
    ' Final probabilities now: estimated from the kept top-N probabilities (no model run).',
  );
  const rows = rowsOf(root);
  assert.deepEqual(
    rows.map((r) => [r.getAttribute('class'), r.getAttribute('aria-label')]),
    [
      ['alt picks', 'Branch on "chosen?": raw 50.0%, final now 62.5%, 50.0% as generated'],
      ['alt', 'Branch on "<img src=x onerror=alert(1)>": raw 30.0%, final now 37.5%, 30.0% as generated'],
      [
        'alt chosen removed',
        'Chosen token "</script><script>alert(1)</script>": raw 15.0%, final now removed by top-k, 20.0% as generated',
      ],
      ['alt removed', 'Branch on "\\u0000\\ud800": raw 5.0%, final now removed by top-k, removed by top-p as generated'],
    ],
  );
  // Cells: raw, then, now.
  assert.deepEqual(
    rows.map((r) => r.querySelectorAll('.num').map((n) => n.textContent)),
    [
      ['50.0%', '50.0%', '62.5%'],
      ['30.0%', '30.0%', '37.5%'],
      ['15.0%', '20.0%', '—'],
      ['5.0%', '—', '—'],
    ],
  );
  assert.deepEqual(
    root.querySelector('#alts')!.children[0].children.map((c) => c.textContent),
    ['token', '', 'raw', 'then', 'now', ''],
  );
  // An exact redraw on its way, then its answer.
  const req = st.requestExact()!;
  assert.equal(
    render(st).root.querySelector('#dist-source')!.textContent,
    ' Final probabilities now: estimated from the kept top-N probabilities (no model run); exact redraw on its way.',
  );
  const exact = step(1, 20, {
    text: HOSTILE[0],
    draw: 0.7,
    alternatives: ALTS.map((x) => ({
      ...x,
      finalProb: x.id === 11 ? 0.6 : x.id === 20 ? 0.4 : 0,
      removedBy: x.rawProb < 0.3 ? 'top-k' : undefined,
    })),
  });
  assert.ok(st.apply({ type: 'resampled', requestId: req.requestId, generationId: 7, step: exact }));
  const after = render(st).root;
  assert.equal(
    after.querySelector('#dist-source')!.textContent,
    ' Final probabilities now: exact, re-applied to the kept logits by the worker (no model run).',
  );
  assert.match(
    after.querySelector('#change-note')!.textContent,
    /The worker’s draw 0\.700 would now pick "<img src=x onerror=alert\(1\)>"\.$/,
  );
});

test('many alternatives: the top 10 and the chosen one, then a Show all button that says what it does', () => {
  const many: Alternative[] = Array.from({ length: 25 }, (_, i) => ({
    id: 100 + i,
    text: `a${i}`,
    rawProb: (25 - i) / 400,
    finalProb: (25 - i) / 400,
  }));
  const st = detailState({ id: 122, text: 'a22', alternatives: many });
  const { root, calls } = render(st);
  const rows = rowsOf(root);
  assert.equal(rows.length, 11);
  assert.equal(rows.at(-1)!.getAttribute('data-token-id'), '122');
  assert.equal(rows.at(-1)!.getAttribute('class'), 'alt chosen');
  const more = root.querySelector('#show-all')!;
  assert.equal(more.textContent, 'Show all 25 alternatives');
  assert.equal(more.getAttribute('aria-expanded'), 'false');
  more.dispatch('click');
  assert.deepEqual(calls, [['toggleAllAlternatives']]);
  st.allAlternatives = true;
  const all = render(st).root;
  assert.equal(rowsOf(all).length, 25);
  assert.equal(all.querySelector('#show-all')!.textContent, 'Show the top 10');
  assert.equal(all.querySelector('#show-all')!.getAttribute('aria-expanded'), 'true');
  // A chosen token past the reported alternatives is said to be.
  const past = render(detailState({ id: 999, alternatives: ALTS })).root;
  assert.equal(past.querySelector('#alts')!.querySelector('.hint')!.textContent, 'The chosen token is past the top 4 alternatives.');
  assert.equal(render(detailState()).root.querySelector('#alts')!.querySelector('.hint'), null);
});

test('how the token was chosen, in the badge and the chart title', () => {
  const sampled = render().root;
  assert.equal(sampled.querySelector('#cdf-title')!.textContent, 'Cumulative final distribution and the draw that picked the token');
  assert.equal(sampled.querySelector('#step-how')!.getAttribute('class'), 'badge how-sampled');
  const forced = render(detailState({ forced: true })).root;
  assert.equal(forced.querySelector('#step-how')!.textContent, 'forced by a branch: no draw');
  assert.equal(forced.querySelector('#cdf-title')!.textContent, 'Cumulative final distribution (a forced token: nothing was drawn)');
  const greedyState = stateWith([step(0, 10), step(1, 21, { draw: 0, alternatives: ALTS })], { sampling: { ...S, temperature: 0 } });
  const greedy = render(greedyState).root;
  assert.equal(greedy.querySelector('#step-how')!.textContent, 'greedy (temperature 0): the most likely token');
  assert.equal(greedy.querySelector('#cdf-title')!.textContent, 'Cumulative final distribution (greedy: nothing is drawn)');
});

test('a remote step shows what the server reported and says what it did not: no final p, no draw, rank within its top N', () => {
  const remote = { source: 'vllm /v1/completions', probabilities: 'raw' as const, rankLowerBound: false };
  const { root } = render(detailState({ remote }));
  const head = root.querySelector('#detail-head')!.children.map((c) => c.textContent);
  assert.deepEqual(head.slice(2), [
    'raw p 15.0%',
    'final p not reported',
    "rank 3 of the server's top 4",
    'entropy ≥ 1.25 nats',
    'drawn by the server (vllm /v1/completions): its draw is not reported',
  ]);
  assert.equal(
    root.querySelector('#dist-source')!.textContent,
    ' From vllm /v1/completions: the chosen token and the top alternatives with their raw probabilities. Not reported by the server: its cutters, the final probabilities and the draw.',
  );
  for (const row of rowsOf(root)) assert.match(row.getAttribute('aria-label')!, /final not reported$/);
  assert.match(
    root.querySelector('#cdf-title')!.textContent,
    /not shown, since the server reports neither its final probabilities nor its draw/,
  );
  // The chosen token past the alternatives the server sent: the rank is a lower bound.
  const past = render(detailState({ remote: { ...remote, rankLowerBound: true }, rank: 4 })).root;
  assert.equal(past.querySelector('#head-rank')!.textContent, "rank > 3 (past the server's top 3)");
});

// Last: the focused row is remembered by the module for the rest of this file.
test('the row that last held the keyboard keeps the Tab stop when the list is rebuilt', () => {
  const first = render();
  const rows = rowsOf(first.root);
  first.root.querySelector('#alts')!.dispatch('focusin', { target: rows[1] });
  assert.deepEqual(
    rowsOf(render().root).map((r) => r.tabIndex),
    [-1, 0, -1, -1],
  );
  // A list without that token falls back to the chosen row.
  const other = render(detailState({ alternatives: ALTS.filter((x) => x.id !== 20) })).root;
  assert.deepEqual(
    rowsOf(other).map((r) => [r.getAttribute('data-token-id'), r.tabIndex]),
    [
      ['11', -1],
      ['21', 0],
      ['22', -1],
    ],
  );
});
