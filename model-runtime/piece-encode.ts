// Tokenizing a long text a piece at a time, with a turn of the event loop between pieces, so a cancel (and the
// host's heartbeat) gets through while a large text is tokenized for scoring or the tokenizer view. Pieces end
// where a word ends before a line break or a space: with the pre-tokenizers of GPT-2, tiktoken and Hugging
// Face's ByteLevel and Metaspace, no token spans such a point, so the pieces' tokens are the whole text's. Each
// piece is tokenized after a few characters of what precedes it (then dropped), so a normalizer that adds a
// prefix space to a text's start does not add one to every piece. Only a text with no such point in a piece's
// length (one enormous word) is cut where it must be.
import type { Encoder } from './bounded-encode';
import { RuntimeError } from './errors';

/** Characters per piece: a few milliseconds of tokenizing. */
export const PIECE_CHARS = 16_384;
/** Characters before a piece tokenized with it, so the piece is tokenized as in the middle of the text. */
const ANCHOR_CHARS = 32;

const wordChar = /[\p{L}\p{N}]/u;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** Where the piece starting at `start` ends: a word's end before '\n' (else before ' ') in its second half, else its full length. */
export function pieceEnd(text: string, start: number, size = PIECE_CHARS): number {
  const limit = start + size;
  if (limit >= text.length) return text.length;
  let atSpace = -1;
  for (let p = limit; p > start + size / 2; p--) {
    const c = text[p];
    if ((c !== '\n' && c !== ' ') || !wordChar.test(text[p - 1])) continue;
    if (c === '\n') return p;
    if (atSpace < 0) atSpace = p;
  }
  if (atSpace > 0) return atSpace;
  return isLowSurrogate(text.charCodeAt(limit)) ? limit + 1 : limit;
}

/** The tokens of `piece` as they come after `before` (the anchor's tokens dropped), or alone when they differ. */
function encodeAfter(enc: Encoder, before: string, piece: string): number[] {
  if (!before) return enc.encode(piece);
  const anchor = enc.encode(before);
  const both = enc.encode(before + piece);
  for (let i = 0; i < anchor.length; i++) if (anchor[i] !== both[i]) return enc.encode(piece);
  return both.slice(anchor.length);
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The whole text's tokens, tokenized piece by piece; between pieces, `cancelled` is asked (a cancel throws 'cancelled'). */
export async function encodePieces(enc: Encoder, text: string, cancelled: () => boolean, size = PIECE_CHARS): Promise<number[]> {
  if (text.length <= size) return enc.encode(text);
  const out: number[] = [];
  for (let start = 0; start < text.length; ) {
    const end = pieceEnd(text, start, size);
    let from = Math.max(0, start - ANCHOR_CHARS);
    if (isLowSurrogate(text.charCodeAt(from))) from++;
    for (const t of encodeAfter(enc, text.slice(from, start), text.slice(start, end))) out.push(t);
    start = end;
    if (start >= text.length) break;
    await nextTurn();
    if (cancelled()) throw new RuntimeError('cancelled', 'cancelled');
  }
  return out;
}
