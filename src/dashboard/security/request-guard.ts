import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { networkInterfaces, hostname as osHostname } from 'node:os';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { HttpError, sendError } from '../http-error.js';
import type { ProxyTrust } from './proxy-trust.js';

/** The header our own pages send with every API write; any non-safelisted header forces a CORS preflight. */
export const REQUEST_HEADER = 'x-ari-dialer';

export interface RequestGuardOptions {
  /** The address the dashboard listens on (`0.0.0.0` / `::` for every interface). */
  host: string;
  /** Where users reach the dashboard through a proxy (`dashboardPublicUrl`); its host is served and its origin trusted. */
  publicUrl?: string;
  /** Under `trustProxy`, the Host checked is the X-Forwarded-Host a trusted proxy passes on. @defaultValue none */
  proxy?: ProxyTrust;
}

/** What a state-changing request is: a JSON/API call, a browser form (login, logout) or bull-board's own API. */
export type WriteKind = 'api' | 'form' | 'board';

/** Methods that only read: no write check, and viewers may use them. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
/** A cross-site page can send these without a preflight (fetch no-cors, a form): never proof of our own page. */
const SIMPLE_TYPES = new Set(['', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']);
const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/**
 * Keeps other websites out. Two attacks are in view: a page on another site making the operator's browser send a
 * request (a form, a `no-cors` fetch; the cookie is not needed when no token is set), and DNS rebinding (a name
 * the attacker controls pointed at our address, which makes the browser call us "same-origin" and read answers).
 * Rebinding is stopped by the Host allowlist (421); cross-site writes by Origin / Sec-Fetch-Site, and API writes
 * additionally by needing something a simple cross-site request cannot carry (JSON, a custom header, a Bearer token).
 */
export class RequestGuard {
  private readonly hosts = new Set<string>();
  private readonly publicOrigin?: string;
  private readonly proxy?: ProxyTrust;

  constructor(o: RequestGuardOptions) {
    this.proxy = o.proxy;
    const bind = normalizeHost(o.host);
    for (const h of ['localhost', '127.0.0.1', '::1']) this.hosts.add(h);
    if (WILDCARDS.has(bind)) {
      // Every address of this machine is served; names are not (but `hostname` is the machine's own).
      for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) this.hosts.add(normalizeHost(a.address));
      this.hosts.add(osHostname().toLowerCase());
    } else this.hosts.add(bind);
    if (o.publicUrl) {
      const u = new URL(o.publicUrl);
      this.hosts.add(normalizeHost(u.hostname));
      this.publicOrigin = u.origin;
    }
  }

  /** The host names (no port) this dashboard answers to. */
  get servedHosts(): readonly string[] {
    return [...this.hosts];
  }

  /** Why the Host header is not ours (DNS rebinding), or undefined. */
  hostProblem(req: IncomingMessage): string | undefined {
    const raw = this.hostHeader(req);
    if (typeof raw !== 'string' || raw === '') return 'a Host header is required';
    const name = hostOf(raw);
    if (name === undefined || !this.hosts.has(name))
      return `Host ${JSON.stringify(raw.slice(0, 100))} is not served here (served: ${this.servedHosts.join(', ')}; set dashboardPublicUrl for a proxy's name)`;
    return undefined;
  }

  /** Whether an Origin header names this dashboard: the public URL's origin, or the (already allowed) Host itself. */
  ownOrigin(origin: string, req: IncomingMessage): boolean {
    if (this.publicOrigin && origin === this.publicOrigin) return true;
    let u: URL;
    try {
      u = new URL(origin);
    } catch {
      return false; // includes "null": an opaque origin (sandboxed frame, file:) is never us
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return false;
    return u.host === this.hostHeader(req) && this.hostProblem(req) === undefined;
  }

  /** The Host the browser sent: the header, or X-Forwarded-Host from a trusted proxy. */
  private hostHeader(req: IncomingMessage): string | undefined {
    return this.proxy?.forwardedHost(req) ?? req.headers.host;
  }

  /**
   * Why a browser request did not come from our own pages, or undefined. A browser always says where a write (and a
   * WebSocket) comes from: Sec-Fetch-Site, or Origin. Clients that send neither are not browsers; for them `kind`
   * decides (see {@link writeProblem}).
   */
  crossSiteProblem(req: IncomingMessage): string | undefined {
    const site = req.headers['sec-fetch-site'];
    if (typeof site === 'string' && site !== 'same-origin') return `cross-site request refused (Sec-Fetch-Site: ${site})`;
    const origin = req.headers.origin;
    if (typeof origin === 'string' && !this.ownOrigin(origin, req)) return `cross-site request refused (Origin ${origin.slice(0, 100)} is not this dashboard)`;
    return undefined;
  }

  /** Why a state-changing request is refused, or undefined. */
  writeProblem(req: IncomingMessage, kind: WriteKind): string | undefined {
    const cross = this.crossSiteProblem(req);
    if (cross) return cross;
    if (kind === 'form') {
      const saidSo = req.headers['sec-fetch-site'] === 'same-origin' || typeof req.headers.origin === 'string';
      return saidSo ? undefined : 'a form post needs the Origin or Sec-Fetch-Site header that browsers send (is this a browser?)';
    }
    if (!preflighted(req)) {
      return `API writes need Content-Type: application/json (or text/csv), an ${REQUEST_HEADER} header or Authorization: Bearer (what a plain form or a no-cors fetch cannot send)`;
    }
    return undefined;
  }

  /** Every request: a foreign Host is 421 (Misdirected Request), before anything else reads it. */
  hostCheck(): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      const problem = this.hostProblem(req);
      if (!problem) return next();
      sendError(res, new HttpError('MISDIRECTED', problem));
    };
  }

  /** State-changing methods on the routes below it: refused (403) unless they come from our own pages. */
  writes(kind: WriteKind): RequestHandler {
    return (req: Request, res: Response, next: NextFunction) => {
      if (SAFE_METHODS.has(req.method)) return next();
      const problem = this.writeProblem(req, kind);
      if (!problem) return next();
      sendError(res, new HttpError('FORBIDDEN', problem));
    };
  }
}

/**
 * True when a browser could only have sent this request after a CORS preflight, which we never grant: a method a
 * form cannot use, a content type outside the three "simple" ones, our own header or an Authorization header.
 */
function preflighted(req: IncomingMessage): boolean {
  const method = req.method ?? 'GET';
  if (method !== 'POST') return true;
  if (req.headers[REQUEST_HEADER] !== undefined || req.headers.authorization !== undefined) return true;
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return !SIMPLE_TYPES.has(type);
}

/** The host name of a Host header, lower case, IPv6 without brackets; undefined when it cannot be one. */
export function hostOf(header: string): string | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(header.trim());
  return m ? normalizeHost(m[1]!) : undefined;
}

function normalizeHost(h: string): string {
  const bare = h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
  const lower = bare.toLowerCase().replace(/\.$/, '');
  // An IPv4-mapped IPv6 address is the IPv4 address.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  return mapped && isIP(mapped[1]!) ? mapped[1]! : lower;
}
