// Turns a streamed response body, cut anywhere (inside a UTF-8 character, a field name, a CRLF), into the JSON
// payloads it carries: server-sent events (OpenAI-style servers) or one JSON object per line (Ollama's /api).

import { quotePayload, RemoteProtocolError } from './errors';
import type { StreamFraming } from './types';

/** A line this long without a break is not a stream we can read (and would grow without bound). */
const MAX_LINE_CHARS = 16 * 1024 * 1024;

/** The parsed payloads of one response body, fed its bytes as they arrive. One decoder per response. */
export class StreamDecoder {
  private readonly utf8 = new TextDecoder('utf-8');
  /** Decoded text not yet split into whole lines. */
  private buffer = '';
  /** How much of `buffer` is known to hold no line break. */
  private scanned = 0;
  /** After `data: [DONE]`, end() or a thrown error: nothing more is returned. */
  private finished = false;
  // The server-sent event being assembled (its fields until the blank line that dispatches it).
  private data: string[] = [];
  private eventType = '';
  private errorField: string | undefined;

  constructor(private readonly framing: StreamFraming) {}

  /** The payloads completed by this chunk (none while a line or an event is still open). */
  push(chunk: Uint8Array): unknown[] {
    if (this.finished) return [];
    return this.guarded(() => {
      this.buffer += this.utf8.decode(chunk, { stream: true });
      return this.drain(false);
    });
  }

  /** The body ended: the payloads of a last line or event the server did not terminate. */
  end(): unknown[] {
    if (this.finished) return [];
    return this.guarded(() => {
      this.buffer += this.utf8.decode();
      const out = this.drain(true);
      if (this.framing === 'sse' && !this.finished) this.dispatch(out);
      this.finished = true;
      return out;
    });
  }

  /** A decoder that threw has lost its place in the stream: it stays finished rather than guess. */
  private guarded(step: () => unknown[]): unknown[] {
    try {
      return step();
    } catch (error) {
      this.finished = true;
      this.buffer = '';
      throw error;
    }
  }

  /** Hands every whole line to the framing; at the end, the unterminated rest as well. */
  private drain(atEnd: boolean): unknown[] {
    const out: unknown[] = [];
    const text = this.buffer;
    let start = 0;
    let brk = lineBreak(text, this.scanned);
    // A CR that ends the chunk may be the first half of a CRLF: it waits for the next byte.
    const open = (at: number) => at < 0 || (at === text.length - 1 && text[at] === '\r' && !atEnd);
    while (!this.finished && !open(brk)) {
      const line = text.slice(start, brk);
      start = brk + (text[brk] === '\r' && text[brk + 1] === '\n' ? 2 : 1);
      this.line(line, out);
      brk = lineBreak(text, start);
    }
    this.buffer = this.finished ? '' : text.slice(start);
    // What is left holds no break (bar a waiting CR): the next chunk's search starts past it.
    this.scanned = this.finished || brk < 0 ? this.buffer.length : brk - start;
    if (atEnd && this.buffer !== '') {
      const rest = this.buffer;
      this.buffer = '';
      this.line(rest, out);
    }
    if (this.buffer.length > MAX_LINE_CHARS) {
      throw new RemoteProtocolError(`The ${this.framing} stream sent ${this.buffer.length} characters without a line break`);
    }
    return out;
  }

  private line(line: string, out: unknown[]): void {
    if (this.framing === 'ndjson') {
      const json = line.trim();
      if (json !== '') out.push(this.parse(json));
      return;
    }
    this.sseLine(line, out);
  }

  /** One line of the SSE grammar (https://html.spec.whatwg.org/multipage/server-sent-events.html). */
  private sseLine(line: string, out: unknown[]): void {
    if (line === '') return this.dispatch(out);
    if (line.startsWith(':')) return; // a comment: llama-server's keep-alive pings, proxies' heartbeats
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const raw = colon < 0 ? '' : line.slice(colon + 1);
    const value = raw.startsWith(' ') ? raw.slice(1) : raw;
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.eventType = value;
    // Older llama-server builds wrote a mid-stream failure as `error: {...}` instead of a data line.
    else if (field === 'error') this.errorField = value;
    // `id`, `retry` and unknown fields mean nothing to a one-shot POST stream.
  }

  /** The blank line: the assembled event's data is one payload (or the [DONE] sentinel). */
  private dispatch(out: unknown[]): void {
    const text = this.data.join('\n');
    const { eventType, errorField } = this;
    this.data = [];
    this.eventType = '';
    this.errorField = undefined;
    if (text === '' && errorField === undefined) return;
    if (text === '') {
      out.push({ error: jsonOrText(errorField ?? '') });
      return;
    }
    if (text === '[DONE]') {
      this.finished = true;
      return;
    }
    if (eventType !== 'error') {
      out.push(this.parse(text));
      return;
    }
    // `event: error` marks the data as a failure even when it lacks the `error` key the parser looks for.
    const payload = jsonOrText(text);
    out.push(isObject(payload) && 'error' in payload ? payload : { error: payload });
  }

  private parse(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw new RemoteProtocolError(`The ${this.framing} stream sent a payload that is not JSON: ${quotePayload(text)}`);
    }
  }
}

/** Index of the next CR or LF at or after `from`, or -1. */
function lineBreak(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return -1;
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
