import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Cancellation,
  ContextEnd,
  EndOfSequence,
  endOfSequenceIds,
  MaxNewTokens,
  StoppingCriteriaList,
  StopStrings,
} from '../../../model-runtime/stopping';
import { TextStream } from '../../../model-runtime/text-stream';

const state = (ids: number[], produced = ids.length, promptLength = 3) => ({ promptLength, ids, produced });

test('each rule names its reason and holds only when it should', () => {
  const eos = new EndOfSequence(new Set([0]));
  assert.equal(eos.reason, 'eos');
  assert.equal(eos.check(state([5, 0])), true);
  assert.equal(eos.check(state([0, 5])), false);
  // A branch's earlier tokens are not this request's: before the first new one, EOS cannot hold.
  assert.equal(eos.check(state([0], 0)), false);

  const max = new MaxNewTokens(2);
  assert.equal(max.reason, 'length');
  assert.deepEqual([max.check(state([1])), max.check(state([1, 2])), max.check(state([7, 1, 2], 2))], [false, true, true]);
  assert.equal(new MaxNewTokens(0).check(state([])), true);

  const ctx = new ContextEnd(6);
  assert.equal(ctx.reason, 'length');
  assert.deepEqual([ctx.check(state([1, 2])), ctx.check(state([1, 2, 3]))], [false, true]);

  let cancelled = false;
  const cancel = new Cancellation(() => cancelled);
  assert.equal(cancel.reason, 'cancelled');
  assert.equal(cancel.check(), false);
  cancelled = true;
  assert.equal(cancel.check(), true);

  const stream = new TextStream(['\n\n']);
  const stop = new StopStrings(stream);
  assert.equal(stop.reason, 'stop');
  stream.push(new TextEncoder().encode('a\n'));
  assert.equal(stop.check(), false);
  stream.push(new TextEncoder().encode('\nb'));
  assert.equal(stop.check(), true);
});

test('the list reports the first rule that holds, in order', () => {
  let cancelled = false;
  const list = new StoppingCriteriaList([new EndOfSequence(new Set([0])), new MaxNewTokens(2)]);
  list.push(new Cancellation(() => cancelled));
  assert.equal(list.check(state([4])), undefined);
  cancelled = true;
  assert.equal(list.check(state([4])), 'cancelled');
  assert.equal(list.check(state([4, 5])), 'length');
  assert.equal(list.check(state([4, 0])), 'eos');
});

test('end-of-sequence ids: the model EOS, <|endoftext|> and the FIM sentinels, once each', () => {
  const tok = {
    specialId: (t: string) => (t === '<|endoftext|>' ? 9 : undefined),
    fim: { prefix: 10, suffix: 11, middle: 12, family: 'qwen2.5-coder' },
  };
  assert.deepEqual(endOfSequenceIds([2, 9], tok), [2, 9, 10, 11, 12]);
  assert.deepEqual(endOfSequenceIds([], { specialId: () => undefined }), []);
});
