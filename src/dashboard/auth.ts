import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError, sendError } from './http-error.js';
import type { Logger } from '../log.js';
import type { Identity, Role, TokenSet } from './security/dashboard-tokens.js';
import { GuessThrottle } from './security/guess-throttle.js';
import type { ProxyTrust } from './security/proxy-trust.js';
import { SAFE_METHODS, type RequestGuard } from './security/request-guard.js';
import { SESSION_COOKIE, type Sessions } from './security/sessions.js';

export type { Identity, Role } from './security/dashboard-tokens.js';

/** Who acts when no token is configured (loopback only): the audit record says so. */
export const OPEN_IDENTITY: Identity = Object.freeze({ name: 'local', role: 'operator' });

export interface AuthOptions {
  /** Every token accepted, by name; none: the dashboard is open (loopback only, everyone is operator). */
  tokens: TokenSet;
  /** Login sessions (the cookie); required when there are tokens. */
  sessions?: Sessions;
  /** Checks Host and Origin for the WebSocket upgrade (see {@link Auth.sameOrigin}). */
  guard: RequestGuard;
  /** Which client address counts: the socket's, or X-Forwarded-For from a trusted proxy. */
  proxy: ProxyTrust;
  /** Failed token checks per client address. @defaultValue 10 per 10 minutes per address, 200 overall */
  throttle?: GuessThrottle;
  /** Where each failed check is logged, with the client address (never the token). */
  log?: Logger;
  /** Called for each failed token check (not for throttled ones): the audit record. */
  onFailure?: (req: IncomingMessage, via: 'bearer' | 'cookie' | 'login') => void;
}

/** How a request authenticated: `open` when no tokens are configured (loopback only, everyone is operator). */
export type AuthResult =
  | { ok: true; role: Role; who: Identity; via: 'header' | 'cookie' | 'open' }
  | { ok: false; reason: 'missing' | 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterS: number };

/**
 * Decides who a request is. A token comes from `Authorization: Bearer`; a browser that logged in sends the signed
 * session cookie instead (never the token). Never from the URL, where it would end up in logs, history and Referer.
 */
export class Auth {
  private readonly tokens: TokenSet;
  private readonly guard: RequestGuard;
  private readonly throttle: GuessThrottle;
  private readonly log?: Logger;

  constructor(private readonly opts: AuthOptions) {
    this.tokens = opts.tokens;
    this.guard = opts.guard;
    this.throttle = opts.throttle ?? new GuessThrottle();
    this.log = opts.log;
    if (!this.open && !opts.sessions) throw new TypeError('Auth: sessions are required with tokens');
  }

  get open(): boolean {
    return this.tokens.size === 0;
  }

  /** Who a request is, from its Bearer header or session cookie: throttled and counted as {@link Auth.checkToken} says. */
  async check(req: IncomingMessage): Promise<AuthResult> {
    if (this.open) return { ok: true, role: 'operator', who: OPEN_IDENTITY, via: 'open' };
    const header = req.headers.authorization;
    const bearer = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    if (bearer !== undefined) return this.checkToken(req, bearer, 'bearer');
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (!cookie) return this.checkToken(req, undefined, 'cookie');
    const wait = this.throttle.retryAfterS(this.address(req));
    if (wait > 0) return { ok: false, reason: 'throttled', retryAfterS: wait };
    const s = await this.opts.sessions!.resolve(cookie);
    if (s.ok) return { ok: true, role: s.who.role, who: s.who, via: 'cookie' };
    // An expired or logged-out session is no guess; a cookie we did not sign is.
    if (s.reason === 'expired') return { ok: false, reason: 'missing' };
    return this.failed(req, 'cookie');
  }

  /**
   * The one place a token is judged, whichever door it came through (API, pages, login form, live WebSocket): an
   * address that guessed too often is refused even with the right token; a wrong token is counted and logged with the
   * address and the door, never the token. No token at all is not a guess.
   */
  checkToken(req: IncomingMessage, token: string | undefined, via: 'bearer' | 'cookie' | 'login'): AuthResult {
    const wait = this.throttle.retryAfterS(this.address(req));
    if (wait > 0) return { ok: false, reason: 'throttled', retryAfterS: wait };
    if (token === undefined || token === '') return { ok: false, reason: 'missing' };
    const who = this.tokens.match(token);
    if (!who) return this.failed(req, via);
    return { ok: true, role: who.role, who, via: via === 'bearer' ? 'header' : 'cookie' };
  }

  private failed(req: IncomingMessage, via: 'bearer' | 'cookie' | 'login'): AuthResult {
    const address = this.address(req);
    this.throttle.fail(address);
    this.log?.warn({ address, via, path: (req.url ?? '').split('?')[0] }, 'dashboard: a wrong token was tried');
    this.opts.onFailure?.(req, via);
    return { ok: false, reason: 'invalid' };
  }

  /**
   * For the WebSocket (not bound by the same-origin policy): our Host, and our own page as Origin when a browser
   * says where it comes from.
   */
  sameOrigin(req: IncomingMessage): boolean {
    return this.guard.hostProblem(req) === undefined && this.guard.crossSiteProblem(req) === undefined;
  }

  /** The client address the throttle and the audit record count: the socket's, or X-Forwarded-For under `trustProxy`. */
  address(req: IncomingMessage): string {
    return this.opts.proxy.clientAddress(req);
  }

  /** Attaches `res.locals.role`, or answers 401 (an HTML page is sent to the login form instead), or 429. */
  authenticate(): RequestHandler {
    return async (req: Request, res: Response, next: NextFunction) => {
      const r = await this.check(req);
      if (!r.ok && r.reason === 'throttled') return sendThrottled(res, r.retryAfterS, 'request');
      if (!r.ok) {
        // A browser opening a page goes to the login form; scripts and API clients get a plain 401.
        if (req.method === 'GET' && (req.headers.accept ?? '').includes('text/html') && !req.path.startsWith('/api/')) {
          res.redirect(303, '/login');
          return;
        }
        sendError(
          res,
          new HttpError('UNAUTHORIZED', r.reason === 'missing' ? 'a token is required (Authorization: Bearer, or log in)' : 'the token is not valid'),
        );
        return;
      }
      res.locals.role = r.role;
      res.locals.who = r.who;
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

export function readCookie(header: string | undefined, name: string): string | undefined {
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
