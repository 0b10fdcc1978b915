import type pg from 'pg';
import type { DeletableHistory } from '../deletable-history.js';
import Cursor from 'pg-cursor';
import type { AttemptRecord } from '../../report/attempt-record.js';
import type { CampaignCounters, CampaignMeta } from '../campaign-store.js';
import { parseSettings } from '../../policy/campaign-settings.js';
import { historyPool, type HistoryPoolOptions } from './history-pool.js';
import { migrate, schemaVersion, type MigrateResult } from './migrate.js';
import { ATTEMPT_COLUMNS, FINAL_COLUMNS, asAttemptRecord, attemptRow, columnNames, finalRow, type OutboxEntry } from './history-rows.js';

export interface HistoryStoreOptions extends HistoryPoolOptions {
  /** Rows fetched per round trip when streaming a report. @defaultValue 2000 */
  readBatch?: number;
}

/** What a campaign's row keeps once it is archived: enough to list it and show its page without Redis. */
export interface CampaignSnapshot {
  counters?: CampaignCounters;
  /** BullMQ's counts at archive time (the queue itself is gone from Redis). */
  queue?: Record<string, number>;
  causes?: Array<{ cause: string; count: number }>;
}

export interface StoredCampaign {
  meta: CampaignMeta;
  snapshot: CampaignSnapshot;
  archivedAt?: string;
}

/**
 * Call history in PostgreSQL: campaigns, every attempt, each number's final result. Writes are batched and
 * idempotent (by channel id for attempts, by campaign and number for finals), so the archiver may deliver an outbox
 * entry twice after a crash without adding a row. Reads stream through a server-side cursor (memory flat).
 */
export class HistoryStore implements DeletableHistory {
  readonly pool: pg.Pool;
  readonly schema: string;
  private readonly readBatch: number;

  constructor(o: HistoryStoreOptions) {
    ({ pool: this.pool, schema: this.schema } = historyPool(o));
    this.readBatch = o.readBatch ?? 2000;
    if (!(this.readBatch >= 1)) throw new RangeError(`readBatch must be >= 1, got ${this.readBatch}`);
  }

  migrate(): Promise<MigrateResult> {
    return migrate(this.pool, this.schema);
  }

  schemaVersion(): Promise<number> {
    return schemaVersion(this.pool);
  }

