// The branch tree (every generation, branch and resample; one Tab stop, arrow keys inside) and the
// side-by-side comparison of two generations.
import type { PathStep } from '../protocol';
import { clear, h, icon } from '../shared/dom';
import { rovingGrid } from '../shared/roving';
import { summarize } from '../shared/stats';
import { endsLine } from '../shared/token-text';
import type { Actions } from './actions';
import { chip } from './render-tokens';
import type { InspectorState } from './state';

export function renderTree(root: HTMLElement, st: InspectorState, a: Actions): void {
  clear(root);
  root.appendChild(h('h2', {}, 'Branches'));
  const rows = st.tree.rows();
  if (!rows.length) {
    root.appendChild(h('p', { class: 'hint' }, 'Each generation, branch and resample appears here.'));
    return;
  }
  const ul = h('ul', { class: 'tree-list', 'aria-label': 'Generations and branches: arrow keys move, Enter shows one' });
  const grid: HTMLElement[][] = [];
  let current: HTMLElement | undefined;
  for (const r of rows) {
    const cells = treeCells(r, st, a);
    if (r.id === st.current) current = cells[0];
    grid.push(cells);
    const li = h('li', { 'aria-level': r.depth + 1 }, ...cells);
    // CSSOM, not a style attribute: the CSP allows no inline styles.
    li.style.paddingLeft = `${r.depth * 14}px`;
    ul.appendChild(li);
  }
  rovingGrid(ul, grid, current);
  root.appendChild(ul);
}

type TreeRow = ReturnType<InspectorState['tree']['rows']>[number];

/** One row's buttons: show it, and (unless it is the one shown) compare it with the shown one. */
function treeCells(r: TreeRow, st: InspectorState, a: Actions): HTMLElement[] {
  const node = st.tree.get(r.id)!;
  const path = st.tree.path(r.id).steps;
  const sum = summarize(path);
  const isCurrent = r.id === st.current;
  const show = h(
    'button',
    {
      class: `tree-item${isCurrent ? ' current' : ''}`,
      title: 'Show this generation',
      'data-gen': r.id,
      'data-focus-key': `gen-${r.id}`,
      'aria-current': isCurrent ? 'true' : undefined,
    },
    icon(r.depth ? 'git-branch' : 'symbol-string'),
    ' ',
    r.label,
    h('span', { class: 'muted' }, ` · ${path.length} tok · ppl ${path.length ? sum.perplexity.toFixed(1) : '–'}${node.done ? '' : ' · …'}`),
    isCurrent ? h('span', { class: 'shown-tag' }, ' (shown)') : null,
  );
  show.addEventListener('click', () => a.showGeneration(r.id));
  if (isCurrent) return [show];
  const on = st.compareWith === r.id;
  const cmp = h(
    'button',
    {
      class: `icon-btn cmp-btn${on ? ' on' : ''}`,
      title: 'Compare side by side with the shown generation',
      'aria-label': `Compare generation ${node.serial} side by side`,
      'aria-pressed': String(on),
      'data-gen': r.id,
      'data-focus-key': `cmp-${r.id}`,
    },
    icon('split-horizontal'),
  );
  cmp.addEventListener('click', () => a.toggleCompare(r.id));
  return [show, cmp];
}

export function renderCompare(root: HTMLElement, st: InspectorState, a: Actions): void {
  clear(root);
  if (st.compareWith === undefined || st.current === undefined || st.compareWith === st.current || !st.tree.has(st.compareWith)) {
    root.hidden = true;
    return;
  }
  root.hidden = false;
  const left = st.pathSteps(st.current);
  const right = st.pathSteps(st.compareWith);
  let common = 0;
  while (common < left.length && common < right.length && left[common].id === right[common].id) common++;
  const label = (id: number) => st.tree.rows().find((r) => r.id === id)?.label ?? `#${id}`;
  const col = (id: number, steps: PathStep[], role: string) => {
    const sum = summarize(steps);
    const body = h('div', { class: 'chips small' });
    steps.forEach((s, position) => {
      body.appendChild(chip(s, position, st.colorMode, false, position < common ? 'parent' : 'own'));
      if (endsLine(s.text)) body.appendChild(h('br'));
    });
    return h(
      'div',
      { class: 'compare-col' },
      h('h3', {}, `${role}: ${label(id)}`),
      h(
        'div',
        { class: 'muted' },
        `${steps.length} tokens · perplexity ${steps.length ? sum.perplexity.toFixed(2) : '–'} · mean log-prob ${sum.meanLogProb.toFixed(3)} · diverges at step ${common}`,
      ),
      body,
    );
  };
  const close = h(
    'button',
    { class: 'icon-btn', 'aria-label': 'Close comparison', title: 'Close comparison', 'data-focus-key': 'compare-close' },
    icon('close'),
  );
  close.addEventListener('click', () => a.toggleCompare(st.compareWith!));
  root.append(
    h('div', { class: 'compare-head' }, h('h2', { id: 'compare-title' }, 'Side by side'), close),
    h('div', { class: 'compare-cols' }, col(st.current, left, 'Shown'), col(st.compareWith, right, 'Compared')),
  );
}
