import { createHash } from 'node:crypto';
import type { Keys } from './keys.js';
import type { RedisClient } from './lua-script.js';

/** What a request with an Idempotency-Key finds. */
export type IdempotencyClaim =
  /** The first with this key: do the work, then {@link IdempotencyStore.complete} (or `abandon` on failure). */
  | { kind: 'first' }
  /** Done before with the same request: answer what it got. */
  | { kind: 'replay'; status: number; body: unknown }
  /** The key was used for a different request. */
  | { kind: 'mismatch' }
  /** The first request with this key is still being worked on (past `waitMs`). */
  | { kind: 'pending' };

export interface IdempotencyStoreOptions {
  /** How long a finished request's answer is kept. @defaultValue 86400000 (24 h) */
  ttlMs?: number;
  /** How long a claim lives when its request never finishes (the process died). @defaultValue 60000 */
  pendingTtlMs?: number;
  /** How long a repeat waits for a first request still in progress. @defaultValue 5000 */
  waitMs?: number;
}

interface Entry {
  fp: string;
  status?: number;
  body?: unknown;
}

/**
 * Idempotency keys in Redis (as Stripe's API has them): the first request with a key claims it (SET NX) with the
 * fingerprint of its body; a repeat with the same body gets the first one's answer, never a second effect; the same
 * key with another body is refused. Keys are stored hashed, so a client's key never appears in Redis as given.
 */
export class IdempotencyStore {
  private readonly ttlMs: number;
  private readonly pendingTtlMs: number;
  private readonly waitMs: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    o: IdempotencyStoreOptions = {},
  ) {
    this.ttlMs = o.ttlMs ?? 86_400_000;
    this.pendingTtlMs = o.pendingTtlMs ?? 60_000;
    this.waitMs = o.waitMs ?? 5000;
  }

  /** The fingerprint of a request: its JSON with keys sorted, so key order and spacing do not matter. */
  static fingerprint(value: unknown): string {
    return createHash('sha256').update(canonicalJson(value)).digest('hex');
  }

  async claim(key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const k = this.key(key);
    const deadline = Date.now() + this.waitMs;
    for (;;) {
      const set = await this.redis.set(k, JSON.stringify({ fp: fingerprint } satisfies Entry), 'PX', this.pendingTtlMs, 'NX');
      if (set === 'OK') return { kind: 'first' };
      const raw = await this.redis.get(k);
      if (raw === null) continue; // expired or abandoned in between: try again
      const e = parseEntry(raw);
      if (!e || e.fp !== fingerprint) return { kind: 'mismatch' };
      if (e.status !== undefined) return { kind: 'replay', status: e.status, body: e.body };
      if (Date.now() >= deadline) return { kind: 'pending' };
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Keeps the answer for repeats (`ttlMs`). */
  async complete(key: string, fingerprint: string, status: number, body: unknown): Promise<void> {
    await this.redis.set(this.key(key), JSON.stringify({ fp: fingerprint, status, body } satisfies Entry), 'PX', this.ttlMs);
  }

  /** The request failed before any effect: the key is free again. */
  async abandon(key: string): Promise<void> {
    await this.redis.del(this.key(key));
  }

  private key(key: string): string {
    return this.keys.idempotency(createHash('sha256').update(key).digest('hex'));
  }
}

function parseEntry(raw: string): Entry | undefined {
  try {
    const v = JSON.parse(raw) as unknown;
    return typeof v === 'object' && v !== null && typeof (v as Entry).fp === 'string' ? (v as Entry) : undefined;
  } catch {
    return undefined;
  }
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .filter((k) => o[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
