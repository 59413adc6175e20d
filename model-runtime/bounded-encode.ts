// Tokenizing only the part of a text a prompt can hold. A prompt keeps its last tokens (a FIM suffix its
// first), so only a window at that end is tokenized: a generous number of characters per token of the budget,
// doubled while the window yields too few tokens, then cut exactly in tokens. The cost follows the token
// budget, not the text: a 10 MB prompt costs what its last few thousand characters cost.
//
// The tokens next to the window's cut may differ from the whole text's (the cut may split a word), so the
// window must yield MARGIN tokens more than the budget and those at the cut are dropped.

export interface Encoder {
  encode(text: string): number[];
}

/** Characters per token assumed first: code averages 3-4, text without spaces 1-2. */
export const CHARS_PER_TOKEN = 8;
/** Extra tokens a window must yield beyond the budget; the ones next to the cut are dropped. */
export const MARGIN = 8;

const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/** The last `budget` tokens of `text`, tokenizing a window at its end. */
export function tailTokens(enc: Encoder, text: string, budget: number): number[] {
  if (budget <= 0) return [];
  for (let width = (budget + MARGIN) * CHARS_PER_TOKEN; ; width *= 2) {
    if (width >= text.length) return enc.encode(text).slice(-budget);
    let start = text.length - width;
    if (isLowSurrogate(text.charCodeAt(start))) start++; // never half a character
    const tokens = enc.encode(text.slice(start));
    if (tokens.length >= budget + MARGIN) return tokens.slice(-budget);
  }
}

/** The first `budget` tokens of `text`, tokenizing a window at its start. */
export function headTokens(enc: Encoder, text: string, budget: number): number[] {
  if (budget <= 0) return [];
  for (let width = (budget + MARGIN) * CHARS_PER_TOKEN; ; width *= 2) {
    if (width >= text.length) return enc.encode(text).slice(0, budget);
    let end = width;
    if (isLowSurrogate(text.charCodeAt(end))) end++;
    const tokens = enc.encode(text.slice(0, end));
    if (tokens.length >= budget + MARGIN) return tokens.slice(0, budget);
  }
}
