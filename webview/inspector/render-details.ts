// The selected step: its numbers (raw and final, as generated and under changed settings), how it was
// chosen, the alternatives with raw and final probabilities, the cumulative distribution with the draw,
// and Resample. Token strings only through textContent (via h()).
import { cumulative } from '../../sampling/draw';
import type { PathStep } from '../protocol';
import { cdfChart, probBars } from '../shared/charts';
import { chipClass, RANK_BUCKET_LABELS, rankBucket } from '../shared/colors';
import { clear, h, icon } from '../shared/dom';
import { rovingList } from '../shared/roving';
import { formatProb } from '../shared/stats';
import { tokenLabel } from '../shared/token-text';
import type { Actions } from './actions';
import type { InspectorState, ShownAlternative, ShownDistribution } from './state';

/** Rows listed before "Show all": ten and the chosen one, so at a laptop's height the step's head, its chosen row and the controls stay in view together. */
const SHOWN_ALTERNATIVES = 10;
/** The alternative row that last held the keyboard, so a redraw keeps the Tab stop there. */
let lastFocusedAlt: number | undefined;

const HOW: Record<ShownDistribution['how'], (d: ShownDistribution) => string> = {
  sampled: (d) => `sampled: draw ${d.draw.toFixed(3)}`,
  greedy: () => 'greedy (temperature 0): the most likely token',
  forced: () => 'forced by a branch: no draw',
  resampled: (d) => `resampled: drawn again at ${d.draw.toFixed(3)}`,
};

export function renderDetails(root: HTMLElement, st: InspectorState, shownPosition: number | undefined, a: Actions): void {
  clear(root);
  const steps = st.pathSteps();
  const step = shownPosition !== undefined ? steps[shownPosition] : undefined;
  if (!step) {
    const hint = steps.length
      ? 'Click a token, or focus the tokens and use the arrow keys, to see its alternatives.'
      : 'Generate from a prompt to see each token with its alternatives.';
    root.appendChild(h('p', { class: 'hint' }, hint));
    return;
  }
  const saved = st.selectedPosition;
  st.selectedPosition = shownPosition;
  const dist = st.shownDistribution();
  const pending = st.exactPending();
  st.selectedPosition = saved;
  if (!dist) return;
  root.append(head(st, step, shownPosition!, dist));
  if (dist.changes.length) root.appendChild(changeNote(step, dist));
  root.append(sourceLine(dist, pending, step), barsLegend(dist));
  renderAlternatives(root, st, dist, a, unknownFinal(step, dist));
  renderDraw(root, dist, unknownFinal(step, dist));
  const resample = h(
    'button',
    {
      class: 'primary',
      id: 'resample-btn',
      'data-focus-key': 'resample',
      title: 'Keep the tokens before this step, draw this step again with the current settings, and continue (one model run)',
    },
    icon('refresh'),
    ' Resample from this step',
  );
  resample.addEventListener('click', () => a.regenerate());
  const xray = h(
    'button',
    {
      class: 'secondary',
      id: 'xray-btn',
      'data-focus-key': 'xray',
      title: 'What each layer would predict here, and where attention goes: the context before this token, as the model saw it',
    },
    icon('eye'),
    ' X-ray this step',
  );
  xray.addEventListener('click', () => a.xrayStep());
  root.appendChild(h('div', { class: 'actions' }, resample, xray));
}

/** What a remote server did not report, so the view shows it as unknown instead of a placeholder number. */
function unknownFinal(step: PathStep, d: ShownDistribution): boolean {
  return !!step.remote && d.source === 'reported';
}

function rankText(step: PathStep): string {
  const r = step.remote;
  if (!r) return `rank ${step.rank} (${RANK_BUCKET_LABELS[rankBucket(step.rank)]})`;
  if (r.probabilities === 'none') return 'rank not reported';
  const sent = step.alternatives.length - (r.rankLowerBound ? 1 : 0);
  return r.rankLowerBound ? `rank > ${sent} (past the server's top ${sent})` : `rank ${step.rank} of the server's top ${sent}`;
}

