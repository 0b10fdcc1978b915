import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError, sendError } from './http-error.js';
import type { Logger } from '../log.js';
import { GuessThrottle } from './security/guess-throttle.js';
import { SAFE_METHODS, type RequestGuard } from './security/request-guard.js';

/** Like ari.conf's `read_only`: a viewer looks, an operator also uploads, pauses, resumes, cancels and retries. */
export type Role = 'viewer' | 'operator';

export const TOKEN_COOKIE = 'dialer_token';

export interface AuthOptions {
  operatorToken?: string;
  viewerToken?: string;
  /** Checks Host and Origin for the WebSocket upgrade (see {@link Auth.sameOrigin}). */
  guard: RequestGuard;
  /** Failed token checks per client address. @defaultValue 10 per 10 minutes per address, 200 overall */
  throttle?: GuessThrottle;
  /** Where each failed check is logged, with the client address (never the token). */
  log?: Logger;
}

/** How a request authenticated: `open` when no tokens are configured (loopback only, everyone is operator). */
export type AuthResult =
  | { ok: true; role: Role; via: 'header' | 'cookie' | 'open' }
  | { ok: false; reason: 'missing' | 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterS: number };

/**
 * Decides who a request is. The token comes from `Authorization: Bearer` or the HttpOnly cookie the login form
 * sets; never from the URL, where it would end up in logs, history and Referer headers.
 */
export class Auth {
  private readonly operator?: Buffer;
  private readonly viewer?: Buffer;
  private readonly guard: RequestGuard;
  private readonly throttle: GuessThrottle;
  private readonly log?: Logger;

  constructor(opts: AuthOptions) {
    this.guard = opts.guard;
    this.throttle = opts.throttle ?? new GuessThrottle();
    this.log = opts.log;
    this.operator = opts.operatorToken ? digest(opts.operatorToken) : undefined;
    this.viewer = opts.viewerToken ? digest(opts.viewerToken) : undefined;
  }

  get open(): boolean {
    return !this.operator && !this.viewer;
  }

  /** Who a request is, from its Bearer header or cookie: throttled and counted as {@link Auth.checkToken} says. */
  check(req: IncomingMessage): AuthResult {
    if (this.open) return { ok: true, role: 'operator', via: 'open' };
    const header = req.headers.authorization;
    const bearer = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    const cookie = readCookie(req.headers.cookie, TOKEN_COOKIE);
    const token = bearer ?? cookie;
    return this.checkToken(req, token === '' ? undefined : token, bearer !== undefined ? 'bearer' : 'cookie');
  }

  /**
   * The one place a token is judged, whichever door it came through (API, pages, login form, live WebSocket): an
   * address that guessed too often is refused even with the right token; a wrong token is counted and logged with the
   * address and the door, never the token. No token at all is not a guess.
   */
  checkToken(req: IncomingMessage, token: string | undefined, via: 'bearer' | 'cookie' | 'login'): AuthResult {
    const address = Auth.address(req);
    const wait = this.throttle.retryAfterS(address);
    if (wait > 0) return { ok: false, reason: 'throttled', retryAfterS: wait };
    if (token === undefined) return { ok: false, reason: 'missing' };
    const role = this.roleOf(token);
    if (!role) {
      this.throttle.fail(address);
      this.log?.warn({ address, via, path: (req.url ?? '').split('?')[0] }, 'dashboard: a wrong token was tried');
      return { ok: false, reason: 'invalid' };
    }
    return { ok: true, role, via: via === 'bearer' ? 'header' : 'cookie' };
  }

  /** The role a token grants, compared in constant time (hashes first, so lengths do not leak either). */
  roleOf(token: string): Role | undefined {
    const d = digest(token);
    if (this.operator && timingSafeEqual(d, this.operator)) return 'operator';
    if (this.viewer && timingSafeEqual(d, this.viewer)) return 'viewer';
    return undefined;
  }

  /**
   * For the WebSocket (not bound by the same-origin policy): our Host, and our own page as Origin when a browser
   * says where it comes from.
   */
  sameOrigin(req: IncomingMessage): boolean {
    return this.guard.hostProblem(req) === undefined && this.guard.crossSiteProblem(req) === undefined;
  }

  /** The client address the throttle counts: the socket's, or the proxy's X-Forwarded-For under `trustProxy`. */
  static address(req: IncomingMessage): string {
    return (req as Partial<Request>).ip ?? req.socket.remoteAddress ?? 'unknown';
  }

  /** Attaches `res.locals.role`, or answers 401 (an HTML page is sent to the login form instead), or 429. */
  authenticate(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const r = this.check(req);
      if (!r.ok && r.reason === 'throttled') return sendThrottled(res, r.retryAfterS, 'request');
      if (!r.ok) {
        // A browser opening a page goes to the login form; scripts and API clients get a plain 401.
        if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/html') && !req.path.startsWith('/api/')) {
          res.redirect(303, '/login');
          return;
        }
        sendError(res, new HttpError('UNAUTHORIZED', r.reason === 'missing' ? 'a token is required (Authorization: Bearer, or log in)' : 'the token is not valid'));
        return;
      }
      res.locals.role = r.role;
      next();
    };
  }
}

/** 429 with Retry-After for an address that guessed too often. */
export function sendThrottled(res: Response, retryAfterS: number, what: string): void {
  res.setHeader('Retry-After', String(retryAfterS));
  sendError(res, new HttpError('TOO_MANY_REQUESTS', `too many failed token checks from this address: try the ${what} again in ${retryAfterS} s`));
}

/** Lets operators through; viewers get 403 naming what they tried. */
export function requireOperator(what: string): RequestHandler {
  return (_req, res, next) => {
    if (res.locals.role === 'operator') return next();
    sendError(res, new HttpError('FORBIDDEN', `${what} needs the operator role (this token is read-only)`));
  };
}

/** bull-board's own API changes queues with POST, PUT and PATCH; reading stays open to viewers. */
export function operatorForMutations(): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || res.locals.role === 'operator') return next();
    sendError(res, new HttpError('FORBIDDEN', 'changing queues needs the operator role (this token is read-only)'));
  };
}

/** The cookie the login form sets: HttpOnly (no script reads it), SameSite=Strict (no cross-site sends it). */
export function tokenCookie(token: string, secure: boolean): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=43200${secure ? '; Secure' : ''}`;
}

export function clearTokenCookie(): string {
  return `${TOKEN_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}
