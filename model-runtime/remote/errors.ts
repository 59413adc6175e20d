// The one error the wire layer throws: a server sent bytes or JSON we cannot read, or said it failed.

/** How much of an offending payload a message quotes (enough to recognise it, not a whole response). */
const QUOTE_LIMIT = 120;

/** A server's stream broke the protocol we expect (bad JSON, an unknown shape) or carried an error payload. */
export class RemoteProtocolError extends Error {
  override name = 'RemoteProtocolError';
}

const cut = (text: string) => (text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text);

/** `value` as a short quote for a message: raw text in JSON quotes (control characters visible), other values as JSON. */
export function quotePayload(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(cut(value));
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // A cycle or a BigInt: only hand-made values get here, never parsed JSON.
  }
  return cut(text ?? String(value));
}
