import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oldestTrees } from '../../../../extension/inspector/forget';
import type { KeptGeneration } from '../../../../extension/inspector/panel-persistence';
import { SAMPLING_DEFAULTS } from '../../../../sampling/settings';

const gen = (generationId: number, parent?: number): [number, KeptGeneration] => [
  generationId,
  {
    meta: {
      generationId,
      prompt: 'p',
      sampling: SAMPLING_DEFAULTS,
      origin: parent ? 'branch' : 'prompt',
      parent: parent ? { generationId: parent, position: 1 } : undefined,
    },
    steps: [],
    done: true,
  },
];

test('the inspector lets the oldest trees go whole, never the tree of a kept generation', () => {
  // Trees in order of arrival: 1 (with branches 3 and 5, and 6 off 5), 2, 4; 9 branched from 8, which is gone.
  const gens = new Map([gen(1), gen(2), gen(3, 1), gen(4), gen(5, 1), gen(6, 5), gen(9, 8)]);
  assert.deepEqual(oldestTrees(gens, 7, new Set()), [], 'within the limit');
  assert.deepEqual(oldestTrees(gens, 6, new Set()), [1, 3, 5, 6], 'the oldest tree, with every branch of it');
  assert.deepEqual(oldestTrees(gens, 3, new Set()), [1, 3, 5, 6]);
  assert.deepEqual(oldestTrees(gens, 2, new Set()), [1, 3, 5, 6, 2]);
  assert.deepEqual(oldestTrees(gens, 6, new Set([6])), [2], 'a kept branch keeps its whole tree');
  assert.deepEqual(oldestTrees(gens, 0, new Set([9])), [1, 3, 5, 6, 2, 4], 'an orphaned branch is a tree of its own');
});
