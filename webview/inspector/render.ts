// Draws the inspector from its state. Every token string goes through textContent (via h()).
import type { PathStep } from '../protocol';
import { cdfChart, entropyStrip, probBars } from '../shared/charts';
import { chipClass, RANK_BUCKET_LABELS, rankBucket, type ColorMode } from '../shared/colors';
import { CONTROLS, type ControlSpec } from '../shared/controls';
import { clear, h, icon } from '../shared/dom';
import { cumulative } from '../../sampling/draw';
import { formatProb, summarize } from '../shared/stats';
import { endsLine, tokenLabel } from '../shared/token-text';
import type { InspectorState } from './state';

export interface Actions {
  selectPosition(position: number, focus: boolean): void;
  hoverPosition(position: number | undefined): void;
  branch(altId: number, altText: string): void;
  regenerate(): void;
  setControl(spec: ControlSpec, raw: string, commit: boolean): void;
  resetControl(spec: ControlSpec): void;
  resetAll(): void;
  setColorMode(m: ColorMode): void;
  showGeneration(id: number): void;
  toggleCompare(id: number): void;
  toggleAllAlternatives(): void;
}

/** Rows listed before "Show all". */
const SHOWN_ALTERNATIVES = 20;

export function chip(
  step: PathStep,
  position: number,
  mode: ColorMode,
  selected: boolean,
  owner: 'own' | 'parent',
  a?: Actions,
): HTMLElement {
  const lab = tokenLabel(step);
  const aria = `Token ${position + 1}: ${lab.description}, probability ${formatProb(step.rawProb)}, rank ${step.rank}`;
  const el = h(
    'span',
    {
      class: `chip ${chipClass(mode, step)} kind-${lab.kind}${selected ? ' selected' : ''}${step.forced ? ' forced' : ''}${owner === 'parent' ? ' inherited' : ''}`,
      role: a ? 'option' : undefined,
      id: a ? `chip-${position}` : undefined,
      'aria-selected': a ? String(selected) : undefined,
      'aria-label': aria,
      title: `${lab.description}\np=${formatProb(step.rawProb)} (final ${formatProb(step.finalProb)}), rank ${step.rank}, entropy ${step.entropy.toFixed(2)} nats${step.forced ? '\nforced by a branch' : ''}`,
      'data-index': position,
    },
    lab.label,
  );
  if (a) {
    el.addEventListener('click', () => a.selectPosition(position, true));
    el.addEventListener('mouseenter', () => a.hoverPosition(position));
  }
  return el;
}

export function renderChips(root: HTMLElement, st: InspectorState, shownPosition: number | undefined, a: Actions): void {
  const steps = st.pathSteps();
  const node0 = st.current !== undefined ? st.tree.get(st.current) : undefined;
  // Rebuild only when the tokens change; a hover or selection just moves the highlight, so chips
  // under the pointer are not replaced.
  const key = `${st.current}:${steps.length}:${st.colorMode}:${node0?.done}:${steps.map((s) => s.id).join(',').length}`;
  if (root.dataset.key === key) {
    root.querySelectorAll('.chip.selected').forEach((c) => {
      c.classList.remove('selected');
      c.setAttribute('aria-selected', 'false');
    });
    const sel = shownPosition !== undefined ? root.querySelector(`#chip-${shownPosition}`) : null;
    sel?.classList.add('selected');
    sel?.setAttribute('aria-selected', 'true');
    root.setAttribute('aria-activedescendant', shownPosition !== undefined ? `chip-${shownPosition}` : '');
    return;
  }
  root.dataset.key = key;
  clear(root);
  const path = st.current === undefined ? undefined : st.tree.path(st.current);
  const meta = st.currentMeta();
  if (meta)
    root.appendChild(
      h('span', { class: 'prompt-echo', 'aria-label': 'Prompt' }, meta.prompt.length > 400 ? '…' + meta.prompt.slice(-400) : meta.prompt),
    );
  steps.forEach((step, position) => {
    const owner = path && path.owner[position] !== st.current ? 'parent' : 'own';
    root.appendChild(chip(step, position, st.colorMode, position === shownPosition, owner, a));
    if (endsLine(step.text)) root.appendChild(h('br'));
  });
  root.setAttribute('aria-activedescendant', shownPosition !== undefined ? `chip-${shownPosition}` : '');
  const node = st.current !== undefined ? st.tree.get(st.current) : undefined;
  if (node && !node.done) root.appendChild(h('span', { class: 'cursor', 'aria-hidden': 'true' }, '▍'));
}

