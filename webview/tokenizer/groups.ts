// Byte tokens (pieces of a UTF-8 character split across tokens) grouped back into the characters they
// form, so the view can show "é = <0xC3><0xA9>". Pure: no DOM.
import type { TokenPiece } from '../protocol';

export interface PieceGroup {
  /** Index of the first token in the group. */
  start: number;
  tokens: TokenPiece[];
  /** The text the group's bytes decode to, when it is more than one token forming whole characters. */
  text?: string;
}

const strict = new TextDecoder('utf-8', { fatal: true });

function decodes(bytes: number[]): string | undefined {
  try {
    return strict.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

/** A token whose bytes are not whole characters on their own. */
function partial(t: TokenPiece): boolean {
  return t.bytes.length > 0 && decodes(t.bytes) === undefined;
}

/** At most this many tokens are joined looking for whole characters (a character has at most 4 bytes). */
const MAX_JOIN = 8;

/** Consecutive tokens: a partial one starts a group that ends where the bytes so far decode cleanly. */
export function groupPieces(tokens: readonly TokenPiece[]): PieceGroup[] {
  const out: PieceGroup[] = [];
  for (let i = 0; i < tokens.length; ) {
    if (!partial(tokens[i])) {
      out.push({ start: i, tokens: [tokens[i]] });
      i++;
      continue;
    }
    const bytes: number[] = [];
    let end = -1;
    let text: string | undefined;
    for (let j = i; j < tokens.length && j < i + MAX_JOIN; j++) {
      bytes.push(...tokens[j].bytes);
      text = decodes(bytes);
      if (text !== undefined) {
        end = j + 1;
        break;
      }
    }
    if (end < 0) {
      out.push({ start: i, tokens: [tokens[i]] });
      i++;
    } else {
      out.push({ start: i, tokens: tokens.slice(i, end), text });
      i = end;
    }
  }
  return out;
}
