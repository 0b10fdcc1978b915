/** One Asterisk server of the installation, as the config file lists it under `asterisks`. */
export interface AsteriskServer {
  /** What `--asterisk NAME` picks; letters, digits, `.`, `_` and `-`. */
  name: string;
  /** ARI base URL, http.conf prefix included. */
  url: string;
  /** ari.conf user. @defaultValue the global ariUser */
  user?: string;
  /** ari.conf password, or read from the variable `passwordEnv` names. @defaultValue the global ariPassword */
  password?: string;
  /** Channels one worker may hold on this server. @defaultValue the global channelCap */
  channelCap?: number;
}

import { checkNamedList } from './named-entries.js';

const FIELDS = ['name', 'url', 'user', 'password', 'passwordEnv', 'channelCap'];

/**
 * Checks the config file's `asterisks` list (untrusted input), adding one problem per bad field, each naming the
 * entry and the field. `passwordEnv` keeps secrets out of the file: the password is read from that variable.
 */
export function checkAsteriskList(raw: unknown, file: string, env: NodeJS.ProcessEnv, problems: string[]): AsteriskServer[] {
  const spec = { file, list: 'asterisks', fields: FIELDS, shape: 'name, url, user, password, channelCap' };
  return checkNamedList(raw, spec, problems, (e, name, at) => {
    const before = problems.length;
    const url = e.url;
    if (typeof url !== 'string' || !isHttpUrl(url)) problems.push(`${at}.url: must be an http:// or https:// URL, got ${JSON.stringify(url)}`);
    for (const key of ['user', 'password', 'passwordEnv'] as const) {
      if (e[key] !== undefined && (typeof e[key] !== 'string' || e[key] === '')) problems.push(`${at}.${key}: must be a non-empty string`);
    }
    if (e.password !== undefined && e.passwordEnv !== undefined) problems.push(`${at}: give password or passwordEnv, not both`);
    let password = e.password as string | undefined;
    if (typeof e.passwordEnv === 'string' && e.passwordEnv) {
      password = env[e.passwordEnv];
      if (password === undefined) problems.push(`${at}.passwordEnv: the variable ${e.passwordEnv} is not set`);
    }
    const cap = e.channelCap;
    if (cap !== undefined && !(typeof cap === 'number' && Number.isInteger(cap) && cap >= 1 && cap <= 100_000)) {
      problems.push(`${at}.channelCap: must be a whole number from 1 to 100000, got ${JSON.stringify(cap)}`);
    }
    if (problems.length > before) return undefined;
    return {
      name,
      url: url as string,
      ...(typeof e.user === 'string' ? { user: e.user } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(typeof cap === 'number' ? { channelCap: cap } : {}),
    };
  });
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}