export function renderSummary(root: HTMLElement, st: InspectorState, shownPosition: number | undefined, a: Actions): void {
  clear(root);
  const steps = st.pathSteps();
  const sum = summarize(steps);
  const node = st.current !== undefined ? st.tree.get(st.current) : undefined;
  root.append(
    stat('Tokens', String(sum.tokens), 'stat-tokens'),
    stat('Perplexity', sum.tokens ? sum.perplexity.toFixed(2) : '–', 'stat-ppl'),
    stat('Mean log-prob', sum.tokens ? sum.meanLogProb.toFixed(3) : '–', 'stat-mlp'),
    stat('Mean entropy', sum.tokens ? sum.meanEntropy.toFixed(2) + ' nats' : '–', 'stat-ent'),
    stat('Stop', node ? (node.done ? (node.stopReason ?? 'done') : 'generating…') : '–', 'stat-stop'),
    stat('Model runs', String(st.counters.generate), 'stat-generate'),
    stat('Resamples', String(st.counters.resample), 'stat-resample'),
  );
  if (steps.length) {
    root.appendChild(
      h(
        'div',
        { class: 'entropy-wrap', title: 'Entropy per token (click a bar to select)' },
        entropyStrip(
          steps.map((s) => s.entropy),
          shownPosition,
          (position) => a.selectPosition(position, false),
        ),
      ),
    );
  }
}

