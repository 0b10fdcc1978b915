import type pg from 'pg';
import type { RedisClient } from '../lua-script.js';
import type { AuditEntry, AuditLog, AuditQuery } from './audit-entry.js';
import { PgAuditLog } from './pg-audit-log.js';

export type { AuditAction, AuditEntry, AuditLog, AuditQuery } from './audit-entry.js';
import type { Keys } from '../keys.js';

/** Entries the Redis stream keeps (older ones are trimmed, approximately). */
export const AUDIT_STREAM_MAX = 100_000;

/** A Redis stream of JSON entries, trimmed to about {@link AUDIT_STREAM_MAX}: bounded memory without PostgreSQL. */
export class RedisAuditLog implements AuditLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly maxLen = AUDIT_STREAM_MAX,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    const id = `${Date.parse(entry.at) || Date.now()}-*`;
    await this.redis.xadd(this.keys.audit, 'MAXLEN', '~', String(this.maxLen), id, 'e', JSON.stringify(entry)).catch(async () => {
      // An entry older than the stream's last (a clock behind another process's): let Redis pick the id.
      await this.redis.xadd(this.keys.audit, 'MAXLEN', '~', String(this.maxLen), '*', 'e', JSON.stringify(entry));
    });
  }

  async list(q: AuditQuery = {}): Promise<AuditEntry[]> {
    const limit = q.limit ?? 100;
    const out: AuditEntry[] = [];
    let end = '+';
    const start = q.since !== undefined ? `${Math.max(0, Math.floor(q.since))}-0` : '-';
    // Newest first, a page at a time, until enough match (a campaign's entries are among everyone's).
    for (;;) {
      const page = (await this.redis.xrevrange(this.keys.audit, end, start, 'COUNT', 500)) as Array<[string, string[]]>;
      for (const [, fields] of page) {
        const e = parseEntry(fields[1]);
        if (e && (q.campaignId === undefined || e.campaignId === q.campaignId)) out.push(e);
        if (out.length >= limit) return out;
      }
      if (page.length < 500) return out;
      end = `(${page[page.length - 1]![0]}`;
    }
  }
}

/** Checks an entry read back from storage (untrusted until here). */
export function parseEntry(raw: unknown): AuditEntry | undefined {
  let v: unknown = raw;
  if (typeof raw === 'string') {
    try {
      v = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const e = v as Record<string, unknown>;
  if (typeof e.at !== 'string' || typeof e.who !== 'string' || typeof e.action !== 'string' || typeof e.outcome !== 'string') return undefined;
  return e as unknown as AuditEntry;
}

/** The installation's record: PostgreSQL's `audit` table when the history is there, else the Redis stream. */
export function openAuditLog(o: { redis: RedisClient; keys: Keys; history?: { pool: pg.Pool } }): AuditLog {
  return o.history ? new PgAuditLog(o.history.pool) : new RedisAuditLog(o.redis, o.keys);
}
