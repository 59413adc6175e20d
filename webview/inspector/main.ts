// Inspector webview entry: builds the layout, feeds host messages to the state, and turns user
// actions into messages. Control changes redraw the selected step at once from the kept
// probabilities, then ask the host for the worker's exact resample (still no model run).
import type { InspectorHostToView, InspectorViewToHost } from '../protocol';
import type { ColorMode } from '../shared/colors';
import { type ControlSpec, parseControl, withValue } from '../shared/controls';
import { SAMPLING_DEFAULTS } from '../../sampling/settings';
import { h, icon } from '../shared/dom';
import { channel } from '../shared/vscode-api';
import type { Actions } from './actions';
import { renderControls } from './render-controls';
import { renderDetails } from './render-details';
import { renderChips, renderLegend, renderSummary } from './render-tokens';
import { renderCompare, renderTree } from './render-tree';
import { InspectorState } from './state';

const vscode = channel<InspectorViewToHost>();
const st = new InspectorState(SAMPLING_DEFAULTS);
/** The path position of the token under the pointer, shown instead of the selected one. */
let hoveredPosition: number | undefined;

const prompt = h('textarea', { id: 'prompt', rows: 2, 'aria-label': 'Prompt', placeholder: 'Prompt to generate from… (Ctrl+Enter)' });
const genBtn = h('button', { class: 'primary', id: 'generate' }, icon('play'), ' Generate');
const stopBtn = h('button', { class: 'secondary', id: 'stop' }, icon('debug-stop'), ' Stop');
const modeProb = h('button', { class: 'seg-btn', id: 'mode-probability', 'aria-pressed': 'true' }, 'Probability');
const modeRank = h('button', { class: 'seg-btn', id: 'mode-rank', 'aria-pressed': 'false' }, 'Rank (GLTR)');
const legend = h('div', { class: 'legend-row', id: 'legend', 'aria-live': 'off' });
const chips = h('div', {
  id: 'chips',
  class: 'chips',
  role: 'listbox',
  tabindex: 0,
  'aria-label': 'Generated tokens; use the arrow keys to select one',
});
const summary = h('div', { id: 'summary', class: 'summary' });
const details = h('section', { id: 'details', class: 'details', 'aria-label': 'Selected token', 'aria-live': 'polite' });
const controls = h('section', { id: 'controls', class: 'controls', 'aria-label': 'Sampling settings' });
const tree = h('section', { id: 'tree', class: 'tree', 'aria-label': 'Branches' });
const compare = h('section', { id: 'compare', class: 'compare', 'aria-labelledby': 'compare-title' });
const errorBox = h('div', { id: 'error', class: 'error', role: 'alert', hidden: true });
// Three panes that scroll on their own: the selected step's detail and the controls stay in view next to
// (or, narrow, right under) the tokens they explain, whatever the panel's width.
const detailsPane = h('div', { class: 'pane pane-details' }, details);

document.body.appendChild(
  h(
    'main',
    { class: 'inspector' },
    h(
      'header',
      { class: 'toolbar' },
      prompt,
      h('div', { class: 'buttons' }, genBtn, stopBtn),
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Colour tokens by' }, modeProb, modeRank),
      legend,
    ),
    errorBox,
    h(
      'div',
      { class: 'panes' },
      h('section', { class: 'pane pane-tokens', 'aria-label': 'Completion' }, chips, summary, compare, tree),
      detailsPane,
      h('div', { class: 'pane pane-controls' }, controls),
    ),
  ),
);

function shownPosition(): number | undefined {
  return hoveredPosition ?? st.selectedPosition;
}

function render(): void {
  // Lists are rebuilt on every update: keep the keyboard focus on the same item (by its focus key).
  const focused = (document.activeElement as HTMLElement | null)?.dataset?.focusKey;
  const position = shownPosition();
  renderChips(chips, st, position, actions);
  renderSummary(summary, st, position, actions);
  renderDetails(details, st, position, actions);
  renderControls(controls, st, actions);
  renderTree(tree, st, actions);
  renderCompare(compare, st, actions);
  renderLegend(legend, st);
  errorBox.hidden = !st.error;
  errorBox.textContent = st.error ?? '';
  modeProb.setAttribute('aria-pressed', String(st.colorMode === 'probability'));
  modeRank.setAttribute('aria-pressed', String(st.colorMode === 'rank'));
  stopBtn.disabled = !st.running();
  if (focused && !document.activeElement?.isConnected) restoreFocus(focused);
  else if (focused && document.activeElement === document.body) restoreFocus(focused);
  vscode.setState({ colorMode: st.colorMode });
}

