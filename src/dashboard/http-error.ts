import type { Response } from 'express';
import { DialerError } from '../errors.js';

/** Stable codes of the dashboard API; clients branch on these, never on the message. */
export type HttpErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'BAD_JSON'
  | 'BAD_ARGUMENT'
  | 'BAD_REQUEST'
  | 'BAD_CSV'
  | 'ROWS_REJECTED'
  | 'IDEMPOTENCY_MISMATCH'
  | 'IDEMPOTENCY_IN_PROGRESS'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'MISDIRECTED'
  | 'TOO_MANY_REQUESTS'
  | 'RANGE_NOT_SATISFIABLE'
  | 'BAD_GATEWAY'
  | 'INTERNAL';

const STATUS: Record<HttpErrorCode, number> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  BAD_JSON: 400,
  BAD_ARGUMENT: 400,
  BAD_REQUEST: 400,
  BAD_CSV: 400,
  ROWS_REJECTED: 422,
  IDEMPOTENCY_MISMATCH: 422,
  IDEMPOTENCY_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  MISDIRECTED: 421,
  TOO_MANY_REQUESTS: 429,
  RANGE_NOT_SATISFIABLE: 416,
  BAD_GATEWAY: 502,
  INTERNAL: 500,
};

/** An error that becomes `{ error: { code, message, ...details } }` with the status of its code. */
export class HttpError extends Error {
  override readonly name = 'HttpError' as const;
  readonly status: number;

  constructor(
    readonly code: HttpErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

/** Translates anything thrown by a route into an HttpError: the service's own errors keep their meaning. */
export function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof DialerError) {
    if (err.code === 'NOT_FOUND') return new HttpError('NOT_FOUND', err.message);
    if (err.code === 'BAD_ARGUMENT') return new HttpError('BAD_ARGUMENT', err.message);
    if (err.code === 'CAMPAIGN_ACTIVE') return new HttpError('CONFLICT', err.message);
    if (err.code === 'BAD_CSV') {
      const line = (err as DialerError & { line?: unknown }).line;
      return new HttpError('BAD_CSV', err.message, typeof line === 'number' ? { line } : {});
    }
  }
  // body-parser style errors carry `status` and `type`.
  const e = err as { status?: unknown; type?: unknown; message?: unknown };
  if (e && e.type === 'entity.too.large') return new HttpError('PAYLOAD_TOO_LARGE', 'request body too large');
  if (e && e.type === 'entity.parse.failed') return new HttpError('BAD_JSON', `body is not valid JSON: ${String(e.message)}`);
  return new HttpError('INTERNAL', 'internal error');
}

export function sendError(res: Response, err: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err.code === 'UNAUTHORIZED') res.setHeader('WWW-Authenticate', 'Bearer realm="ari-dialer"');
  res.status(err.status).json({ error: { code: err.code, message: err.message, ...err.details } });
}
