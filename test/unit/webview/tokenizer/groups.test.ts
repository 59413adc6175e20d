import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TokenPiece } from '../../../../webview/protocol';
import { groupPieces } from '../../../../webview/tokenizer/groups';

const t = (id: number, bytes: number[]): TokenPiece => ({ id, bytes, text: new TextDecoder().decode(Uint8Array.from(bytes)) });

test('byte tokens are grouped back into the character they form', () => {
  const groups = groupPieces([t(1, [32, 99, 97, 102]), t(2, [0xc3]), t(3, [0xa9]), t(4, [32, 61])]);
  assert.deepEqual(
    groups.map((g) => [g.start, g.tokens.map((x) => x.id), g.text]),
    [
      [0, [1], undefined],
      [1, [2, 3], 'é'],
      [3, [4], undefined],
    ],
  );
});

test('a token holding the end of one character and the start of the next joins the run until it decodes', () => {
  // 😀 = F0 9F 98 80, then é = C3 A9: split as [F0 9F] [98 80 C3] [A9].
  const groups = groupPieces([t(1, [0xf0, 0x9f]), t(2, [0x98, 0x80, 0xc3]), t(3, [0xa9]), t(4, [59])]);
  assert.deepEqual(
    groups.map((g) => [g.tokens.map((x) => x.id), g.text]),
    [
      [[1, 2, 3], '😀é'],
      [[4], undefined],
    ],
  );
});

test('a stray byte that never completes stays on its own', () => {
  const groups = groupPieces([t(1, [0xc3]), t(2, [65])]);
  assert.deepEqual(
    groups.map((g) => [g.tokens.map((x) => x.id), g.text]),
    [
      [[1], undefined],
      [[2], undefined],
    ],
  );
});
