import type pg from 'pg';
import type { AuditEntry, AuditLog, AuditQuery } from './audit-entry.js';

/** The record in PostgreSQL's `audit` table (migration 5): kept as long as the database keeps it. */
export class PgAuditLog implements AuditLog {
  constructor(private readonly pool: pg.Pool) {}

  async record(e: AuditEntry): Promise<void> {
    await this.pool.query('INSERT INTO audit (at, who, source, via, action, campaign_id, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      e.at,
      e.who,
      e.from,
      e.via,
      e.action,
      e.campaignId ?? null,
      e.outcome,
      e.detail ? JSON.stringify(e.detail) : null,
    ]);
  }

  async list(q: AuditQuery = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.campaignId !== undefined) where.push(`campaign_id = $${args.push(q.campaignId)}`);
    if (q.since !== undefined) where.push(`at >= $${args.push(new Date(q.since).toISOString())}`);
    const sql = `SELECT at, who, source, via, action, campaign_id, outcome, detail FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.push(q.limit ?? 100)}`;
    const r = await this.pool.query(sql, args);
    return r.rows.map((row: Record<string, unknown>) => ({
      at: (row.at as Date).toISOString(),
      who: row.who as string,
      from: row.source as string,
      via: row.via as AuditEntry['via'],
      action: row.action as AuditEntry['action'],
      ...(row.campaign_id ? { campaignId: row.campaign_id as string } : {}),
      outcome: row.outcome as AuditEntry['outcome'],
      ...(row.detail ? { detail: row.detail as AuditEntry['detail'] } : {}),
    }));
  }
}
