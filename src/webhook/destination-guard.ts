import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { DialerError } from '../errors.js';
import { addressClass, AllowedHosts } from './address-rules.js';

/** How to let an in-house receiver through, said in every refusal. */
const HINT = 'list the host or its network in webhookAllowHosts (WEBHOOK_ALLOW_HOSTS) if it is meant';

/** A webhook URL or address that the destination rules refuse; `rule` is what it broke. */
export class WebhookDestinationError extends DialerError {
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super('WEBHOOK_REFUSED', `webhook.url: ${message} (rule: ${rule}; ${HINT})`);
  }
}

/** Resolves a name to every address it has (dns.lookup with `all`, as net.connect would). */
export type Resolve = (host: string) => Promise<LookupAddress[]>;

const systemResolve: Resolve = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addrs) => (err ? reject(err) : resolve(addrs))));

/**
 * Keeps webhooks from reaching inside (SSRF): the cloud metadata service, Redis on loopback, the office network.
 * Checked when a campaign is created ({@link WebhookDestinationGuard.check}) and again when each delivery connects
 * ({@link WebhookDestinationGuard.lookup}), after DNS, so a name that later resolves inside is still caught.
 */
export class WebhookDestinationGuard {
  readonly allowed: AllowedHosts;

  constructor(
    allowHosts: readonly string[] = [],
    private readonly resolve: Resolve = systemResolve,
  ) {
    this.allowed = new AllowedHosts(allowHosts);
  }

  /** What is wrong with the URL itself (scheme, credentials, a literal inside address), before any DNS. */
  urlProblem(raw: string): WebhookDestinationError | undefined {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return new WebhookDestinationError('http-url', 'not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return new WebhookDestinationError('http-url', `must be http(s), not ${url.protocol}`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (this.allowed.allowsName(host) || (isIP(host) && this.allowed.allowsAddress(host))) return undefined;
    if (url.username || url.password) return new WebhookDestinationError('credentials', 'must not carry a user name or password (use the signing secret)');
    if (isIP(host)) return this.addressProblem(host, host);
    if (host === 'localhost' || host.endsWith('.localhost')) return new WebhookDestinationError('loopback', `${host} is this machine`);
    return undefined;
  }

  /** Why one resolved address may not be reached, or undefined. */
  addressProblem(address: string, host: string): WebhookDestinationError | undefined {
    if (this.allowed.allowsName(host) || this.allowed.allowsAddress(address)) return undefined;
    const cls = addressClass(address);
    if (!cls) return undefined;
    const via = address === host ? address : `${host} resolves to ${address}`;
    return new WebhookDestinationError(cls, `${via}, a ${cls} address`);
  }

  /**
   * The whole check at creation: the URL, then every address its name resolves to now. A name that does not
   * resolve here is let through (the workers may see other DNS); each delivery checks again when it connects.
   */
  async check(raw: string): Promise<void> {
    const first = this.urlProblem(raw);
    if (first) throw first;
    const host = new URL(raw).hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) || this.allowed.allowsName(host)) return;
    let addrs: LookupAddress[];
    try {
      addrs = await this.resolve(host);
    } catch {
      return;
    }
    for (const a of addrs) {
      const p = this.addressProblem(a.address, host);
      if (p) throw p;
    }
  }

  /**
   * A `lookup` for net/tls.connect (undici's `connect` options): resolves like the system does, then refuses the
   * connection when any address is inside. Checking every address, not just the one picked, keeps a name with one
   * outside and one inside address from being tried until it lands inside.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    this.resolve(hostname).then(
      (addrs) => {
        const family = typeof options === 'object' && options ? options.family : undefined;
        const usable = family === 4 || family === 6 ? addrs.filter((a) => a.family === family) : addrs;
        for (const a of usable) {
          const p = this.addressProblem(a.address, hostname);
          if (p) return callback(p, '', 0);
        }
        if (!usable.length) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        if (typeof options === 'object' && options?.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (err: Error) => callback(err, '', 0),
    );
  };
}
