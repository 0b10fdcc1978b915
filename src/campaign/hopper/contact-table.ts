import type pg from 'pg';
import { dialJobId, type DialJobData } from '../job-data.js';

/**
 * What a contact's dial job carries besides campaign, number, row and attempt (stored as `contacts.data`); a parked
 * retry's also has its tries so far.
 */
export type ContactData = Omit<DialJobData, 'campaignId' | 'number' | 'row' | 'attempt' | 'refusals'>;

/**
 * waiting: not fed yet; queued: its job is (or was) in Redis; retry: its next attempt is parked here until
 * `not_before`; done: its final result is recorded.
 */
export type ContactState = 'waiting' | 'queued' | 'retry' | 'done';

/** Retries due at least this far ahead are parked in the list (a row) rather than kept in Redis (a delayed job, ~1 KB). */
export const PARK_RETRY_MIN_MS = 5000;

/** A contact taken for the hopper: its first attempt's job. */
export interface FedContact {
  jobId: string;
  data: DialJobData;
}

/**
 * A campaign's list in PostgreSQL (the `contacts` table, migration 2): what the feeder takes next, what it finds
 * queued, and the one statement that ends every waiting number when a campaign is cancelled or its end passes.
 * The pool's `search_path` names the schema (see historyPool).
 */
export class ContactTable {
  constructor(readonly pool: pg.Pool) {}

  /**
   * Takes up to `n` contacts: retries parked here that are due first, then waiting ones, highest lead_priority first
   * then row order; marks them queued in the same statement (SKIP LOCKED: two feeders at once would take different
   * rows, though the feeder lock allows one). Each comes back as the job of its next attempt.
   */
  async take(campaignId: string, n: number): Promise<FedContact[]> {
    if (n <= 0) return [];
    const due = await this.takeWhere(campaignId, `state = 'retry' AND not_before <= now()`, 'not_before', n);
    return due.length >= n ? due : [...due, ...(await this.takeWhere(campaignId, `state = 'waiting'`, 'lead_priority DESC, seq', n - due.length))];
  }

  private async takeWhere(campaignId: string, where: string, order: string, n: number): Promise<FedContact[]> {
    const r = await this.pool.query<{ number: string; row: number; data: ContactData | null; lead_priority: number; seq: string; attempt: number }>(
      `UPDATE contacts c SET state = 'queued', not_before = NULL
       FROM (SELECT number FROM contacts WHERE campaign_id = $1 AND ${where}
             ORDER BY ${order} LIMIT $2 FOR UPDATE SKIP LOCKED) next
       WHERE c.campaign_id = $1 AND c.number = next.number
       RETURNING c.number, c.row, c.data, c.lead_priority, c.seq, c.attempt`,
      [campaignId, n],
    );
    const rows = r.rows;
    // RETURNING has no order of its own: the hopper keeps the list's.
    rows.sort((a, b) => b.lead_priority - a.lead_priority || Number(a.seq) - Number(b.seq));
    return rows.map((c) => ({
      jobId: dialJobId(campaignId, c.number, c.attempt),
      data: { ...(c.data ?? {}), campaignId, number: c.number, row: c.row, attempt: c.attempt },
    }));
  }