function howText(step: PathStep, d: ShownDistribution): string {
  if (step.remote && d.how === 'sampled' && d.source === 'reported')
    return `drawn by the server (${step.remote.source}): its draw is not reported`;
  return HOW[d.how](d);
}

function head(st: InspectorState, step: PathStep, position: number, d: ShownDistribution): HTMLElement {
  const lab = tokenLabel(step);
  const changed = d.changes.length > 0;
  const remote = step.remote;
  return h(
    'div',
    { class: 'detail-head', id: 'detail-head' },
    h('span', { class: `chip big ${chipClass(st.colorMode, step)} kind-${lab.kind}` }, lab.label),
    h('span', { class: 'kv' }, `step ${position}`),
    h(
      'span',
      { class: 'kv', id: 'head-raw', title: 'The model’s probability, before any sampling setting' },
      remote?.probabilities === 'none' ? 'raw p not reported' : `raw p ${formatProb(step.rawProb)}`,
    ),
    h(
      'span',
      { class: 'kv', id: 'head-final', title: 'After penalties, temperature, top-k, top-p and min-p, as generated' },
      remote ? 'final p not reported' : `final p ${formatProb(step.finalProb)}${changed ? ' as generated' : ''}`,
    ),
    changed
      ? h(
          'span',
          { class: 'kv now', id: 'head-now', title: 'Final probability under the current settings' },
          `→ ${formatProb(d.chosenFinal)} now`,
        )
      : null,
    h('span', { class: 'kv', id: 'head-rank' }, rankText(step)),
    h(
      'span',
      { class: 'kv', title: remote ? 'Over the alternatives the server sent: the whole distribution’s is at least this' : undefined },
      `entropy ${remote ? '≥ ' : ''}${step.entropy.toFixed(2)} nats`,
    ),
    h('span', { class: `badge how-${d.how}`, id: 'step-how' }, howText(step, d)),
    step.partial ? h('span', { class: 'badge' }, 'partial UTF-8') : null,
  );
}

/** Before and after for the selected step when the controls differ from the generation's settings. */
function changeNote(step: PathStep, d: ShownDistribution): HTMLElement {
  const tok = JSON.stringify(step.text);
  const parts = [
    `Settings changed since this token was generated: ${d.changes.join(', ')}.`,
    ` Final p of ${tok}: ${formatProb(step.finalProb)} → ${formatProb(d.chosenFinal)}.`,
  ];
  if (d.nowPicks) {
    const same = d.nowPicks.id === d.chosenId;
    const what = d.source === 'exact' ? `The worker’s draw ${d.nowPicks.draw.toFixed(3)}` : `The same draw ${d.nowPicks.draw.toFixed(3)}`;
    parts.push(same ? ` ${what} still picks ${tok}.` : ` ${what} would now pick ${JSON.stringify(d.nowPicks.text)}.`);
  } else if (d.settings.temperature === 0) parts.push(' Greedy now: the most likely token would be taken.');
  return h('div', { class: 'change-note', id: 'change-note', role: 'status' }, icon('diff'), ' ', parts.join(''));
}

/** For a remote step: where its numbers came from and what the server left out. */
function remoteSource(step: PathStep, d: ShownDistribution): string {
  const r = step.remote!;
  if (r.probabilities === 'none')
    return `From ${r.source}: this text came without probabilities (the server ignored the request for them).`;
  const kind = r.probabilities === 'raw' ? 'raw probabilities' : 'probabilities after its samplers';
  const from = `From ${r.source}: the chosen token and the top alternatives with their ${kind}.`;
  if (d.source === 'reported') return `${from} Not reported by the server: its cutters, the final probabilities and the draw.`;
  return `${from} Now: approximate, the current settings re-applied to those alternatives alone (renormalised over them).`;
}

