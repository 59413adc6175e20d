// The branch tree and the comparison on a fake DOM: one row per generation, depth first and indented, the
// shown one marked; the whole tree one Tab stop (on the shown generation) walked by the arrow keys as a grid
// of show and compare buttons; labels made from prompts and forced tokens only as text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderCompare, renderTree } from '../../../../webview/inspector/render-tree';
import { created, fakeDocument } from '../fake-dom';
import { container, el, HOSTILE, nodes, recorder, S, stateWith, step } from './fixtures';

/** #7 (prompt) → #8 (branch at 1) → #9 (resample at 2, streaming); #10 another prompt, no tokens yet. Shows #8. */
function treeState() {
  const st = stateWith([step(0, 10), step(1, 11), step(2, 12)], { prompt: HOSTILE[0] });
  st.apply({
    type: 'generation',
    meta: { generationId: 8, prompt: 'p', sampling: S, origin: 'branch', parent: { generationId: 7, position: 1 }, forcedText: HOSTILE[1] },
    steps: [step(1, 500, { forced: true }), step(2, 77)],
    done: true,
  });
  st.apply({
    type: 'generation',
    meta: { generationId: 9, prompt: 'p', sampling: S, origin: 'resample', parent: { generationId: 8, position: 2 } },
    steps: [step(2, 88)],
    done: false,
  });
  st.apply({ type: 'generation', meta: { generationId: 10, prompt: 'second', sampling: S, origin: 'prompt' }, steps: [], done: true });
  st.select(8, 0);
  return st;
}

function render(st = treeState()) {
  const root = container();
  const r = recorder();
  created.length = 0;
  renderTree(root, st, r.a);
  const ul = el(root).querySelector('ul')!;
  /** Each row's buttons. */
  const grid = ul.children.map((li) => li.querySelectorAll('button'));
  return { root: el(root), ul, grid, ...r };
}

test('no generation yet: the heading and a hint', () => {
  const root = container();
  const st = stateWith([]);
  st.tree.clear();
  renderTree(root, st, recorder().a);
  assert.deepEqual(
    el(root).children.map((c) => [c.localName, c.textContent]),
    [
      ['h2', 'Branches'],
      ['p', 'Each generation, branch and resample appears here.'],
    ],
  );
});

test('one row per generation, depth first, indented by depth; the shown one marked and not comparable', () => {
  const { ul, grid } = render();
  assert.equal(ul.getAttribute('aria-label'), 'Generations and branches: arrow keys move, Enter shows one');
  assert.deepEqual(
    ul.children.map((li) => [li.getAttribute('aria-level'), li.style.paddingLeft]),
    [
      ['1', '0px'],
      ['2', '14px'],
      ['3', '28px'],
      ['1', '0px'],
    ],
  );
  assert.deepEqual(
    grid.map((cells) => cells.map((c) => c.textContent)),
    [
      [' #1 <img src=x onerror=alert(1)> · 3 tok · ppl 1.7', ''],
      [' #2 branch at step 1: "</script><script>alert(1)</script>" · 3 tok · ppl 1.7 (shown)'],
      [' #3 resample at step 2 (T=1) · 3 tok · ppl 1.7 · …', ''],
      [' #4 second · 0 tok · ppl –', ''],
    ],
  );
  assert.deepEqual(
    grid.map((cells) => cells.map((c) => [c.getAttribute('class'), c.getAttribute('aria-current')])),
    [
      [
        ['tree-item', null],
        ['icon-btn cmp-btn', null],
      ],
      [['tree-item current', 'true']],
      [
        ['tree-item', null],
        ['icon-btn cmp-btn', null],
      ],
      [
        ['tree-item', null],
        ['icon-btn cmp-btn', null],
      ],
    ],
  );
  assert.deepEqual(
    grid.flatMap((cells) => cells.slice(1).map((c) => [c.getAttribute('aria-label'), c.getAttribute('aria-pressed')])),
    [
      ['Compare generation 1 side by side', 'false'],
      ['Compare generation 3 side by side', 'false'],
      ['Compare generation 4 side by side', 'false'],
    ],
  );
  // Shown as #1, #2... in order of arrival; the worker's ids stay in data-gen for the actions.
  assert.deepEqual(
    grid.map((cells) => cells[0].getAttribute('data-gen')),
    ['7', '8', '9', '10'],
  );
});

test('labels from prompts and forced tokens are text only', () => {
  const { grid } = render();
  assert.deepEqual(
    created.filter((t) => !['h2', 'ul', 'li', 'button', 'span'].includes(t)),
    [],
  );
  assert.deepEqual(nodes(grid[0][0]), ['<span>', ' ', '#1 <img src=x onerror=alert(1)>', '<span>']);
  assert.deepEqual(nodes(grid[1][0])[2], '#2 branch at step 1: "</script><script>alert(1)</script>"');
});