  /** Writes a batch of outbox entries in one transaction. Returns the rows actually added (duplicates add none). */
  async write(entries: readonly OutboxEntry[]): Promise<{ attempts: number; finals: number }> {
    const attempts = entries.filter((e) => e.k === 'a').map(attemptRow);
    const finals = entries.filter((e) => e.fs === 1).map(finalRow);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const a = attempts.length
        ? await client.query(
            `INSERT INTO attempts (${columnNames(ATTEMPT_COLUMNS)}) SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${ATTEMPT_COLUMNS}) ON CONFLICT DO NOTHING`,
            [JSON.stringify(attempts)],
          )
        : undefined;
      const f = finals.length
        ? await client.query(
            `INSERT INTO finals (${columnNames(FINAL_COLUMNS)}) SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(${FINAL_COLUMNS}) ON CONFLICT DO NOTHING`,
            [JSON.stringify(finals)],
          )
        : undefined;
      // A number of a list kept here (contacts) is done once its final result is: the feeder never takes it again.
      if (finals.length) {
        await client.query(
          `UPDATE contacts c SET state = 'done' FROM jsonb_to_recordset($1::jsonb) AS x(campaign_id text, number text)
           WHERE c.campaign_id = x.campaign_id AND c.number = x.number AND c.state <> 'done'`,
          [JSON.stringify(finals.map((r) => ({ campaign_id: r.campaign_id, number: r.number })))],
        );
      }
      await client.query('COMMIT');
      return { attempts: a?.rowCount ?? 0, finals: f?.rowCount ?? 0 };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Creates the campaign's row, or brings it up to date (state, counters, and the snapshot once archived). */
  async saveCampaign(meta: CampaignMeta, snapshot: CampaignSnapshot = {}, archivedAt?: string): Promise<void> {
    const { webhook, ...settings } = meta.settings;
    // The webhook's signing secret stays in Redis: SQL readers get its URL and rate only.
    const publicSettings = webhook ? { ...settings, webhook: { ...webhook, secret: undefined } } : settings;
    await this.pool.query(
      `INSERT INTO campaigns (id, name, state, created_at, finished_at, settings, counters, queue, causes, archived_at, cancelled_at, paused_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, state = EXCLUDED.state, finished_at = EXCLUDED.finished_at,
         cancelled_at = EXCLUDED.cancelled_at, paused_ms = EXCLUDED.paused_ms,
         counters = coalesce(EXCLUDED.counters, campaigns.counters), queue = coalesce(EXCLUDED.queue, campaigns.queue),
         causes = coalesce(EXCLUDED.causes, campaigns.causes), archived_at = coalesce(EXCLUDED.archived_at, campaigns.archived_at)`,
      [
        meta.id,
        meta.name,
        meta.state,
        meta.createdAt || new Date().toISOString(),
        meta.finishedAt ?? null,
        JSON.stringify(publicSettings),
        snapshot.counters ? JSON.stringify(snapshot.counters) : null,
        snapshot.queue ? JSON.stringify(snapshot.queue) : null,
        snapshot.causes ? JSON.stringify(snapshot.causes) : null,
        archivedAt ?? null,
        meta.cancelledAt ?? null,
        meta.pausedTime?.ms ?? 0,
      ],
    );
  }

  async campaign(id: string): Promise<StoredCampaign | undefined> {
    const r = await this.pool.query(`SELECT * FROM campaigns WHERE id = $1`, [id]);
    return r.rows[0] ? toCampaign(r.rows[0] as Record<string, unknown>) : undefined;
  }

  /** Every campaign, newest first. */
  async campaigns(): Promise<StoredCampaign[]> {
    const r = await this.pool.query(`SELECT * FROM campaigns ORDER BY created_at DESC`);
    return r.rows.flatMap((row: Record<string, unknown>) => toCampaign(row) ?? []);
  }

  /** Every attempt of a campaign in the order they were archived (the order they ended), streamed. */
  attempts(campaignId: string): AsyncGenerator<AttemptRecord> {
    return this.stream(`SELECT record FROM attempts WHERE campaign_id = $1 ORDER BY seq`, [campaignId]);
  }

  /** Each number's final result, streamed. */
  finals(campaignId: string): AsyncGenerator<AttemptRecord> {
    return this.stream(`SELECT record FROM finals WHERE campaign_id = $1 ORDER BY seq`, [campaignId]);
  }

  /**
   * Whether a campaign whose list is here has a contact not done yet: waiting, a retry parked here, or queued with
   * its final not written here yet. Such a campaign is not over for PostgreSQL, whatever Redis says (the partial indexes make it cheap).
   */
  async contactsOpen(campaignId: string): Promise<boolean> {
    const r = await this.pool.query<{ x: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM contacts WHERE campaign_id = $1 AND state = 'waiting') OR EXISTS (SELECT 1 FROM contacts WHERE campaign_id = $1 AND state = 'queued')
         OR EXISTS (SELECT 1 FROM contacts WHERE campaign_id = $1 AND state = 'retry') AS x`,
      [campaignId],
    );
    return r.rows[0]?.x === true;
  }

  async finalFor(campaignId: string, number: string): Promise<AttemptRecord | undefined> {
    const r = await this.pool.query<{ record: unknown }>(`SELECT record FROM finals WHERE campaign_id = $1 AND number = $2`, [campaignId, number]);
    return asAttemptRecord(r.rows[0]?.record);
  }

  async attemptByChannel(channelId: string): Promise<AttemptRecord | undefined> {
    const r = await this.pool.query<{ record: unknown }>(`SELECT record FROM attempts WHERE channel_id = $1`, [channelId]);
    return asAttemptRecord(r.rows[0]?.record);
  }

  /** A page of a campaign's attempts, newest first (the caller knows the total from the counters). */
  async latestAttempts(campaignId: string, o: { offset: number; limit: number; disposition?: string }): Promise<AttemptRecord[]> {
    const r = o.disposition
      ? await this.pool.query(`SELECT record FROM attempts WHERE campaign_id = $1 AND disposition = $2 ORDER BY seq DESC OFFSET $3 LIMIT $4`, [
          campaignId,
          o.disposition,
          o.offset,
          o.limit,
        ])
      : await this.pool.query(`SELECT record FROM attempts WHERE campaign_id = $1 ORDER BY seq DESC OFFSET $2 LIMIT $3`, [campaignId, o.offset, o.limit]);
    return r.rows.flatMap((row: { record: unknown }) => asAttemptRecord(row.record) ?? []);
  }

  /**
   * A campaign's attempts archived after `afterSeq`, oldest first, with their `seq` (a live figure reads on from the
   * last one it saw; one archiver writes a campaign at a time, so rows become visible in seq order). A row whose
   * record does not check out comes back without it, so that the reader still moves past it.
   */
  async attemptsAfter(campaignId: string, afterSeq: number, limit: number): Promise<Array<{ seq: number; record?: AttemptRecord }>> {
    const r = await this.pool.query(`SELECT seq, record FROM attempts WHERE campaign_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [
      campaignId,
      afterSeq,
      limit,
    ]);
    return (r.rows as Array<{ seq: string; record: unknown }>).map((row) => ({ seq: Number(row.seq), record: asAttemptRecord(row.record) }));
  }

