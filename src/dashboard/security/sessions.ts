import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RedisClient } from '../../store/lua-script.js';
import type { Keys } from '../../store/keys.js';
import type { Identity, Role, TokenSet } from './dashboard-tokens.js';

export const SESSION_COOKIE = 'dialer_session';
/** How long a login lasts: a working day and a half. Logging in again starts a new one. */
export const SESSION_TTL_S = 12 * 3600;

export interface SessionsOptions {
  redis: RedisClient;
  keys: Keys;
  /** The tokens a session may stand for: one removed or changed in the config ends its sessions. */
  tokens: TokenSet;
  /** @defaultValue {@link SESSION_TTL_S} (12 hours) */
  ttlS?: number;
  now?: () => number;
}

/** What a session cookie turned out to be: a person, nothing usable (expired, logged out), or forged. */
export type SessionResult = { ok: true; who: Identity } | { ok: false; reason: 'expired' | 'forged' };

interface Stored {
  name: string;
  role: Role;
  /** HMAC of the token's digest: the session ends when the token it came from is no longer configured. */
  fp: string;
}

/**
 * Login sessions. The cookie holds `<id>.<expiry>.<HMAC>`, signed with a random per-install secret kept in Redis
 * (so every dashboard of the installation accepts it): never the token, which would be readable from any copy of the
 * cookie for as long as the token lives. The session itself is in Redis with the same TTL, so /logout ends it
 * everywhere, and a forged or tampered cookie fails the signature before any lookup.
 */
export class Sessions {
  readonly ttlS: number;
  private readonly now: () => number;

  private constructor(
    private readonly o: SessionsOptions,
    private readonly secret: Buffer,
  ) {
    this.ttlS = o.ttlS ?? SESSION_TTL_S;
    this.now = o.now ?? Date.now;
  }

  /** Reads the installation's secret, creating it on first use. */
  static async open(o: SessionsOptions): Promise<Sessions> {
    await o.redis.set(o.keys.dashboardSecret, randomBytes(32).toString('base64'), 'NX');
    const secret = await o.redis.get(o.keys.dashboardSecret);
    if (!secret) throw new Error('dashboard: could not read the session secret from Redis');
    return new Sessions(o, Buffer.from(secret, 'base64'));
  }

  /** A new session for who logged in; the cookie value to set. */
  async create(who: Identity): Promise<string> {
    const id = randomBytes(18).toString('base64url');
    const expires = Math.floor(this.now() / 1000) + this.ttlS;
    const stored: Stored = { name: who.name, role: who.role, fp: this.fingerprint(who) ?? '' };
    await this.o.redis.set(this.o.keys.session(id), JSON.stringify(stored), 'EX', this.ttlS);
    return `${id}.${expires}.${this.mac(`${id}.${expires}`)}`;
  }

  async resolve(cookie: string): Promise<SessionResult> {
    const id = this.verified(cookie);
    if (id === undefined) return { ok: false, reason: 'forged' };
    if (id === null) return { ok: false, reason: 'expired' };
    const raw = await this.o.redis.get(this.o.keys.session(id));
    const stored = raw ? parseStored(raw) : undefined;
    if (!stored) return { ok: false, reason: 'expired' };
    const who = { name: stored.name, role: stored.role };
    const fp = this.fingerprint(who);
    if (fp === undefined || !safeEqual(fp, stored.fp)) return { ok: false, reason: 'expired' };
    return { ok: true, who };
  }

  /** Ends the session a (correctly signed) cookie names. */
  async destroy(cookie: string): Promise<void> {
    const id = this.verified(cookie);
    if (id) await this.o.redis.del(this.o.keys.session(id));
  }

  /** The session id when signed by us and unexpired; null when signed but expired; undefined when not ours. */
  private verified(cookie: string): string | null | undefined {
    const m = /^([A-Za-z0-9_-]{24})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(cookie);
    if (!m || !safeEqual(this.mac(`${m[1]}.${m[2]}`), m[3]!)) return undefined;
    return Number(m[2]) * 1000 <= this.now() ? null : m[1]!;
  }

  private fingerprint(who: Identity): string | undefined {
    const digest = this.o.tokens.digestFor(who);
    return digest ? createHmac('sha256', this.secret).update('fp:').update(digest).digest('base64url') : undefined;
  }

  private mac(data: string): string {
    return createHmac('sha256', this.secret).update(data).digest('base64url');
  }
}

/** The Set-Cookie value: HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure over HTTPS. */
export function sessionCookie(value: string, maxAgeS: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}

export function clearSessionCookie(secure: boolean): string {
  return sessionCookie('', 0, secure);
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseStored(raw: string): Stored | undefined {
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return undefined;
    const s = v as Record<string, unknown>;
    if (typeof s.name !== 'string' || (s.role !== 'operator' && s.role !== 'viewer') || typeof s.fp !== 'string') return undefined;
    return { name: s.name, role: s.role, fp: s.fp };
  } catch {
    return undefined;
  }
}