  /**
   * Parks numbers' next attempts here until `delayMs` from now (PostgreSQL's clock), in one statement: each contact
   * leaves `queued` for `retry` with that attempt and its data (tries so far). Idempotent: an attempt already parked
   * (or taken again since) is left as it is and counts as parked. Returns, per number, false when its contact is in
   * no state to park it (no such row, or its attempt is ahead): the caller keeps that retry as a delayed job.
   */
  async parkMany(campaignId: string, items: ReadonlyArray<{ next: DialJobData; delayMs: number }>): Promise<Map<string, boolean>> {
    if (!items.length) return new Map();
    const rows = items.map(({ next, delayMs }) => {
      const { campaignId: _c, number, row: _row, attempt, refusals: _r, ...data } = next;
      return { number, attempt, delay_ms: Math.max(0, Math.round(delayMs)), data };
    });
    const r = await this.pool.query<{ number: string; parked: boolean }>(
      `WITH x AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS x(number text, attempt integer, delay_ms bigint, data jsonb)),
       p AS (
         UPDATE contacts c SET state = 'retry', attempt = x.attempt, not_before = now() + x.delay_ms * interval '1 millisecond', data = x.data
         FROM x WHERE c.campaign_id = $1 AND c.number = x.number AND c.state = 'queued' AND c.attempt < x.attempt RETURNING c.number
       )
       SELECT x.number, EXISTS (SELECT 1 FROM p WHERE p.number = x.number)
         OR EXISTS (SELECT 1 FROM contacts c WHERE c.campaign_id = $1 AND c.number = x.number AND c.attempt >= x.attempt) AS parked
       FROM x`,
      [campaignId, JSON.stringify(rows)],
    );
    return new Map(r.rows.map((x) => [x.number, x.parked]));
  }

  /** A page of queued contacts (their jobs should be in Redis), by seq after `afterSeq`. */
  async queued(campaignId: string, afterSeq: number, limit: number): Promise<Array<{ number: string; seq: number }>> {
    const r = await this.pool.query<{ number: string; seq: string }>(
      `SELECT number, seq FROM contacts WHERE campaign_id = $1 AND state = 'queued' AND seq > $2 ORDER BY seq LIMIT $3`,
      [campaignId, afterSeq, limit],
    );
    return r.rows.map((x) => ({ number: x.number, seq: Number(x.seq) }));
  }

  /**
   * Queued contacts whose job vanished go back to waiting (a first attempt) or to a retry due now: the feeder takes
   * them again, with the same job id.
   */
  async requeue(campaignId: string, numbers: readonly string[]): Promise<number> {
    if (!numbers.length) return 0;
    const r = await this.pool.query(
      `UPDATE contacts SET state = CASE WHEN attempt > 1 THEN 'retry' ELSE 'waiting' END, not_before = CASE WHEN attempt > 1 THEN now() END
       WHERE campaign_id = $1 AND state = 'queued' AND number = ANY($2)`,
      [campaignId, numbers],
    );
    return r.rowCount ?? 0;
  }