  /** Every campaign holding a number, with its attempts and final result there (search across campaigns). */
  async searchNumber(number: string, campaignIds?: readonly string[]): Promise<Map<string, { final?: AttemptRecord; attempts: AttemptRecord[] }>> {
    const only = campaignIds ? ' AND campaign_id = ANY($2)' : '';
    const params = campaignIds ? [number, campaignIds] : [number];
    const [a, f] = await Promise.all([
      this.pool.query(`SELECT campaign_id, record FROM attempts WHERE number = $1${only} ORDER BY seq`, params),
      this.pool.query(`SELECT campaign_id, record FROM finals WHERE number = $1${only}`, params),
    ]);
    const out = new Map<string, { final?: AttemptRecord; attempts: AttemptRecord[] }>();
    const slot = (id: string) => out.get(id) ?? (out.set(id, { attempts: [] }), out.get(id)!);
    for (const row of a.rows as Array<{ campaign_id: string; record: unknown }>) {
      const rec = asAttemptRecord(row.record);
      if (rec) slot(row.campaign_id).attempts.push(rec);
    }
    for (const row of f.rows as Array<{ campaign_id: string; record: unknown }>) {
      const rec = asAttemptRecord(row.record);
      if (rec) slot(row.campaign_id).final = rec;
    }
    return out;
  }

  /** `campaign delete --history`: the campaign, its attempts, its finals and its list, in one transaction. */
  async deleteCampaign(campaignId: string): Promise<{ attempts: number }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const a = await client.query('DELETE FROM attempts WHERE campaign_id = $1', [campaignId]);
      await client.query('DELETE FROM finals WHERE campaign_id = $1', [campaignId]);
      await client.query('DELETE FROM campaigns WHERE id = $1', [campaignId]);
      await client.query('DELETE FROM contacts WHERE campaign_id = $1', [campaignId]);
      await client.query('COMMIT');
      return { attempts: a.rowCount ?? 0 };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async *stream(sql: string, params: unknown[]): AsyncGenerator<AttemptRecord> {
    const client = await this.pool.connect();
    const cursor = client.query(new Cursor<{ record: unknown }>(sql, params));
    let broken = false;
    try {
      for (;;) {
        const rows = await cursor.read(this.readBatch);
        for (const row of rows) {
          const rec = asAttemptRecord(row.record);
          if (rec) yield rec;
        }
        if (rows.length < this.readBatch) return;
      }
    } catch (err) {
      broken = true;
      throw err;
    } finally {
      await cursor.close().catch(() => (broken = true));
      client.release(broken);
    }
  }
}

function toCampaign(row: Record<string, unknown>): StoredCampaign | undefined {
  let settings;
  try {
    settings = parseSettings(row.settings);
  } catch {
    return undefined;
  }
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : undefined);
  const state = String(row.state);
  const meta: CampaignMeta = {
    id: String(row.id),
    name: String(row.name),
    state: (['importing', 'running', 'paused', 'cancelled', 'finished'].includes(state) ? state : 'finished') as CampaignMeta['state'],
    createdAt: iso(row.created_at) ?? '',
    ...(iso(row.finished_at) ? { finishedAt: iso(row.finished_at) } : {}),
    ...(iso(row.cancelled_at) ? { cancelledAt: iso(row.cancelled_at) } : {}),
    ...(Number(row.paused_ms) > 0 ? { pausedTime: { ms: Number(row.paused_ms) } } : {}),
    settings,
  };
  const snapshot: CampaignSnapshot = {
    ...(row.counters && typeof row.counters === 'object' ? { counters: row.counters as CampaignCounters } : {}),
    ...(row.queue && typeof row.queue === 'object' ? { queue: row.queue as Record<string, number> } : {}),
    ...(Array.isArray(row.causes) ? { causes: row.causes as CampaignSnapshot['causes'] } : {}),
  };
  const archivedAt = iso(row.archived_at);
  return { meta, snapshot, ...(archivedAt ? { archivedAt } : {}) };
}