test('keyboard: one Tab stop on the shown generation; arrows move between rows keeping the column, Home/End jump', () => {
  const { ul, grid } = render();
  const cells = grid.flat();
  const holder = () => cells.filter((c) => c.tabIndex === 0);
  assert.deepEqual(holder(), [grid[1][0]]);
  assert.ok(cells.every((c) => c === grid[1][0] || c.tabIndex === -1));
  const key = (k: string) => ul.dispatch('keydown', { key: k, target: fakeDocument.activeElement ?? grid[1][0] });
  const at = () => fakeDocument.activeElement;
  assert.equal(key('ArrowDown'), true);
  assert.equal(at(), grid[2][0]);
  key('ArrowRight');
  assert.equal(at(), grid[2][1]);
  key('ArrowDown');
  assert.equal(at(), grid[3][1]);
  assert.equal(key('ArrowDown'), false, 'past the last row');
  key('ArrowUp');
  key('ArrowUp');
  // Row #8 has one button: the column is kept where it can be.
  assert.equal(at(), grid[1][0]);
  key('ArrowUp');
  key('ArrowRight');
  assert.equal(at(), grid[0][1]);
  assert.equal(key('ArrowRight'), false, 'past the last column');
  key('ArrowLeft');
  assert.equal(at(), grid[0][0]);
  assert.equal(key('ArrowLeft'), false);
  key('End');
  assert.equal(at(), grid[3][0]);
  key('Home');
  assert.equal(at(), grid[0][0]);
  assert.deepEqual(holder(), [grid[0][0]]);
  assert.equal(key('Enter'), false, 'Enter is the button’s own');
});

test('buttons: show a generation, toggle its comparison; the compared one is pressed', () => {
  const st = treeState();
  st.compareWith = 9;
  const { grid, calls } = render(st);
  assert.equal(grid[2][1].getAttribute('aria-pressed'), 'true');
  assert.equal(grid[2][1].getAttribute('class'), 'icon-btn cmp-btn on');
  assert.equal(grid[0][1].getAttribute('aria-pressed'), 'false');
  grid[0][0].dispatch('click');
  grid[2][1].dispatch('click');
  grid[1][0].dispatch('click');
  assert.deepEqual(calls, [
    ['showGeneration', 7],
    ['toggleCompare', 9],
    ['showGeneration', 8],
  ]);
});

test('renderCompare: hidden without a second generation; else both paths side by side, where they diverge', () => {
  const root = container();
  const st = treeState();
  const { a, calls } = recorder();
  renderCompare(root, st, a);
  assert.equal(el(root).hidden, true);
  assert.equal(el(root).childNodes.length, 0);
  st.compareWith = 8;
  renderCompare(root, st, a);
  assert.equal(el(root).hidden, true, 'compared with itself');
  st.compareWith = 42;
  renderCompare(root, st, a);
  assert.equal(el(root).hidden, true, 'not in the tree');
  st.compareWith = 7;
  renderCompare(root, st, a);
  assert.equal(el(root).hidden, false);
  const cols = el(root).querySelectorAll('.compare-col');
  assert.deepEqual(
    cols.map((c) => [c.children[0].textContent, c.children[1].textContent]),
    [
      [
        'Shown: #2 branch at step 1: "</script><script>alert(1)</script>"',
        '3 tokens · perplexity 1.67 · mean log-prob -0.511 · diverges at step 1',
      ],
      ['Compared: #1 <img src=x onerror=alert(1)>', '3 tokens · perplexity 1.67 · mean log-prob -0.511 · diverges at step 1'],
    ],
  );
  // The chips: not interactive, the shared prefix marked inherited.
  const chips = cols.map((c) => c.querySelectorAll('.chip'));
  assert.deepEqual(
    chips.map((cs) => cs.map((c) => c.getAttribute('class'))),
    [
      ['chip p1 kind-text inherited', 'chip p1 kind-text forced', 'chip p1 kind-text'],
      ['chip p1 kind-text inherited', 'chip p1 kind-text', 'chip p1 kind-text'],
    ],
  );
  assert.ok(chips.flat().every((c) => c.getAttribute('role') === null && c.getAttribute('id') === null));
  const close = el(root).querySelector('.compare-head')!.querySelector('button')!;
  assert.equal(close.getAttribute('aria-label'), 'Close comparison');
  close.dispatch('click');
  assert.deepEqual(calls, [['toggleCompare', 7]]);
});
