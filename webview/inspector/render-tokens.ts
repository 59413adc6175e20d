// The inspector's token side: the chips of the shown generation, the summary numbers with the entropy
// strip, and the colour legend. Every token string goes through textContent (via h()).
import type { PathStep } from '../protocol';
import { entropyStrip } from '../shared/charts';
import { chipClass, type ColorMode } from '../shared/colors';
import { clear, h } from '../shared/dom';
import { formatProb, summarize } from '../shared/stats';
import { endsLine, tokenLabel } from '../shared/token-text';
import type { Actions } from './actions';
import type { InspectorState } from './state';

export function chip(
  step: PathStep,
  position: number,
  mode: ColorMode,
  selected: boolean,
  owner: 'own' | 'parent',
  a?: Actions,
): HTMLElement {
  const lab = tokenLabel(step);
  // A remote server reports no final probability, and the rank only within the alternatives it sent.
  const rank = step.remote?.rankLowerBound ? `> ${step.rank - 1}` : String(step.rank);
  const final = step.remote ? 'not reported' : formatProb(step.finalProb);
  const raw = step.remote?.probabilities === 'none' ? 'not reported' : formatProb(step.rawProb);
  const aria = `Token ${position + 1}: ${lab.description}, probability ${raw}, rank ${rank}`;
  const el = h(
    'span',
    {
      class: `chip ${chipClass(mode, step)} kind-${lab.kind}${selected ? ' selected' : ''}${step.forced ? ' forced' : ''}${owner === 'parent' ? ' inherited' : ''}`,
      role: a ? 'option' : undefined,
      id: a ? `chip-${position}` : undefined,
      'aria-selected': a ? String(selected) : undefined,
      'aria-label': aria,
      title: `${lab.description}\nraw p ${raw}, final p ${final}, rank ${rank}, entropy ${step.entropy.toFixed(2)} nats${step.forced ? '\nforced by a branch' : ''}`,
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
  if (node0 && !node0.done) root.appendChild(h('span', { class: 'cursor', 'aria-hidden': 'true' }, '▍'));
}

export function renderSummary(root: HTMLElement, st: InspectorState, shownPosition: number | undefined, a: Actions): void {
  clear(root);
  const steps = st.pathSteps();
  const sum = summarize(steps);
  const node = st.current !== undefined ? st.tree.get(st.current) : undefined;
  root.append(
    stat('Tokens', String(sum.tokens), 'stat-tokens'),
    stat('Perplexity', sum.tokens ? sum.perplexity.toFixed(2) : '–', 'stat-ppl', 'From the raw probabilities of the tokens shown'),
    stat('Mean log-prob', sum.tokens ? sum.meanLogProb.toFixed(3) : '–', 'stat-mlp', 'Mean natural log of the raw probabilities'),
    stat('Mean entropy', sum.tokens ? sum.meanEntropy.toFixed(2) + ' nats' : '–', 'stat-ent'),
    stat('Stop', node ? (node.done ? (node.stopReason ?? 'done') : 'generating…') : '–', 'stat-stop'),
    stat('Model runs', String(st.counters.generate), 'stat-generate', 'Generations, branches and Resample: each runs the model'),
    stat(
      'Redraws (no model run)',
      String(st.counters.resample),
      'stat-resample',
      'Control changes re-applied by the worker to a step’s kept logits; the model does not run',
    ),
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

function stat(label: string, value: string, id: string, title?: string): HTMLElement {
  return h('div', { class: 'stat', id, title }, h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-value' }, value));
}

const PROB_LEGEND: [string, string][] = [
  ['p0', '≥80%'],
  ['p1', '≥50%'],
  ['p2', '≥20%'],
  ['p3', '≥5%'],
  ['p4', '<5%'],
];
const RANK_LEGEND: [string, string][] = [
  ['r-top10', 'top 10'],
  ['r-top100', 'top 100'],
  ['r-top1000', 'top 1000'],
  ['r-rest', 'rest'],
];

/** The colour key, and why rank colours can look uniform: top-k caps the rank of every sampled token. */
export function renderLegend(root: HTMLElement, st: InspectorState): void {
  clear(root);
  const rank = st.colorMode === 'rank';
  root.appendChild(h('span', { class: 'legend-title' }, rank ? 'Rank of the token (GLTR):' : 'Raw probability:'));
  for (const [cls, text] of rank ? RANK_LEGEND : PROB_LEGEND) root.appendChild(h('span', { class: `chip legend ${cls}` }, text));
  const k = st.currentMeta()?.sampling.topK ?? 0;
  if (rank && k > 0 && k <= 100)
    root.appendChild(
      h(
        'span',
        { class: 'legend-note', id: 'gltr-note' },
        `Top-k ${k} kept only the ${k} most likely tokens at each step, so every sampled token is in the top ${k <= 10 ? 10 : 100}.`,
      ),
    );
}