  /**
   * Every waiting contact (and retry parked here) ends CANCELLED in one statement: marked done and given its final row (what
   * cancelledRecord gives a job in Redis; the endpoint with `{number}` filled, other placeholders as the template).
   * Returns how many were ended. Queued ones are ended where their jobs are (endQueued in src/campaign/end-queued.ts).
   */
  async cancelWaiting(campaignId: string, o: { endpoint: string; message: string; at: string }): Promise<number> {
    // One at a time per campaign (the cancel itself, a feeder finding waiting contacts meanwhile): a second one would
    // only wait on the first's row locks and find nothing. Whoever did not get the lock leaves it to the holder.
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const lock = await client.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('ari-dialer cancel-waiting ' || $1)) AS ok`, [campaignId]);
      if (!lock.rows[0]?.ok) {
        await client.query('ROLLBACK');
        return 0;
      }
      const n = await this.cancelWaitingIn(client, campaignId, o);
      await client.query('COMMIT');
      return n;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async cancelWaitingIn(client: pg.PoolClient, campaignId: string, o: { endpoint: string; message: string; at: string }): Promise<number> {
    const r = await client.query(
      `WITH c AS (
         UPDATE contacts SET state = 'done', not_before = NULL WHERE campaign_id = $1 AND state IN ('waiting', 'retry') RETURNING number, row, data, attempt
       )
       INSERT INTO finals (campaign_id, number, channel_id, row, attempt, disposition, answered, ended_at, record)
       SELECT $1, c.number, '', c.row, c.attempt - 1, 'CANCELLED', false, $4::timestamptz,
         jsonb_strip_nulls(jsonb_build_object(
           'status', 'success', 'answered', false, 'cause', 0, 'cause_txt', 'Unknown', 'message', $3::text,
           'disposition', 'CANCELLED', 'channel_id', '', 'endpoint', replace($2::text, '{number}', c.number),
           'callerid', coalesce(c.data->>'callerId', ''), 'created_at', $4::text, 'answered_at', null, 'ended_at', $4::text,
           'ring_s', 0, 'talk_s', 0, 'duration', 0, 'campaignId', $1::text, 'row', c.row, 'number', c.number,
           'attempt', c.attempt - 1, 'final', true, 'vars', c.data->'vars'))
       FROM c
       ON CONFLICT DO NOTHING`,
      [campaignId, o.endpoint, o.message, o.at],
    );
    return r.rowCount ?? 0;
  }

  /** Whether any contact is still waiting (not fed yet, or a retry parked). Cheap: the partial indexes of those rows. */
  async anyWaiting(campaignId: string): Promise<boolean> {
    const r = await this.pool.query<{ x: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM contacts WHERE campaign_id = $1 AND state = 'waiting') OR EXISTS (SELECT 1 FROM contacts WHERE campaign_id = $1 AND state = 'retry') AS x`,
      [campaignId],
    );
    return r.rows[0]?.x === true;
  }

  /**
   * Of these numbers, those whose final result is in PostgreSQL, with the attempt that ended them (their contact is
   * done in the same transaction: the feeder never takes them again).
   */
  async finalAttempts(campaignId: string, numbers: readonly string[]): Promise<Map<string, number>> {
    if (!numbers.length) return new Map();
    const r = await this.pool.query<{ number: string; attempt: number }>(`SELECT number, attempt FROM finals WHERE campaign_id = $1 AND number = ANY($2)`, [
      campaignId,
      numbers,
    ]);
    return new Map(r.rows.map((x) => [x.number, x.attempt]));
  }

  /** How many contacts are in each state. */
  async counts(campaignId: string): Promise<Record<ContactState, number>> {
    const r = await this.pool.query<{ state: ContactState; n: string }>(`SELECT state, count(*) AS n FROM contacts WHERE campaign_id = $1 GROUP BY state`, [
      campaignId,
    ]);
    const out: Record<ContactState, number> = { waiting: 0, queued: 0, retry: 0, done: 0 };
    for (const x of r.rows) out[x.state] = Number(x.n);
    return out;
  }

  /** Where one contact stands and the attempt its next job is, or undefined when the campaign has no such number. */
  async stateOf(campaignId: string, number: string): Promise<{ state: ContactState; attempt: number } | undefined> {
    const r = await this.pool.query<{ state: ContactState; attempt: number }>(`SELECT state, attempt FROM contacts WHERE campaign_id = $1 AND number = $2`, [
      campaignId,
      number,
    ]);
    return r.rows[0];
  }

  /**
   * Adds one contact (a call asked for over HTTP), ahead of the list by `leadPriority`. Returns false when the
   * campaign already has that number.
   */
  async insertOne(
    campaignId: string,
    c: { number: string; data: ContactData; leadPriority: number; state: ContactState },
  ): Promise<{ added: boolean; row: number }> {
    const r = await this.pool.query<{ row: number }>(
      `INSERT INTO contacts (campaign_id, number, row, seq, lead_priority, state, data)
       SELECT $1, $2, coalesce(max(seq), 0) + 1, coalesce(max(seq), 0) + 1, $3, $4, $5::jsonb FROM contacts WHERE campaign_id = $1
       ON CONFLICT DO NOTHING RETURNING row`,
      [campaignId, c.number, c.leadPriority, c.state, Object.keys(c.data).length ? JSON.stringify(c.data) : null],
    );
    return { added: (r.rowCount ?? 0) > 0, row: r.rows[0]?.row ?? 0 };
  }
}
