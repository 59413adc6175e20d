// How a token's text is shown: whitespace, newlines, control characters and partial UTF-8 bytes
// become visible glyphs, so no token renders as a blank chip. Pure: no DOM.

export type TokenKind = 'text' | 'space' | 'newline' | 'bytes' | 'empty';

export interface TokenLabel {
  /** What to draw inside the chip (always set with textContent). */
  label: string;
  kind: TokenKind;
  /** A longer, exact description for tooltips and ARIA labels. */
  description: string;
}

const GLYPHS: Record<string, string> = { ' ': '·', '\t': '→', '\n': '↵', '\r': '␍', '\u00a0': '⍽' };

/** One byte as two upper-case hex digits. */
export function hexByte(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}

export function byteHex(bytes: readonly number[]): string {
  return bytes.map((b) => `<0x${hexByte(b)}>`).join('');
}

/** Replaces whitespace and control characters with visible glyphs. */
export function visibleText(text: string): string {
  let out = '';
  for (const ch of text) {
    const g = GLYPHS[ch];
    if (g) out += g;
    else {
      const c = ch.codePointAt(0)!;
      if (c < 0x20 || c === 0x7f) out += '^' + String.fromCharCode(c === 0x7f ? 63 : c + 64);
      else if (c === 0xfffd) out += '�';
      else out += ch;
    }
  }
  return out;
}

function describe(text: string): string {
  return JSON.stringify(text);
}

export function tokenLabel(tok: { text: string; bytes?: readonly number[]; partial?: boolean }): TokenLabel {
  const bytes = tok.bytes ?? [];
  if (tok.partial || (tok.text === '' && bytes.length > 0) || tok.text.includes('\ufffd')) {
    const label = bytes.length ? byteHex(bytes) : visibleText(tok.text);
    return { label, kind: 'bytes', description: `partial UTF-8 bytes ${label}` };
  }
  if (tok.text === '') return { label: '∅', kind: 'empty', description: 'empty token' };
  const label = visibleText(tok.text);
  if (/^[\r\n]+[ \t]*$/.test(tok.text) || (/\n/.test(tok.text) && tok.text.trim() === ''))
    return { label, kind: 'newline', description: `newline ${describe(tok.text)}` };
  if (tok.text.trim() === '') return { label, kind: 'space', description: `whitespace ${describe(tok.text)}` };
  return { label, kind: 'text', description: describe(tok.text) };
}

/** True when a chip should be followed by a line break in the flowing token view. */
export function endsLine(text: string): boolean {
  return text.endsWith('\n');
}
