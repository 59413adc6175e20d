// Inspector webview entry: builds the layout, feeds host messages to the state, and turns user
// actions into messages. Control changes redraw the selected step at once from the kept
// probabilities, then ask the host for the worker's exact resample (still no model run).
import type { InspectorHostToView, InspectorViewToHost } from '../protocol';
import type { ColorMode } from '../shared/colors';
import { parseControl, withValue } from '../shared/controls';
import { SAMPLING_DEFAULTS } from '../../sampling/settings';
import { h, icon } from '../shared/dom';
import { channel } from '../shared/vscode-api';
import { renderChips, renderCompare, renderControls, renderDetails, renderSummary, renderTree, type Actions } from './render';
import { InspectorState } from './state';

const vscode = channel<InspectorViewToHost>();
const st = new InspectorState(SAMPLING_DEFAULTS);
/** The path position of the token under the pointer, shown instead of the selected one. */
let hoveredPosition: number | undefined;

const prompt = h('textarea', { id: 'prompt', rows: 3, 'aria-label': 'Prompt', placeholder: 'Prompt to generate from…' });
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
const compare = h('section', { id: 'compare', class: 'compare', 'aria-label': 'Comparison' });
const errorBox = h('div', { id: 'error', class: 'error', role: 'alert', hidden: true });

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
    h('div', { class: 'work' }, h('section', { class: 'tokens', 'aria-label': 'Completion' }, chips, summary), details),
    compare,
    h('div', { class: 'side' }, controls, tree),
  ),
);

function shownPosition(): number | undefined {
  return hoveredPosition ?? st.selectedPosition;
}

function render(): void {
  const position = shownPosition();
  renderChips(chips, st, position, actions);
  renderSummary(summary, st, position, actions);
  renderDetails(details, st, position, actions);
  renderControls(controls, st, actions);
  renderTree(tree, st, actions);
  renderCompare(compare, st, actions);
  renderLegend();
  errorBox.hidden = !st.error;
  errorBox.textContent = st.error ?? '';
  modeProb.setAttribute('aria-pressed', String(st.colorMode === 'probability'));
  modeRank.setAttribute('aria-pressed', String(st.colorMode === 'rank'));
  vscode.setState({ colorMode: st.colorMode });
}

function renderLegend(): void {
  legend.textContent = '';
  const items: [string, string][] =
    st.colorMode === 'probability'
      ? [
          ['p0', '≥80%'],
          ['p1', '≥50%'],
          ['p2', '≥20%'],
          ['p3', '≥5%'],
          ['p4', '<5%'],
        ]
      : [
          ['r-top10', 'top 10'],
          ['r-top100', 'top 100'],
          ['r-top1000', 'top 1000'],
          ['r-rest', 'rest'],
        ];
  for (const [cls, text] of items) legend.appendChild(h('span', { class: `chip legend ${cls}` }, text));
}

/** Local redraw now, exact worker resample after. */
function settingsChanged(commit: boolean): void {
  render();
  const req = st.requestExact();
  if (req) vscode.post({ type: 'resample-step', ...req, sampling: st.sampling });
  if (commit) vscode.post({ type: 'save-settings', sampling: st.sampling });
}

const actions: Actions = {
  selectPosition(position, focus) {
    hoveredPosition = undefined;
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
  setControl(spec, raw, commit) {
    const v = parseControl(spec, raw);
    if (v === undefined && spec.key !== 'seed') return;
    st.sampling = withValue(st.sampling, spec.key, v);
    settingsChanged(commit);
  },
  resetControl(spec) {
    st.sampling = withValue(st.sampling, spec.key, spec.key === 'seed' ? st.defaults.seed : st.defaults[spec.key]);
    settingsChanged(true);
  },
  resetAll() {
    st.sampling = { ...st.defaults };
    settingsChanged(true);
  },
  setColorMode(m: ColorMode) {
    st.colorMode = m;
    render();
  },
  showGeneration(id) {
    hoveredPosition = undefined;
    if (st.compareWith === id) st.compareWith = undefined;
    st.select(id, st.pathSteps(id).length ? 0 : undefined);
    render();
  },
  toggleAllAlternatives() {
    st.allAlternatives = !st.allAlternatives;
    render();
  },
  toggleCompare(id) {
    st.compareWith = st.compareWith === id ? undefined : id;
    render();
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
