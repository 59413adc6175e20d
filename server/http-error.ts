// An error with the HTTP status it is answered with; the body is OpenAI's error shape.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** OpenAI's error type (invalid_request_error, authentication_error, ...). */
    readonly type = status === 401
      ? 'authentication_error'
      : status === 429
        ? 'rate_limit_error'
        : status >= 500
          ? 'server_error'
          : 'invalid_request_error',
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export function errorBody(e: HttpError): { error: { message: string; type: string; code: number } } {
  return { error: { message: e.message, type: e.type, code: e.status } };
}
