import type { RedisOptions } from 'ioredis';

/**
 * Where Redis is: one address (`redis://`, `rediss://`), a master found through Sentinel (`redis+sentinel://`), or
 * a Redis Cluster reached through any of its nodes (`redis+cluster://`).
 */
export type RedisTarget =
  | { readonly kind: 'standalone'; readonly url: string }
  | {
      readonly kind: 'sentinel';
      readonly masterName: string;
      readonly sentinels: ReadonlyArray<{ host: string; port: number }>;
      readonly options: RedisOptions;
    }
  | { readonly kind: 'cluster'; readonly nodes: ReadonlyArray<{ host: string; port: number }>; readonly options: RedisOptions };

const SENTINEL_PORT = 26379;
const REDIS_PORT = 6379;
const SENTINEL_QUERY = new Set(['db', 'sentinelPassword', 'sentinelUsername']);

/**
 * Reads a Redis URL. Besides ioredis' own `redis://` and `rediss://`, a Sentinel URL:
 * `redis+sentinel://[[user]:password@]host1[:26379],host2[:26379]/masterName[?db=N&sentinelPassword=…&sentinelUsername=…]`.
 * The password is the master's (and its replicas'); sentinels that have one of their own take `sentinelPassword`.
 * A Cluster URL names some of its nodes (the rest are found from them): `redis+cluster://[[user]:password@]host1[:6379],host2[:6379]`.
 * Throws a RangeError saying what is wrong (the caller names the setting).
 */
export function parseRedisUrl(url: string): RedisTarget {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'redis' || scheme === 'rediss') {
    try {
      new URL(url);
    } catch {
      throw new RangeError('not a URL');
    }
    return { kind: 'standalone', url };
  }
  if (scheme === 'redis+cluster') return parseClusterUrl(url);
  if (scheme !== 'redis+sentinel')
    throw new RangeError(`must start with redis://, rediss://, redis+sentinel:// or redis+cluster:// (got ${scheme ? `${scheme}://` : 'no scheme'})`);
  // WHATWG URL cannot read a list of hosts ("h1:26379,h2:26379" is no port), so the parts are taken apart here.
  const m = /^redis\+sentinel:\/\/(?:([^@/]*)@)?([^/?#]+)\/([^/?#]+)(?:\/(\d+))?\/?(?:\?([^#]*))?$/i.exec(url);
  if (!m) throw new RangeError('a Sentinel URL looks like redis+sentinel://[:password@]host1:26379,host2:26379/masterName[?db=N]');
  const [, auth, hostList, rawName, pathDb, query] = m;
  const sentinels = hostList!.split(',').map((h) => hostPort(h, SENTINEL_PORT, 'sentinel'));
  const masterName = decodeURIComponent(rawName!);
  const params = new URLSearchParams(query ?? '');
  for (const k of params.keys())
    if (!SENTINEL_QUERY.has(k)) throw new RangeError(`unknown parameter ${JSON.stringify(k)} (known: ${[...SENTINEL_QUERY].join(', ')})`);
  const dbText = params.get('db') ?? pathDb;
  const db = dbText === undefined || dbText === null ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || db > 10_000) throw new RangeError(`db must be a whole number from 0, got ${JSON.stringify(dbText)}`);
  const options: RedisOptions = { sentinels, name: masterName, db, ...credentials(auth) };
  const sp = params.get('sentinelPassword');
  const su = params.get('sentinelUsername');
  if (sp) options.sentinelPassword = sp;
  if (su) options.sentinelUsername = su;
  return { kind: 'sentinel', masterName, sentinels, options };
}

/** `redis+cluster://[[user]:password@]h1:7000,h2:7001[/]`: the nodes to start from and the nodes' credentials. */
function parseClusterUrl(url: string): RedisTarget {
  const m = /^redis\+cluster:\/\/(?:([^@/]*)@)?([^/?#]+)\/?(\?[^#]*)?$/i.exec(url);
  if (!m) throw new RangeError('a Cluster URL looks like redis+cluster://[:password@]host1:7000,host2:7001');
  const [, auth, hostList, query] = m;
  if (query && query !== '?') throw new RangeError(`a Cluster URL takes no parameters (got ${JSON.stringify(query)})`);
  const nodes = hostList!.split(',').map((h) => hostPort(h, REDIS_PORT, 'cluster node'));
  return { kind: 'cluster', nodes, options: credentials(auth) };
}

function hostPort(h: string, defaultPort: number, what: string): { host: string; port: number } {
  const hm = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(h.trim());
  const port = hm?.[2] === undefined ? defaultPort : Number(hm[2]);
  if (!hm || port < 1 || port > 65535) throw new RangeError(`${what} ${JSON.stringify(h)} is not host[:port]`);
  return { host: hm[1]!.replace(/^\[|\]$/g, ''), port };
}

/** `user:password`, `:password` or `password` (URL-encoded) as ioredis options. */
function credentials(auth: string | undefined): Pick<RedisOptions, 'username' | 'password'> {
  if (!auth) return {};
  const colon = auth.indexOf(':');
  const user = decodeURIComponent(colon < 0 ? auth : auth.slice(0, colon));
  const password = colon < 0 ? '' : decodeURIComponent(auth.slice(colon + 1));
  if (colon < 0) return { password: user };
  return { ...(user ? { username: user } : {}), ...(password ? { password } : {}) };
}

/** Problems with a Redis URL, for `loadConfig` (empty when it is good). */
export function redisUrlProblem(url: string): string | undefined {
  try {
    parseRedisUrl(url);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** A Redis URL fit to print: the password and any sentinelPassword masked. */
export function maskRedisUrl(url: string, mask = '***'): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, `//$1:${mask}@`).replace(/([?&]sentinelPassword=)[^&#]*/g, `$1${mask}`);
}