function restoreFocus(key: string): void {
  document.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`)?.focus({ preventScroll: true });
}

/** Says what became of a typed value: clamped to the table's valid range, rounded, or refused. */
function controlNote(spec: ControlSpec, raw: string, value: number | undefined): string | undefined {
  const t = raw.trim();
  if (t === '') return undefined;
  const n = Number(t);
  if (!Number.isFinite(n)) return `"${t}" is not a number; kept the previous value.`;
  if (value === undefined || value === n) return undefined;
  const { min, max } = spec.valid;
  if (n < min || n > max) return `${t} is outside ${min}–${max}: set to ${value}.`;
  return `${t} rounded to ${value} (whole numbers only).`;
}

/** Scrolls `pane` (not the page) so that `el` shows: a slider being dragged must stay where it is. */
function revealIn(pane: HTMLElement, el: Element | null): void {
  if (!el || pane.scrollHeight <= pane.clientHeight) return;
  const p = pane.getBoundingClientRect();
  const r = el.getBoundingClientRect();
  if (r.top < p.top) pane.scrollTop -= p.top - r.top;
  else if (r.bottom > p.bottom) pane.scrollTop += r.bottom - p.bottom;
}

/** Local redraw now, exact worker resample after. */
function settingsChanged(commit: boolean): void {
  // Registered before drawing, so the step says its exact redraw is on the way.
  const req = st.requestExact();
  render();
  revealIn(detailsPane, details.querySelector('.alt.chosen'));
  if (req) vscode.post({ type: 'resample-step', ...req, sampling: st.sampling });
  if (commit) vscode.post({ type: 'save-settings', sampling: st.sampling });
}

const actions: Actions = {
  selectPosition(position, focus) {
    hoveredPosition = undefined;
    if (st.selectedPosition !== position) detailsPane.scrollTop = 0;
    st.selectedPosition = position;
    settingsChanged(false);
    if (focus) chips.focus();
  },
  hoverPosition(position) {
    hoveredPosition = position;
    render();
  },
  branch(altId, altText) {
    const sel = st.selection();
    if (!sel) return;
    vscode.post({
      type: 'branch',
      generationId: sel.owner,
      position: sel.step.position,
      forcedToken: altId,
      forcedText: altText,
      sampling: st.sampling,
    });
  },
  regenerate() {
    const sel = st.selection();
    if (!sel) return;
    vscode.post({ type: 'regenerate-from', generationId: sel.owner, position: sel.step.position, sampling: st.sampling });
  },
  xrayStep() {
    const sel = st.selection();
    if (sel) vscode.post({ type: 'xray-step', generationId: sel.owner, position: sel.step.position });
  },
  setControl(spec, raw, commit) {
    const v = parseControl(spec, raw);
    const note = controlNote(spec, raw, v);
    if (note) st.controlNotes.set(spec.key, note);
    else st.controlNotes.delete(spec.key);
    const refused = v === undefined && (spec.key !== 'seed' || raw.trim() !== '');
    if (!refused) st.sampling = withValue(st.sampling, spec.key, v);
    // A typed value ends up as the value in force (clamped, rounded, or the previous one), in the box too.
    const num = document.getElementById(`ctl-${spec.key}`) as HTMLInputElement | null;
    if (commit && num) num.value = String(spec.key === 'seed' ? (st.sampling.seed ?? '') : st.sampling[spec.key]);
    if (refused) return render();
    settingsChanged(commit);
  },
  resetControl(spec) {
    st.controlNotes.delete(spec.key);
    st.sampling = withValue(st.sampling, spec.key, spec.key === 'seed' ? st.defaults.seed : st.defaults[spec.key]);
    settingsChanged(true);
  },
  resetAll() {
    st.controlNotes.clear();
    st.sampling = { ...st.defaults };
    settingsChanged(true);
  },
  setColorMode(m: ColorMode) {
    st.colorMode = m;
    render();
  },
  showGeneration(id) {
    hoveredPosition = undefined;
    // A comparison is of the shown generation: showing another closes it rather than leave it stale.
    if (st.current !== id) st.compareWith = undefined;
    const meta = st.tree.get(id)?.meta;
    st.select(id, st.pathSteps(id).length ? (meta?.parent?.position ?? 0) : undefined);
    detailsPane.scrollTop = 0;
    render();
  },
  toggleAllAlternatives() {
    st.allAlternatives = !st.allAlternatives;
    render();
  },
  toggleCompare(id) {
    st.compareWith = st.compareWith === id ? undefined : id;
    render();
    // The comparison opens above the tree: bring it into view.
    if (st.compareWith !== undefined) compare.scrollIntoView({ block: 'nearest' });
  },
};

chips.addEventListener('mouseleave', () => {
  hoveredPosition = undefined;
  render();
});
chips.addEventListener('keydown', (e) => {
  const n = st.pathSteps().length;
  const moves: Record<string, number> = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: -n, End: n };
  if (e.key in moves) {
    e.preventDefault();
    hoveredPosition = undefined;
    st.moveSelection(moves[e.key]);
    settingsChanged(false);
    document.getElementById(`chip-${st.selectedPosition}`)?.scrollIntoView({ block: 'nearest' });
  }
});
modeProb.addEventListener('click', () => actions.setColorMode('probability'));
modeRank.addEventListener('click', () => actions.setColorMode('rank'));
genBtn.addEventListener('click', () => {
  if (prompt.value.trim()) vscode.post({ type: 'generate', prompt: prompt.value, sampling: st.sampling });
});
prompt.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) genBtn.click();
});
stopBtn.addEventListener('click', () => vscode.post({ type: 'stop' }));

window.addEventListener('message', (ev: MessageEvent<InspectorHostToView>) => {
  const msg = ev.data;
  if (msg.type === 'prompt') prompt.value = msg.text;
  if (st.apply(msg)) render();
});

const saved = vscode.getState<{ colorMode?: ColorMode }>();
if (saved?.colorMode) st.colorMode = saved.colorMode;
render();
vscode.post({ type: 'ready' });
