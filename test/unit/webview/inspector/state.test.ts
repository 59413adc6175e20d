import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PathStep, SamplingSettings } from '../../../../webview/protocol';
import { SAMPLING_DEFAULTS } from '../../../../sampling/settings';
import { InspectorState } from '../../../../webview/inspector/state';

const S: SamplingSettings = { ...SAMPLING_DEFAULTS, temperature: 1, topK: 0, topP: 1, minP: 0, repetitionPenalty: 1 };
const step = (position: number, id: number): PathStep => ({
  position,
  id,
  text: `t${id}`,
  bytes: [],
  partial: false,
  rawProb: 0.6,
  finalProb: 0.6,
  entropy: 0.9,
  draw: 0.3,
  rank: 1,
  alternatives: [
    { id, text: `t${id}`, rawProb: 0.6, finalProb: 0.6 },
    { id: 500, text: 'other', rawProb: 0.3, finalProb: 0.3 },
    { id: 501, text: 'rare', rawProb: 0.1, finalProb: 0.1 },
  ],
});

function loaded(): InspectorState {
  const st = new InspectorState(S);
  st.apply({ type: 'init', sampling: S, defaults: S, modelName: 'm', topN: 20 });
  st.apply({ type: 'generation-start', meta: { generationId: 7, prompt: 'p', sampling: S, origin: 'prompt' } });
  for (let i = 0; i < 3; i++) st.apply({ type: 'token', generationId: 7, step: step(i, 10 + i) });
  st.apply({ type: 'generation-done', generationId: 7, stopReason: 'length' });
  return st;
}

test('with the generation settings the reported distribution is shown', () => {
  const st = loaded();
  st.selectedPosition = 1;
  const d = st.shownDistribution()!;
  assert.equal(d.source, 'reported');
  assert.equal(d.chosenId, 11);
  assert.deepEqual(
    d.alternatives.map((a) => a.finalProb),
    [0.6, 0.3, 0.1],
  );
  assert.equal(st.requestExact(), undefined, 'no resample needed for unchanged settings');
});

test('a control change re-renders the selected step locally at once, then asks for the exact resample', () => {
  const st = loaded();
  st.selectedPosition = 1;
  st.sampling = { ...S, temperature: 2 };
  const d = st.shownDistribution()!;
  assert.equal(d.source, 'local');
  assert.ok(d.alternatives[0].finalProb < 0.6, 'flatter at T=2');
  const req = st.requestExact()!;
  assert.deepEqual({ generationId: req.generationId, position: req.position }, { generationId: 7, position: 1 });
  assert.equal(st.requestExact(), undefined, 'the same request is not sent twice');
  const exact: PathStep = {
    ...step(1, 11),
    alternatives: [
      { id: 11, text: 't11', rawProb: 0.6, finalProb: 0.45 },
      { id: 500, text: 'other', rawProb: 0.3, finalProb: 0.35 },
      { id: 501, text: 'rare', rawProb: 0.1, finalProb: 0.2 },
    ],
  };
  assert.ok(st.apply({ type: 'resampled', requestId: req.requestId, generationId: 7, step: exact }));
  const e = st.shownDistribution()!;
  assert.equal(e.source, 'exact');
  assert.deepEqual(
    e.alternatives.map((a) => a.finalProb),
    [0.45, 0.35, 0.2],
  );
  // Another change goes back to the local view until its own exact answer arrives.
  st.sampling = { ...S, temperature: 0.5 };
  assert.equal(st.shownDistribution()!.source, 'local');
  // A stale answer is ignored.
  assert.equal(st.apply({ type: 'resampled', requestId: req.requestId, generationId: 7, step: exact }), false);
});

test('keyboard selection moves within the tokens', () => {
  const st = loaded();
  st.selectedPosition = undefined;
  st.moveSelection(1);
  assert.equal(st.selectedPosition, 0);
  st.moveSelection(5);
  assert.equal(st.selectedPosition, 2);
  st.moveSelection(-1);
  assert.equal(st.selectedPosition, 1);
});

test('on a branch, early tokens belong to the parent and later ones to the branch', () => {
  const st = loaded();
  st.apply({
    type: 'generation-start',
    meta: { generationId: 8, prompt: 'p', sampling: S, origin: 'branch', parent: { generationId: 7, position: 1 }, forcedText: 'other' },
  });
  st.apply({ type: 'token', generationId: 8, step: { ...step(1, 500), forced: true } });
  st.apply({ type: 'token', generationId: 8, step: step(2, 77) });
  assert.equal(st.current, 8);
  assert.deepEqual(
    st.pathSteps().map((s) => s.id),
    [10, 500, 77],
  );
  st.selectedPosition = 0;
  assert.equal(st.selection()!.owner, 7);
  st.selectedPosition = 2;
  assert.equal(st.selection()!.owner, 8);
  assert.deepEqual(st.selection()!.history, [10, 500]);
});
