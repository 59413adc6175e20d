// One HTTP response, answered once: a JSON body, or a stream of server-sent events (OpenAI's `data: {...}`
// lines, `data: [DONE]` at the end where the route has it). An error after the stream began becomes an
// error event, since the status line has gone.
import type { ServerResponse } from 'node:http';
import { errorBody, type HttpError } from './http-error';

export class Reply {
  private streaming = false;

  constructor(private readonly res: ServerResponse) {}

  /** True once the client has gone or the reply has ended. */
  get closed(): boolean {
    return this.res.writableEnded || this.res.destroyed;
  }

  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (this.closed) return;
    if (this.streaming) return this.event(body);
    this.res.writeHead(status, { 'content-type': 'application/json', ...headers });
    this.res.end(JSON.stringify(body));
  }

  error(e: HttpError): void {
    if (this.streaming) {
      this.event(errorBody(e));
      return this.end();
    }
    this.json(e.status, errorBody(e), e.status === 429 ? { 'retry-after': '1' } : {});
  }

  event(body: unknown): void {
    if (this.closed) return;
    if (!this.streaming) {
      this.streaming = true;
      this.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    }
    this.res.write(`data: ${JSON.stringify(body)}\n\n`);
  }

  /** Ends a stream; `done` adds OpenAI's `data: [DONE]` (llama-server's native routes end without it). */
  end(done = false): void {
    if (this.closed) return;
    if (this.streaming && done) this.res.write('data: [DONE]\n\n');
    this.res.end();
  }
}
