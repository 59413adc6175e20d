import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CompletionOutcomes, explainOutcome } from '../../../../extension/completion/outcomes';

test('the last outcome per document is kept (bounded) and every record reaches the listeners', () => {
  let t = 5_000;
  const outcomes = new CompletionOutcomes(2, () => t);
  const heard: string[] = [];
  const sub = outcomes.onRecord((doc, o) => heard.push(`${doc} ${o.reason}`));
  outcomes.record('a', 'debounced');
  outcomes.record('a', 'filtered', 'cutRepetition (it was a loop repeating itself)');
  t = 6_000;
  outcomes.record('b', 'shown');
  assert.equal(outcomes.last('a')?.reason, 'filtered');
  assert.equal(outcomes.last('b')?.at, 6_000);
  outcomes.record('c', 'empty');
  assert.equal(outcomes.last('a'), undefined, 'the oldest document goes past the capacity');
  sub.dispose();
  outcomes.record('c', 'cancelled');
  assert.deepEqual(heard, ['a debounced', 'a filtered', 'b shown', 'c empty']);
});

test('"Why No Completion?" words the reason, its detail and how long ago', () => {
  const o = { reason: 'filtered' as const, detail: 'dropRepeatedSuffix (it only repeated the code below the cursor)', at: 10_000 };
  assert.equal(
    explainOutcome(o, 13_000),
    'Last completion request (3 s ago): the model wrote a completion and a filter removed all of it: dropRepeatedSuffix (it only repeated the code below the cursor).',
  );
  assert.match(explainOutcome({ reason: 'disabled-language', detail: 'markdown', at: 0 }, 0), /off for this language .*: markdown\.$/);
  assert.match(explainOutcome({ reason: 'no-model', at: 0 }, 0), /no model is loaded/);
  assert.match(explainOutcome(undefined), /has not been asked/);
});