function sourceLine(d: ShownDistribution, pending: boolean, step: PathStep): HTMLElement {
  let text: string;
  if (step.remote) text = remoteSource(step, d);
  else if (d.source === 'reported') text = 'Final probabilities as generated.';
  else if (d.source === 'exact') text = 'Final probabilities now: exact, re-applied to the kept logits by the worker (no model run).';
  else if (d.exactUnavailable)
    text = `Final probabilities now: estimated from the kept top-N probabilities; no exact redraw (${d.exactUnavailable}).`;
  else
    text = pending
      ? 'Final probabilities now: estimated from the kept top-N probabilities (no model run); exact redraw on its way.'
      : 'Final probabilities now: estimated from the kept top-N probabilities (no model run).';
  const cls = d.source === 'local' ? (d.exactUnavailable ? 'src-estimate' : 'src-local') : `src-${d.source}`;
  return h('div', { class: `dist-source ${cls}`, id: 'dist-source' }, icon(d.source === 'local' ? 'sync' : 'check'), ' ', text);
}

function barsLegend(d: ShownDistribution): HTMLElement {
  return h(
    'div',
    { class: 'legend bars-legend', 'aria-hidden': 'true' },
    h('i', { class: 'sw raw' }),
    'raw: the model ',
    h('i', { class: 'sw final' }),
    d.changes.length ? 'final now: after the current settings' : 'final: after penalties, temperature, top-k, top-p, min-p',
  );
}

function renderAlternatives(root: HTMLElement, st: InspectorState, d: ShownDistribution, a: Actions, unknown: boolean): void {
  const changed = d.changes.length > 0;
  const list = h('div', {
    class: `alts${changed ? ' changed' : ''}`,
    id: 'alts',
    role: 'group',
    'aria-label': 'Alternatives: arrow keys move, Enter on one branches on it (runs the model)',
  });
  list.appendChild(
    h(
      'div',
      { class: 'alt header', 'aria-hidden': 'true' },
      h('span', {}, 'token'),
      h('span', {}, ''),
      h('span', { class: 'num' }, 'raw'),
      changed ? h('span', { class: 'num', title: 'Final probability as generated' }, 'then') : null,
      h('span', { class: 'num' }, changed ? 'now' : 'final'),
      h('span', {}, ''),
    ),
  );
  const sorted = [...d.alternatives].sort((x, y) => y.rawProb - x.rawProb);
  const alts = st.allAlternatives ? sorted : sorted.filter((x, i) => i < SHOWN_ALTERNATIVES || x.id === d.chosenId);
  const scale = Math.max(...alts.map((x) => Math.max(x.rawProb, x.finalProb)), 1e-9);
  const rows = alts.map((alt) => altRow(alt, d, { changed, unknown }, scale, a));
  for (const r of rows) list.appendChild(r);
  const chosen = rows.find((r) => r.classList.contains('chosen'));
  const last = rows.find((r) => Number(r.dataset.tokenId) === lastFocusedAlt);
  rovingList(list, rows, last ?? chosen);
  list.addEventListener('focusin', (e) => {
    const id = (e.target as HTMLElement).dataset.tokenId;
    if (id !== undefined) lastFocusedAlt = Number(id);
  });
  if (!alts.some((x) => x.id === d.chosenId))
    list.appendChild(h('div', { class: 'hint' }, `The chosen token is past the top ${sorted.length} alternatives.`));
  root.appendChild(list);
  if (sorted.length > SHOWN_ALTERNATIVES) {
    const more = h(
      'button',
      { class: 'secondary', id: 'show-all', 'data-focus-key': 'show-all', 'aria-expanded': String(st.allAlternatives) },
      st.allAlternatives ? `Show the top ${SHOWN_ALTERNATIVES}` : `Show all ${sorted.length} alternatives`,
    );
    more.addEventListener('click', () => a.toggleAllAlternatives());
    root.appendChild(more);
  }
}

