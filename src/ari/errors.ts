import { DialerError } from '../errors.js';

/** Asterisk answered a REST request with a non-2xx status. Carries what Asterisk said, never the credentials. */
export class AriHttpError extends DialerError {
  constructor(
    readonly status: number,
    /** Asterisk's `message` (or `error`, as for "Allocation failed") field, or the raw body text. */
    readonly ariMessage: string,
    readonly method: string,
    readonly path: string,
    code: 'ARI_HTTP' | 'ARI_AUTH' | 'ARI_NOT_ARI' = 'ARI_HTTP',
    messageOverride?: string,
  ) {
    super(code, messageOverride ?? `ARI ${method} ${path} failed: ${status} ${ariMessage}`);
  }
}

/** 401: the ari.conf user or password is wrong. */
export class AriAuthError extends AriHttpError {
  constructor(
    readonly user: string,
    method: string,
    path: string,
  ) {
    super(
      401,
      'Authentication required',
      method,
      path,
      'ARI_AUTH',
      `ARI authentication failed for user ${user} (check the [${user}] section of ari.conf and its password)`,
    );
  }
}

/** Something answered on the port, but it is not ARI (or the http.conf prefix is wrong). */
export class AriNotAriError extends AriHttpError {
  constructor(status: number, detail: string, method: string, path: string, baseUrl: string) {
    super(
      status,
      detail,
      method,
      path,
      'ARI_NOT_ARI',
      `${baseUrl} does not look like ARI (${method} ${path} answered ${status} ${detail}); check the URL and http.conf's prefix`,
    );
  }
}

/** No answer at all: refused, reset, DNS, or closed without a response. */
export class AriUnreachableError extends DialerError {
  constructor(
    readonly url: string,
    readonly reason: string,
    options?: ErrorOptions & {
      /**
       * The request may have reached Asterisk (a connection that closed or reset after it was written), so it may
       * have been carried out. False when no connection was ever made (refused, DNS, connect timeout).
       * @defaultValue true
       */
      mayHaveArrived?: boolean;
    },
  ) {
    super('ARI_UNREACHABLE', `cannot reach ARI at ${url}: ${reason}`, options);
    this.mayHaveArrived = options?.mayHaveArrived ?? true;
  }

  readonly mayHaveArrived: boolean;
}

/** Transport error codes that mean no connection was made, so the request never reached Asterisk. */
export const NEVER_CONNECTED_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export class AriTimeoutError extends DialerError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly timeoutMs: number,
  ) {
    super('ARI_TIMEOUT', `ARI ${method} ${path} got no answer within ${timeoutMs} ms`);
  }
}

export const isAriHttpError = (e: unknown, status?: number): e is AriHttpError => e instanceof AriHttpError && (status === undefined || e.status === status);

/** Asterisk says `message` almost everywhere, but `error` for some failures (originate "Allocation failed"). */
export function ariMessageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as { message?: unknown; error?: unknown };
  if (typeof b.message === 'string') return b.message;
  if (typeof b.error === 'string') return b.error;
  return undefined;
}
