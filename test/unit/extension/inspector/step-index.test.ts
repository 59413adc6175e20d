import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StepIndex } from '../../../../extension/inspector/step-index';

test('a root generation keeps its numbering', () => {
  const ix = new StepIndex();
  ix.begin(1, 0);
  assert.equal(ix.toPosition(1, 0), 0);
  assert.equal(ix.toPosition(1, 5), 5);
  assert.equal(ix.toWorkerStep(1, 5), 5);
});

test('a branch numbered from 0 by the worker maps to path positions after the branch point', () => {
  const ix = new StepIndex();
  ix.begin(2, 4);
  assert.equal(ix.toPosition(2, 0), 4);
  assert.equal(ix.toPosition(2, 3), 7);
  assert.equal(ix.toWorkerStep(2, 7), 3);
});

test('a branch numbered from the branch point maps to itself', () => {
  const ix = new StepIndex();
  ix.begin(3, 4);
  assert.equal(ix.toPosition(3, 4), 4);
  assert.equal(ix.toWorkerStep(3, 6), 6);
});

test('a worker step shown in the inspector carries its path position, not the worker index', () => {
  const ix = new StepIndex();
  ix.begin(4, 2);
  const shown = ix.toPathStep(4, {
    index: 0,
    id: 9,
    text: 'x',
    bytes: [120],
    partial: false,
    rawProb: 1,
    finalProb: 1,
    entropy: 0,
    draw: 0,
    alternatives: [],
    rank: 1,
  });
  assert.equal(shown.position, 2);
  assert.equal('index' in shown, false);
});
