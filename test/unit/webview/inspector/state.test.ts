import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PathStep } from '../../../../webview/protocol';
import { InspectorState } from '../../../../webview/inspector/state';
import { S, step } from './fixtures';

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

test('a failed exact redraw resolves the pending request, says why, and is not asked for again', () => {
  const st = loaded();
  st.selectedPosition = 1;
  st.sampling = { ...S, temperature: 2 };
  const req = st.requestExact()!;
  assert.ok(st.exactPending());
  assert.ok(st.apply({ type: 'resample-failed', requestId: req.requestId, generationId: 7, reason: 'generation 7 is no longer kept' }));
  assert.equal(st.exactPending(), false);
  const d = st.shownDistribution()!;
  assert.equal(d.source, 'local');
  assert.equal(d.exactUnavailable, 'generation 7 is no longer kept');
  assert.equal(st.error, undefined, 'no lasting error banner');
  st.sampling = { ...S, temperature: 3 };
  assert.equal(st.requestExact(), undefined);
});

test('generations the worker never kept (negative ids) get no exact request, and say so', () => {
  const st = new InspectorState(S);
  st.apply({ type: 'init', sampling: S, defaults: S, modelName: 'm', topN: 20 });
  st.apply({
    type: 'generation',
    meta: { generationId: -1, prompt: 'p', sampling: S, origin: 'prompt' },
    steps: [step(0, 10)],
    done: true,
  });
  st.selectedPosition = 0;
  st.sampling = { ...S, temperature: 2 };
  assert.equal(st.requestExact(), undefined);
  assert.match(st.shownDistribution()!.exactUnavailable ?? '', /does not keep/);
});

test('a control change shows before and after: the changed settings, final p then and now, where the same draw lands', () => {
  const st = loaded();
  st.selectedPosition = 1;
  st.sampling = { ...S, topK: 1 };
  const d = st.shownDistribution()!;
  assert.deepEqual(d.changes, ['Top-k 0 → 1']);
  assert.equal(d.how, 'sampled');
  assert.equal(d.chosenFinal, 1);
  const other = d.alternatives.find((a) => a.id === 500)!;
  assert.equal(other.wasFinal, 0.3);
  assert.equal(other.finalProb, 0);
  assert.equal(other.removedBy, 'top-k');
  assert.deepEqual(d.nowPicks, { id: 11, text: 't11', draw: 0.3 });
  // The draw 0.3 fell in the chosen token's 0..0.6; flattened, it lands elsewhere.
  st.sampling = { ...S, temperature: 5 };
  const flat = st.shownDistribution()!;
  assert.ok(flat.chosenFinal < 0.6);
});

test('a resample branch opens at the redrawn token, which is a draw, not a forced token; a new generation closes the comparison', () => {
  const st = loaded();
  st.compareWith = 7;
  st.apply({
    type: 'generation-start',
    meta: { generationId: 9, prompt: 'p', sampling: S, origin: 'resample', parent: { generationId: 7, position: 1 } },
  });
  assert.equal(st.compareWith, undefined);
  assert.ok(st.running());
  st.apply({ type: 'token', generationId: 9, step: { ...step(1, 501), draw: 0.95 } });
  assert.equal(st.selectedPosition, 1);
  const d = st.shownDistribution()!;
  assert.equal(d.how, 'resampled');
  assert.equal(d.draw, 0.95);
  st.apply({ type: 'generation-done', generationId: 9, stopReason: 'eos' });
  assert.equal(st.running(), false);
});

test('a forgotten generation leaves the view: a shown one gives way to the newest, a compared one is closed', () => {
  const st = loaded();
  st.apply({ type: 'generation', meta: { generationId: 8, prompt: 'q', sampling: S, origin: 'prompt' }, steps: [step(0, 20)], done: true });
  st.apply({ type: 'generation', meta: { generationId: 9, prompt: 'r', sampling: S, origin: 'prompt' }, steps: [step(0, 30)], done: true });
  st.select(7, 1);
  st.compareWith = 8;
  assert.ok(st.apply({ type: 'forget', generationIds: [7, 8] }));
  assert.deepEqual(
    st.tree.rows().map((r) => r.id),
    [9],
  );
  assert.equal(st.current, 9);
  assert.equal(st.selectedPosition, undefined);
  assert.equal(st.compareWith, undefined);
});