function stat(label: string, value: string, id: string): HTMLElement {
  return h('div', { class: 'stat', id }, h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-value' }, value));
}

export function renderDetails(root: HTMLElement, st: InspectorState, shownPosition: number | undefined, a: Actions): void {
  clear(root);
  const steps = st.pathSteps();
  const step = shownPosition !== undefined ? steps[shownPosition] : undefined;
  if (!step) {
    root.appendChild(
      h(
        'p',
        { class: 'hint' },
        steps.length
          ? 'Hover a token, or focus the tokens and use the arrow keys, to see its alternatives.'
          : 'Generate from a prompt to see each token with its alternatives.',
      ),
    );
    return;
  }
  const saved = st.selectedPosition;
  st.selectedPosition = shownPosition;
  const dist = st.shownDistribution();
  st.selectedPosition = saved;
  if (!dist) return;
  const lab = tokenLabel(step);
  root.append(
    h(
      'div',
      { class: 'detail-head' },
      h('span', { class: `chip big ${chipClass(st.colorMode, step)} kind-${lab.kind}` }, lab.label),
      h('span', { class: 'kv' }, `step ${shownPosition}`),
      h('span', { class: 'kv' }, `p ${formatProb(step.rawProb)} → ${formatProb(step.finalProb)}`),
      h('span', { class: 'kv' }, `rank ${step.rank} (${RANK_BUCKET_LABELS[rankBucket(step.rank)]})`),
      h('span', { class: 'kv' }, `entropy ${step.entropy.toFixed(2)} nats`),
      step.forced ? h('span', { class: 'badge' }, 'forced') : null,
      step.partial ? h('span', { class: 'badge' }, 'partial UTF-8') : null,
    ),
  );
  const sourceText = {
    reported: 'as generated',
    local: 'recomputed here from the kept top-N probabilities (no model run); exact resample pending',
    exact: 'exact: re-applied to the kept logits by the worker (no model run)',
  }[dist.source];
  root.appendChild(
    h(
      'div',
      { class: `dist-source src-${dist.source}`, id: 'dist-source' },
      icon(dist.source === 'local' ? 'sync' : 'check'),
      ' Final probabilities ',
      sourceText,
    ),
  );
  const list = h('div', { class: 'alts', role: 'list', 'aria-label': 'Alternatives (click one to branch on it)' });
  root.appendChild(
    h(
      'div',
      { class: 'legend bars-legend', 'aria-hidden': 'true' },
      h('i', { class: 'sw raw' }),
      'raw: the model ',
      h('i', { class: 'sw final' }),
      'final: after penalties, temperature, top-k, top-p, min-p',
    ),
  );
  list.appendChild(
    h(
      'div',
      { class: 'alt header', 'aria-hidden': 'true' },
      h('span', {}, 'token'),
      h('span', {}, ''),
      h('span', { class: 'num' }, 'raw'),
      h('span', { class: 'num' }, 'final'),
      h('span', {}, ''),
    ),
  );
  const sorted = [...dist.alternatives].sort((x, y) => y.rawProb - x.rawProb);
  const alts = st.allAlternatives ? sorted : sorted.filter((x, i) => i < SHOWN_ALTERNATIVES || x.id === dist.chosenId);
  const scale = Math.max(...alts.map((x) => Math.max(x.rawProb, x.finalProb)), 1e-9);
  for (const alt of alts) {
    const l = tokenLabel({ text: alt.text });
    const chosen = alt.id === dist.chosenId;
    const removed = !!alt.removedBy;
    const row = h(
      'button',
      {
        class: `alt${chosen ? ' chosen' : ''}${removed ? ' removed' : ''}`,
        role: 'listitem',
        'data-token-id': alt.id,
        'aria-label': `${chosen ? 'Chosen token ' : 'Branch on '}${l.description}: raw ${formatProb(alt.rawProb)}, final ${removed ? 'removed by ' + alt.removedBy : formatProb(alt.finalProb)}`,
        title: chosen ? 'The generated token' : 'Force this token here and generate from it (branch)',
      },
      h('span', { class: `tok kind-${l.kind}` }, l.label),
      probBars(alt.rawProb, alt.finalProb, removed, scale),
      h('span', { class: 'num' }, formatProb(alt.rawProb)),
      h('span', { class: 'num' }, removed ? '—' : formatProb(alt.finalProb)),
      h(
        'span',
        { class: 'tag' },
        chosen
          ? h('span', { class: 'badge chosen' }, icon('check'), ' chosen')
          : removed
            ? h('span', { class: 'badge removed', title: `removed by ${alt.removedBy}` }, `✕ ${alt.removedBy}`)
            : h('span', { class: 'branch-hint' }, icon('git-branch')),
      ),
    );
    if (!chosen) row.addEventListener('click', () => a.branch(alt.id, alt.text));
    list.appendChild(row);
  }
  if (!alts.some((x) => x.id === dist.chosenId))
    list.appendChild(h('div', { class: 'hint' }, `The chosen token is past the top ${sorted.length} alternatives.`));
  root.appendChild(list);
  if (sorted.length > SHOWN_ALTERNATIVES) {
    const more = h(
      'button',
      { class: 'secondary', id: 'show-all', 'aria-expanded': String(st.allAlternatives) },
      st.allAlternatives ? `Show the top ${SHOWN_ALTERNATIVES}` : `Show all ${sorted.length} alternatives`,
    );
    more.addEventListener('click', () => a.toggleAllAlternatives());
    root.appendChild(more);
  }
  const cdf = cumulative(dist.alternatives);
  root.appendChild(
    h(
      'div',
      { class: 'cdf-title' },
      'Cumulative final distribution',
      dist.source === 'reported' && dist.draw > 0 ? ' and the draw that picked the token' : '',
    ),
  );
  root.appendChild(
    cdfChart(
      cdf,
      dist.chosenId,
      dist.draw,
      dist.source === 'reported' && st.tree.get(st.ownerOf(shownPosition!) ?? -1)?.meta.sampling.temperature !== 0 && !step.forced,
    ),
  );
  root.appendChild(
    h(
      'div',
      { class: 'actions' },
      h(
        'button',
        {
          class: 'primary',
          id: 'resample-btn',
          title: 'Keep the tokens before this step, draw this step again with the current settings, and continue',
        },
        icon('refresh'),
        ' Resample from this step',
      ),
    ),
  );
  root.querySelector('#resample-btn')!.addEventListener('click', () => a.regenerate());
}

export function renderControls(root: HTMLElement, st: InspectorState, a: Actions): void {
  // Built once; values are synced by syncControls so focus and drag survive updates.
  if (root.childElementCount) return syncControls(root, st);
  root.appendChild(h('h2', {}, 'Sampling'));
  for (const spec of CONTROLS) {
    const id = `ctl-${spec.key}`;
    const helpId = `${id}-help`;
    const range =
      spec.key === 'seed'
        ? null
        : h('input', {
            type: 'range',
            id: `${id}-range`,
            min: spec.min,
            max: spec.max,
            step: spec.step,
            'aria-label': spec.label,
            'aria-describedby': helpId,
          });
    const num = h('input', {
      type: 'number',
      id,
      min: spec.valid.min,
      max: spec.valid.max,
      step: spec.step,
      'aria-describedby': helpId,
      placeholder: spec.key === 'seed' ? 'random' : '',
    });
    const reset = h(
      'button',
      { class: 'icon-btn', title: `Reset ${spec.label} to default`, 'aria-label': `Reset ${spec.label} to default` },
      icon('discard'),
    );
    range?.addEventListener('input', () => a.setControl(spec, range.value, false));
    range?.addEventListener('change', () => a.setControl(spec, range.value, true));
    num.addEventListener('change', () => a.setControl(spec, num.value, true));
    reset.addEventListener('click', () => a.resetControl(spec));
    root.appendChild(
      h(
        'div',
        { class: 'control', 'data-key': spec.key },
        h('label', { for: id }, spec.label),
        range ?? h('span'),
        num,
        reset,
        h('div', { class: 'help', id: helpId }, spec.help),
      ),
    );
  }
  const all = h('button', { class: 'secondary', id: 'reset-all' }, icon('discard'), ' Reset all to defaults');
  all.addEventListener('click', () => a.resetAll());
  root.appendChild(all);
  syncControls(root, st);
}

function syncControls(root: HTMLElement, st: InspectorState): void {
  for (const spec of CONTROLS) {
    const v = spec.key === 'seed' ? st.sampling.seed : st.sampling[spec.key];
    const d = spec.key === 'seed' ? st.defaults.seed : st.defaults[spec.key];
    const num = root.querySelector<HTMLInputElement>(`#ctl-${spec.key}`)!;
    const range = root.querySelector<HTMLInputElement>(`#ctl-${spec.key}-range`);
    const text = v === undefined ? '' : String(v);
    if (document.activeElement !== num && num.value !== text) num.value = text;
    if (range && document.activeElement !== range && v !== undefined) range.value = String(v);
    root.querySelector(`[data-key="${spec.key}"]`)!.classList.toggle('changed', v !== d);
  }
}

export function renderTree(root: HTMLElement, st: InspectorState, a: Actions): void {
  clear(root);
  root.appendChild(h('h2', {}, 'Branches'));
  const rows = st.tree.rows();
  if (!rows.length) {
    root.appendChild(h('p', { class: 'hint' }, 'Each generation, branch and resample appears here.'));
    return;
  }
  const ul = h('ul', { role: 'tree', 'aria-label': 'Generations and branches' });
  for (const r of rows) {
    const node = st.tree.get(r.id)!;
    const path = st.tree.path(r.id).steps;
    const sum = summarize(path);
    const show = h(
      'button',
      { class: `tree-item${r.id === st.current ? ' current' : ''}`, title: 'Show this generation', 'data-gen': r.id },
      icon(r.depth ? 'git-branch' : 'symbol-string'),
      ' ',
      r.label,
      h(
        'span',
        { class: 'muted' },
        ` · ${path.length} tok · ppl ${path.length ? sum.perplexity.toFixed(1) : '–'}${node.done ? '' : ' · …'}`,
      ),
    );
    show.addEventListener('click', () => a.showGeneration(r.id));
    const cmp = h(
      'button',
      {
        class: `icon-btn${st.compareWith === r.id ? ' on' : ''}`,
        title: 'Compare side by side with the shown generation',
        'aria-label': `Compare generation ${r.id} side by side`,
        'aria-pressed': String(st.compareWith === r.id),
      },
      icon('split-horizontal'),
    );
    cmp.addEventListener('click', () => a.toggleCompare(r.id));
    const li = h(
      'li',
      { role: 'treeitem', 'aria-level': r.depth + 1, 'aria-selected': String(r.id === st.current) },
      show,
      r.id === st.current ? null : cmp,
    );
    // CSSOM, not a style attribute: the CSP allows no inline styles.
    li.style.paddingLeft = `${r.depth * 14}px`;
    ul.appendChild(li);
  }
  root.appendChild(ul);
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
  const col = (id: number, steps: PathStep[]) => {
    const sum = summarize(steps);
    const body = h('div', { class: 'chips small' });
    steps.forEach((s, position) => {
      const c = chip(s, position, st.colorMode, false, position < common ? 'parent' : 'own');
      body.appendChild(c);
      if (endsLine(s.text)) body.appendChild(h('br'));
    });
    return h(
      'div',
      { class: 'compare-col' },
      h('h3', {}, st.tree.rows().find((r) => r.id === id)?.label ?? `#${id}`),
      h(
        'div',
        { class: 'muted' },
        `${steps.length} tokens · perplexity ${steps.length ? sum.perplexity.toFixed(2) : '–'} · mean log-prob ${sum.meanLogProb.toFixed(3)} · diverges at step ${common}`,
      ),
      body,
    );
  };
  const close = h('button', { class: 'icon-btn', 'aria-label': 'Close comparison', title: 'Close comparison' }, icon('close'));
  close.addEventListener('click', () => a.toggleCompare(st.compareWith!));
  root.append(
    h('div', { class: 'compare-head' }, h('h2', {}, 'Side by side'), close),
    h('div', { class: 'compare-cols' }, col(st.current, left), col(st.compareWith, right)),
  );
}
