import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shiftRange } from '../../../../extension/heatmap/scored-range';

test('an edit before the coloured range shifts it; one inside resizes it; one after leaves it', () => {
  const r = { start: 10, end: 20 };
  assert.deepEqual(shiftRange(r, [{ rangeOffset: 0, rangeLength: 2, text: 'abcde' }]), { start: 13, end: 23 });
  assert.deepEqual(shiftRange(r, [{ rangeOffset: 12, rangeLength: 0, text: 'xyz' }]), { start: 10, end: 23 });
  assert.deepEqual(shiftRange(r, [{ rangeOffset: 14, rangeLength: 4, text: '' }]), { start: 10, end: 16 });
  assert.deepEqual(shiftRange(r, [{ rangeOffset: 30, rangeLength: 1, text: 'q' }]), r);
  // Typing at the very end of a whole-file range keeps it whole.
  assert.deepEqual(shiftRange({ start: 0, end: 20 }, [{ rangeOffset: 20, rangeLength: 0, text: '\n' }]), { start: 0, end: 21 });
});

test('an edit across the start pulls the range to it', () => {
  assert.deepEqual(shiftRange({ start: 10, end: 20 }, [{ rangeOffset: 8, rangeLength: 4, text: 'Z' }]), { start: 8, end: 17 });
});
