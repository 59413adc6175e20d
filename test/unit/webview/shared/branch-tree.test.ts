import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GenerationMeta, PathStep } from '../../../../webview/protocol';
import { BranchTree } from '../../../../webview/shared/branch-tree';
import { SAMPLING_DEFAULTS } from '../../../../sampling/settings';

const st = (position: number, id: number): PathStep => ({
  position,
  id,
  text: `t${id}`,
  bytes: [],
  partial: false,
  rawProb: 0.5,
  finalProb: 0.5,
  entropy: 1,
  draw: 0.2,
  alternatives: [],
  rank: 1,
});
const meta = (generationId: number, parent?: { generationId: number; position: number }): GenerationMeta => ({
  generationId,
  prompt: 'p',
  sampling: SAMPLING_DEFAULTS,
  origin: parent ? 'branch' : 'prompt',
  parent,
  forcedText: 'x',
});

test('a branch path is the parent prefix then its own tokens', () => {
  const t = new BranchTree();
  t.add(meta(1), [st(0, 10), st(1, 11), st(2, 12), st(3, 13)], true);
  t.add(meta(2, { generationId: 1, position: 2 }));
  t.addStep(2, st(2, 99));
  t.addStep(2, st(3, 98));
  const p = t.path(2);
  assert.deepEqual(
    p.steps.map((s) => s.id),
    [10, 11, 99, 98],
  );
  assert.deepEqual(p.owner, [1, 1, 2, 2]);
});

test('a branch numbered from 0 by the worker is shifted to its branch point', () => {
  const t = new BranchTree();
  t.add(meta(1), [st(0, 10), st(1, 11), st(2, 12)], true);
  t.add(meta(2, { generationId: 1, position: 1 }), [st(0, 50), st(1, 51)]);
  assert.deepEqual(
    t.path(2).steps.map((s) => [s.position, s.id]),
    [
      [0, 10],
      [1, 50],
      [2, 51],
    ],
  );
});

test('nested branches form a tree and rows come out depth first', () => {
  const t = new BranchTree();
  t.add(meta(1), [st(0, 1), st(1, 2), st(2, 3)], true);
  t.add(meta(2, { generationId: 1, position: 1 }), [st(1, 7), st(2, 8)], true);
  t.add(meta(3, { generationId: 2, position: 2 }), [st(2, 9)], true);
  t.add(meta(4, { generationId: 1, position: 0 }), [st(0, 5)], true);
  t.add(meta(5), [st(0, 6)], true);
  assert.deepEqual(
    t.rows().map((r) => [r.id, r.depth]),
    [
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 1],
      [5, 0],
    ],
  );
  assert.deepEqual(
    t.path(3).steps.map((s) => s.id),
    [1, 7, 9],
  );
  assert.match(t.rows()[1].label, /branch at step 1/);
});

test('a step update replaces the step at the same position', () => {
  const t = new BranchTree();
  t.add(meta(1), [st(0, 1), st(1, 2)]);
  t.replaceStep(1, st(1, 42));
  assert.deepEqual(
    t.path(1).steps.map((s) => s.id),
    [1, 42],
  );
});

test('removing a tree drops its nodes and their rows; a branch left without its parent becomes a root', () => {
  const t = new BranchTree();
  t.add(meta(1), [st(0, 10), st(1, 11)], true);
  t.add(meta(2, { generationId: 1, position: 1 }), [st(1, 20)], true);
  t.add(meta(3), [st(0, 30)], true);
  t.add(meta(4, { generationId: 2, position: 1 }), [st(1, 40)], true);
  t.remove([1, 2]);
  assert.deepEqual(
    t.rows().map((r) => [r.id, r.depth]),
    [
      [3, 0],
      [4, 0],
    ],
  );
  assert.equal(t.has(1), false);
  assert.deepEqual(
    t.path(4).steps.map((s) => s.id),
    [40],
    'only its own tokens are left to show',
  );
});