/** `unknown`: a remote step as generated, whose final probabilities the server did not report. */
function altRow(
  alt: ShownAlternative,
  d: ShownDistribution,
  how: { changed: boolean; unknown: boolean },
  scale: number,
  a: Actions,
): HTMLElement {
  const { changed, unknown } = how;
  const l = tokenLabel({ text: alt.text });
  const chosen = alt.id === d.chosenId;
  const removed = !!alt.removedBy;
  const final = unknown ? 'not reported' : removed ? `removed by ${alt.removedBy}` : formatProb(alt.finalProb);
  const was = changed ? `, ${alt.wasRemovedBy ? `removed by ${alt.wasRemovedBy}` : formatProb(alt.wasFinal ?? 0)} as generated` : '';
  const row = h(
    'button',
    {
      class: `alt${chosen ? ' chosen' : ''}${removed ? ' removed' : ''}${d.nowPicks?.id === alt.id && !chosen ? ' picks' : ''}`,
      'data-token-id': alt.id,
      'data-focus-key': `alt-${alt.id}`,
      'aria-label': `${chosen ? 'Chosen token ' : 'Branch on '}${l.description}: raw ${formatProb(alt.rawProb)}, final ${changed ? 'now ' : ''}${final}${was}`,
      title: chosen ? 'The generated token' : 'Click to branch: force this token here and generate the rest from it (one model run)',
    },
    h('span', { class: `tok kind-${l.kind}` }, l.label),
    probBars(alt.rawProb, unknown ? 0 : alt.finalProb, removed, scale),
    h('span', { class: 'num' }, formatProb(alt.rawProb)),
    changed ? h('span', { class: 'num was' }, alt.wasRemovedBy ? '—' : formatProb(alt.wasFinal ?? 0)) : null,
    h(
      'span',
      { class: 'num', title: unknown ? 'The server does not report final probabilities' : undefined },
      unknown ? '?' : removed ? '—' : formatProb(alt.finalProb),
    ),
    h('span', { class: 'tag' }, tag(alt, chosen, removed)),
  );
  // The chosen row is a button too, so the arrow keys walk through it; clicking it does nothing.
  if (!chosen) row.addEventListener('click', () => a.branch(alt.id, alt.text));
  return row;
}

function tag(alt: ShownAlternative, chosen: boolean, removed: boolean): HTMLElement {
  if (chosen)
    return h('span', { class: 'badge chosen', title: 'The generated token' }, icon('check'), h('span', { class: 'word' }, ' chosen'));
  if (removed) return h('span', { class: 'badge removed', title: `removed by ${alt.removedBy}` }, `✕ ${alt.removedBy}`);
  return h('span', { class: 'branch-hint' }, icon('git-branch'), ' branch');
}

function renderDraw(root: HTMLElement, d: ShownDistribution, unknown: boolean): void {
  if (unknown) {
    const why = 'Cumulative final distribution: not shown, since the server reports neither its final probabilities nor its draw';
    root.appendChild(h('div', { class: 'cdf-title', id: 'cdf-title' }, why));
    return;
  }
  const cdf = cumulative(d.alternatives);
  const draw = d.nowPicks?.draw ?? d.draw;
  const show = draw > 0 && d.settings.temperature > 0 && (d.how === 'sampled' || d.how === 'resampled');
  let title = 'Cumulative final distribution';
  if (show) title += d.changes.length ? ' now, and where the draw lands on it' : ' and the draw that picked the token';
  else if (d.how === 'forced') title += ' (a forced token: nothing was drawn)';
  else if (d.how === 'greedy' || d.settings.temperature === 0) title += ' (greedy: nothing is drawn)';
  root.appendChild(h('div', { class: 'cdf-title', id: 'cdf-title' }, title));
  root.appendChild(cdfChart(cdf, d.chosenId, draw, show, d.nowPicks?.id));
}
