import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestQueue } from '../../../model-runtime/request-queue';

test('interactive beats normal beats background; FIFO within a priority', () => {
  const q = new RequestQueue<{ id: number }>();
  q.push({ id: 1 }, 'background');
  q.push({ id: 2 }, 'normal');
  q.push({ id: 3 }, 'interactive');
  q.push({ id: 4 }, 'normal');
  q.push({ id: 5 }, 'interactive');
  assert.ok(q.hasHigherThan('normal'));
  assert.deepEqual([q.shift()!.id, q.shift()!.id], [3, 5]);
  assert.ok(!q.hasHigherThan('normal'));
  assert.equal(q.remove(4)!.id, 4);
  assert.equal(q.remove(99), undefined);
  assert.deepEqual([q.shift()!.id, q.shift()!.id, q.shift()], [2, 1, undefined]);
});
