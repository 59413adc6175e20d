// The sampling controls on a fake DOM: one labelled slider and number box per setting, described by their
// help and a status note, built once and afterwards only synced (the focused box keeps what is typed);
// changed settings marked, values past the slider said, every input reported to the actions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderControls } from '../../../../webview/inspector/render-controls';
import { CONTROLS } from '../../../../webview/shared/controls';
import { fakeDocument } from '../fake-dom';
import { container, el, recorder, S, stateWith, step } from './fixtures';

function setup() {
  const st = stateWith([step(0, 10)]);
  const root = container();
  const r = recorder();
  renderControls(root, st, r.a);
  const $ = (sel: string) => el(root).querySelector(sel)!;
  return { st, root, $, ...r };
}

test('one control per setting, in the table’s order: label, slider, number box, reset, help, note', () => {
  const { root, $ } = setup();
  assert.equal(el(root).children[0].textContent, 'Sampling');
  assert.equal(
    el(root).children[1].textContent,
    'Applied in this order: penalties → temperature → top-k → top-p → min-p → draw. A change redraws the selected step from its kept logits (no model run).',
  );
  const controls = el(root).querySelectorAll('.control');
  assert.deepEqual(
    controls.map((c) => c.getAttribute('data-key')),
    CONTROLS.map((c) => c.key),
  );
  for (const spec of CONTROLS) {
    const id = `ctl-${spec.key}`;
    const label = $(`label[for="${id}"]`);
    assert.equal(label.textContent, spec.label);
    const num = $(`#${id}`);
    assert.deepEqual(
      ['type', 'min', 'max', 'step', 'aria-describedby'].map((k) => num.getAttribute(k)),
      ['number', String(spec.valid.min), String(spec.valid.max), String(spec.step), `${id}-help ${id}-note`],
    );
    const range = el(root).querySelector(`#${id}-range`);
    if (spec.key === 'seed') assert.equal(range, null);
    else
      assert.deepEqual(
        ['type', 'min', 'max', 'step', 'aria-label', 'aria-describedby'].map((k) => range!.getAttribute(k)),
        ['range', String(spec.min), String(spec.max), String(spec.step), spec.label, `${id}-help ${id}-note`],
      );
    const reset = $(`[data-key="${spec.key}"]`).querySelector('.icon-btn')!;
    assert.equal(reset.getAttribute('aria-label'), `Reset ${spec.label} to default`);
    assert.ok($(`#${id}-help`).textContent.startsWith(spec.help));
    const note = $(`#${id}-note`);
    assert.equal(note.getAttribute('role'), 'status');
    assert.equal(note.hidden, true);
  }
  // Concretely, for top-k: the slider stops at 200, the box takes whole numbers up to 100000.
  assert.equal($('#ctl-topK').getAttribute('title'), 'Valid: 0 to 100000, whole numbers');
  assert.equal($('#ctl-topK-range').getAttribute('max'), '200');
  assert.equal($('#ctl-temperature').getAttribute('title'), 'Valid: 0 to 5');
  assert.equal($('#ctl-seed').getAttribute('placeholder'), 'random');
  // The cutters say where they apply.
  assert.equal(
    $('#ctl-topK-help').textContent,
    'Keeps only the k most likely tokens; 0 disables. Applied after the penalties and temperature.',
  );
  assert.match($('#ctl-minP-help').textContent, /Applied after temperature, top-k and top-p/);
  assert.equal($('#ctl-temperature-help').textContent, 'Divides the logits: below 1 sharpens, above 1 flattens; 0 is greedy.');
  assert.equal($('#reset-all').textContent, ' Reset all to defaults');
});

test('the boxes and sliders show the current settings; an unset seed shows empty', () => {
  const { $ } = setup();
  assert.equal($('#ctl-temperature').value, String(S.temperature));
  assert.equal($('#ctl-temperature-range').value, String(S.temperature));
  assert.equal($('#ctl-maxTokens').value, String(S.maxTokens));
  assert.equal($('#ctl-seed').value, '');
  assert.equal(fakeDocument.activeElement, null);
});

