// The sampling controls: a slider and a number box per setting (ranges and help from the sampling table),
// what happened to a typed value (clamped to the valid range, refused), and where in the pipeline each
// setting applies. Built once; later updates only sync the values so focus and drag survive.
import { h, icon } from '../shared/dom';
import { CONTROLS, type ControlSpec } from '../shared/controls';
import type { Actions } from './actions';
import type { InspectorState } from './state';

/** Where a setting applies, when its help alone would leave it open (the cutters see tempered probabilities). */
const ORDER_NOTES: Partial<Record<ControlSpec['key'], string>> = {
  topK: 'Applied after the penalties and temperature.',
  topP: 'Applied after temperature and top-k, to what they left.',
  minP: 'Applied after temperature, top-k and top-p: the fraction is of the top token’s probability after temperature.',
};

export function renderControls(root: HTMLElement, st: InspectorState, a: Actions): void {
  if (root.childElementCount) return syncControls(root, st);
  root.appendChild(h('h2', {}, 'Sampling'));
  root.appendChild(
    h(
      'p',
      { class: 'hint order' },
      'Applied in this order: penalties → temperature → top-k → top-p → min-p → draw. A change redraws the selected step from its kept logits (no model run).',
    ),
  );
  for (const spec of CONTROLS) root.appendChild(control(spec, a));
  const all = h('button', { class: 'secondary', id: 'reset-all' }, icon('discard'), ' Reset all to defaults');
  all.addEventListener('click', () => a.resetAll());
  root.appendChild(all);
  syncControls(root, st);
}

function control(spec: ControlSpec, a: Actions): HTMLElement {
  const id = `ctl-${spec.key}`;
  const helpId = `${id}-help`;
  const noteId = `${id}-note`;
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
          'aria-describedby': `${helpId} ${noteId}`,
        });
  const num = h('input', {
    type: 'number',
    id,
    min: spec.valid.min,
    max: spec.valid.max,
    step: spec.step,
    'aria-describedby': `${helpId} ${noteId}`,
    placeholder: spec.key === 'seed' ? 'random' : '',
    title: `Valid: ${spec.valid.min} to ${spec.valid.max}${spec.valid.integer ? ', whole numbers' : ''}`,
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
  const help = ORDER_NOTES[spec.key] ? `${spec.help} ${ORDER_NOTES[spec.key]}` : spec.help;
  return h(
    'div',
    { class: 'control', 'data-key': spec.key },
    h('label', { for: id }, spec.label),
    range ?? h('span'),
    num,
    reset,
    h('div', { class: 'help', id: helpId }, help),
    h('div', { class: 'note', id: noteId, role: 'status', hidden: true }),
  );
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
    // A value past the slider's end (typed in) leaves the slider at its end: say so.
    const beyond = range && v !== undefined && (v > spec.max || v < spec.min) ? ` ${v} is past the slider’s ${spec.min}–${spec.max}.` : '';
    const note = `${st.controlNotes.get(spec.key) ?? ''}${beyond}`.trim();
    const el = root.querySelector<HTMLElement>(`#ctl-${spec.key}-note`)!;
    el.hidden = !note;
    if (el.textContent !== note) el.textContent = note;
  }
}
