import { BadArgumentError } from '../errors.js';

/** A parsed ARI base URL: where to connect and under which path ARI lives (http.conf `prefix` included). */
export interface AriUrl {
  /** `http://host:port` */
  origin: string;
  /** Path up to and including `/ari`, e.g. `/ari` or `/asterisk/ari`. */
  basePath: string;
  /** `ws://host:port` or `wss://…` for the event socket. */
  wsOrigin: string;
  /** Credentials found in the URL itself (then removed from it). */
  user?: string;
  password?: string;
  /** The base URL without credentials: safe to print. */
  display: string;
}

/**
 * Accepts `http://host:8088`, `http://host:8088/ari`, `http://host:8088/asterisk/ari` (http.conf prefix) and
 * `http://user:pass@host:8088/ari`. A path that does not end in `/ari` gets `/ari` appended, since every ARI
 * resource lives there.
 */
export function parseAriUrl(raw: string): AriUrl {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BadArgumentError('ARI_URL', `not a URL: ${JSON.stringify(raw.replace(/\/\/[^@/]*@/, '//***@'))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BadArgumentError('ARI_URL', `must start with http:// or https:// (got ${url.protocol})`);
  }
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  let path = url.pathname.replace(/\/+$/, '');
  if (!path.endsWith('/ari')) path = `${path}/ari`;
  const origin = `${url.protocol}//${url.host}`;
  return {
    origin,
    basePath: path,
    wsOrigin: origin.replace(/^http/, 'ws'),
    user,
    password,
    display: `${origin}${path}`,
  };
}

/**
 * The ari.conf user and the Basic Authorization header for `url`: the given credentials first, then the URL's own,
 * then user `asterisk` with an empty password. One place for the REST pool, the event socket and file downloads.
 */
export function ariCredentials(url: AriUrl, user?: string, password?: string): { user: string; authorization: string } {
  const u = user ?? url.user ?? 'asterisk';
  const p = password ?? url.password ?? '';
  return { user: u, authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` };
}
