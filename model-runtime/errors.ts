// Errors the runtime reports to the host: a code the host can act on, a message a person can act on.
import type { ErrorCode } from './protocol';

export class RuntimeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The file the error is about, when there is one. */
    readonly file?: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}

export function toRuntimeError(err: unknown): RuntimeError {
  if (err instanceof RuntimeError) return err;
  const e = err as { code?: unknown; message?: unknown };
  if (e && typeof e.code === 'string' && typeof e.message === 'string' && e.code === 'cancelled') {
    return new RuntimeError('cancelled', e.message);
  }
  return new RuntimeError('internal', err instanceof Error ? err.message : String(err));
}
