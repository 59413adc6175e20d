import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type KeptGeneration, MAX_PERSISTED, restoreGenerations, toPersist } from '../../../../extension/inspector/panel-persistence';
import { SAMPLING_DEFAULTS } from '../../../../sampling/settings';

const gen = (generationId: number, parent?: { generationId: number; position: number }, done = true): KeptGeneration => ({
  meta: { generationId, prompt: `p${generationId}`, sampling: SAMPLING_DEFAULTS, origin: parent ? 'branch' : 'prompt', parent },
  steps: [],
  done,
});

test('only finished generations are kept, the newest ones', () => {
  const gens = [...Array.from({ length: MAX_PERSISTED + 3 }, (_, i) => gen(i + 1)), gen(99, undefined, false)];
  const kept = toPersist(gens);
  assert.equal(kept.length, MAX_PERSISTED);
  assert.deepEqual(
    kept.map((g) => g.meta.generationId),
    Array.from({ length: MAX_PERSISTED }, (_, i) => i + 4),
  );
});

test('restored generations get view-only ids and keep their branch links', () => {
  let next = -1;
  const restored = restoreGenerations(
    [gen(7), gen(9, { generationId: 7, position: 3 }), gen(12, { generationId: 5, position: 1 })],
    () => next--,
  );
  assert.deepEqual(
    restored.map((g) => g.meta.generationId),
    [-1, -2, -3],
  );
  assert.deepEqual(restored[1].meta.parent, { generationId: -1, position: 3 }, 'the branch points at its restored parent');
  assert.equal(restored[2].meta.parent, undefined, 'a branch whose parent was not kept becomes a root');
});