test('later renders only sync: the same elements, new values, changed settings marked, the focused box left alone', () => {
  const { st, root, $, a } = setup();
  const before = el(root).children;
  st.sampling = { ...S, temperature: 1.3, topK: 40, seed: 7 };
  renderControls(root, st, a);
  assert.equal(el(root).children.length, before.length);
  assert.ok(el(root).children.every((c, i) => c === before[i]));
  assert.equal($('#ctl-temperature').value, '1.3');
  assert.equal($('#ctl-temperature-range').value, '1.3');
  assert.equal($('#ctl-seed').value, '7');
  assert.deepEqual(
    el(root)
      .querySelectorAll('.control')
      .filter((c) => c.classList.contains('changed'))
      .map((c) => c.getAttribute('data-key')),
    ['temperature', 'topK', 'seed'],
  );
  // While the user types in a box, a render does not overwrite it (nor drags the slider they hold).
  $('#ctl-topP').focus();
  $('#ctl-topP').value = '0.9';
  st.sampling = { ...st.sampling, topP: 0.5 };
  renderControls(root, st, a);
  assert.equal($('#ctl-topP').value, '0.9');
  assert.equal($('#ctl-topP-range').value, '0.5');
  $('#ctl-topP-range').focus();
  st.sampling = { ...st.sampling, topP: 0.7 };
  renderControls(root, st, a);
  assert.equal($('#ctl-topP').value, '0.7');
  assert.equal($('#ctl-topP-range').value, '0.5');
  // Back to the defaults: no longer marked.
  st.sampling = { ...S };
  renderControls(root, st, a);
  assert.equal(el(root).querySelectorAll('.changed').length, 0);
});

test('the note says what happened to a typed value, and when it is past the slider’s end; hidden when empty', () => {
  const { st, root, $, a } = setup();
  st.sampling = { ...S, temperature: 3 };
  st.controlNotes.set('topK', 'Refused "abc": not a number.');
  renderControls(root, st, a);
  assert.equal($('#ctl-temperature-note').textContent, '3 is past the slider’s 0–2.');
  assert.equal($('#ctl-temperature-note').hidden, false);
  assert.equal($('#ctl-topK-note').textContent, 'Refused "abc": not a number.');
  assert.equal($('#ctl-topK-note').hidden, false);
  st.controlNotes.set('temperature', 'Clamped to 5.');
  renderControls(root, st, a);
  assert.equal($('#ctl-temperature-note').textContent, 'Clamped to 5. 3 is past the slider’s 0–2.');
  st.sampling = { ...S };
  st.controlNotes.clear();
  renderControls(root, st, a);
  for (const spec of CONTROLS) {
    assert.equal($(`#ctl-${spec.key}-note`).hidden, true, spec.key);
    assert.equal($(`#ctl-${spec.key}-note`).textContent, '', spec.key);
  }
});

test('inputs reach the actions: a drag previews, a release or a typed value commits, resets reset', () => {
  const { $, calls } = setup();
  const spec = (key: string) => CONTROLS.find((c) => c.key === key)!;
  $('#ctl-temperature-range').value = '1.5';
  $('#ctl-temperature-range').dispatch('input');
  $('#ctl-temperature-range').dispatch('change');
  $('#ctl-topK').value = '12';
  $('#ctl-topK').dispatch('change');
  $('[data-key="minP"]').querySelector('.icon-btn')!.dispatch('click');
  $('#reset-all').dispatch('click');
  assert.deepEqual(calls, [
    ['setControl', spec('temperature'), '1.5', false],
    ['setControl', spec('temperature'), '1.5', true],
    ['setControl', spec('topK'), '12', true],
    ['resetControl', spec('minP')],
    ['resetAll'],
  ]);
});
