import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import express from 'express';

/** Express's compiled `trust proxy`: is the address `i` hops from us a proxy we believe? */
type TrustFn = (address: string, hop: number) => boolean;

/**
 * The `trustProxy` setting: which proxies' X-Forwarded-For, -Proto and -Host the dashboard believes. Without it only
 * the socket counts, so a client cannot pick its own address for the guess throttle or the audit record by sending
 * the header itself. Values as Express's `trust proxy`: `loopback`, a hop count, addresses or CIDRs (comma-separated).
 */
export class ProxyTrust {
  /** What `app.set('trust proxy', …)` is given. */
  readonly expressValue: number | string | false;
  private readonly trust: TrustFn;

  constructor(setting?: string) {
    const s = setting?.trim() ?? '';
    if (s === '' || s === 'false') this.expressValue = false;
    else if (/^\d+$/.test(s)) this.expressValue = Number(s);
    else if (s === 'true')
      throw new RangeError(
        'trustProxy: "true" would believe X-Forwarded-For from anyone; name the proxy ("loopback", its address or CIDR) or give a hop count',
      );
    else this.expressValue = s;
    try {
      // Express compiles it (proxy-addr): one parser, the same answers as req.ip and req.secure.
      this.trust = express().set('trust proxy', this.expressValue).get('trust proxy fn') as TrustFn;
    } catch (err) {
      throw new RangeError(`trustProxy: ${JSON.stringify(s)} is not "loopback", a hop count or a list of addresses/CIDRs (${(err as Error).message})`, {
        cause: err,
      });
    }
  }

  get enabled(): boolean {
    return this.expressValue !== false;
  }

  /** Whether the request came straight from a trusted proxy. */
  fromProxy(req: IncomingMessage): boolean {
    const peer = req.socket.remoteAddress;
    return this.enabled && peer !== undefined && this.trust(peer, 0);
  }

  /**
   * The client's address: the socket's, or walking X-Forwarded-For back through trusted proxies (proxy-addr's rule,
   * also for the WebSocket upgrade, which Express never sees).
   */
  clientAddress(req: IncomingMessage): string {
    const peer = req.socket.remoteAddress ?? 'unknown';
    if (!this.enabled) return peer;
    const forwarded = headerList(req.headers['x-forwarded-for']).reverse();
    const chain = [peer, ...forwarded];
    for (let i = 0; i < chain.length - 1; i++) if (!this.trust(chain[i]!, i)) return chain[i]!;
    return chain[chain.length - 1]!;
  }

  /** The Host the browser used, from X-Forwarded-Host when a trusted proxy says so; else undefined. */
  forwardedHost(req: IncomingMessage): string | undefined {
    return this.fromProxy(req) ? headerList(req.headers['x-forwarded-host'])[0] : undefined;
  }

  /** HTTPS on our socket, or X-Forwarded-Proto: https from a trusted proxy. */
  secure(req: IncomingMessage): boolean {
    if ((req.socket as Partial<TLSSocket>).encrypted) return true;
    return this.fromProxy(req) && headerList(req.headers['x-forwarded-proto'])[0]?.toLowerCase() === 'https';
  }
}

function headerList(v: string | string[] | undefined): string[] {
  const joined = Array.isArray(v) ? v.join(',') : (v ?? '');
  return joined
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}
