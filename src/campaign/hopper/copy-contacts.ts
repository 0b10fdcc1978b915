import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { RedisClient } from '../../store/lua-script.js';
import { goodRows, jobData, newCounts, readBatches, unsuppressed, type ImportCounts, type ImportOptions } from '../import/import-contacts.js';
import type { ContactRow } from '../import/contact-row.js';
import type { CampaignSettings } from '../../policy/campaign-settings.js';

export interface CopyContactsOptions extends ImportOptions {
  pool: pg.Pool;
  redis: RedisClient;
  /** The Redis-kept do-not-call list (a set of numbers). */
  suppressionKey: string;
  campaignId: string;
  settings: CampaignSettings;
  /**
   * What decides, once every row was read, whether the rows are kept: `strict` keeps them only when no row was bad
   * (an upload without --skip-invalid), `skip-invalid` keeps the good ones, `preview` keeps nothing.
   */
  mode: 'strict' | 'skip-invalid' | 'preview';
}

/** The import's counts, and whether the rows were kept (`accepted` of them added to the campaign's list). */
export interface CopyContactsResult extends ImportCounts {
  stored: boolean;
}

/**
 * Streams a contacts CSV into the `contacts` table with COPY, checked row by row exactly as an import into Redis
 * (every bad line named, placeholders, suppression), in ONE transaction and ONE pass over the file: rows go to a
 * temporary table first, then into `contacts` in row order, where numbers the campaign (or the file) already has
 * are dropped (`ON CONFLICT DO NOTHING`) and counted as duplicates. A strict import with a bad row, a preview, or a
 * file that breaks half way (CsvFormatError) rolls everything back: nothing of it is stored.
 *
 * Why COPY (pg-copy-streams): it is PostgreSQL's bulk path, one stream per import with no per-row round trip or
 * statement, and it takes backpressure, so memory stays flat for any size of file. Multi-row INSERTs measured about
 * a third of its rate here and cap the parameters per statement.
 */
export async function copyContacts(o: CopyContactsOptions): Promise<CopyContactsResult> {
  const counts = newCounts();
  const client = await o.pool.connect();
  let open = false;
  try {
    await client.query('BEGIN');
    open = true;
    await client.query(`CREATE TEMP TABLE contacts_in (number text, line integer, lead_priority integer, data text) ON COMMIT DROP`);
    const copy = client.query(copyFrom('COPY contacts_in (number, line, lead_priority, data) FROM STDIN'));
    const copied = finished(copy);
    copied.catch(() => undefined);
    try {
      for await (const batch of readBatches(o, o.settings)) {
        const keep = await unsuppressed(o.redis, o.suppressionKey, goodRows(batch, counts, o, o.settings), o.suppression, counts);
        if (keep.length) {
          let text = '';
          for (const row of keep) text += copyLine(o.campaignId, o.settings, row);
          if (!copy.write(text)) await Promise.race([once(copy, 'drain'), copied]);
        }
        counts.accepted += keep.length;
        o.onProgress?.(counts);
      }
    } catch (err) {
      copy.destroy(err as Error);
      throw err;
    }
    copy.end();
    await copied;
    const staged = counts.accepted;
    const keep = o.mode === 'skip-invalid' || (o.mode === 'strict' && counts.rejected === 0);
    if (!keep) {
      // Counted as the kept import would: numbers the file repeats or the campaign already has.
      const fresh = await client.query<{ n: string }>(
        `SELECT count(DISTINCT number) AS n FROM contacts_in i WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.campaign_id = $1 AND c.number = i.number)`,
        [o.campaignId],
      );
      counts.accepted = Number(fresh.rows[0]?.n ?? 0);
      counts.duplicates += staged - counts.accepted;
      await client.query('ROLLBACK');
      open = false;
      return { ...counts, stored: false };
    }
    // Appended files follow the rows already there; lead_priority then orders the whole list.
    const inserted = await client.query(
      `INSERT INTO contacts (campaign_id, number, row, seq, lead_priority, state, data)
       SELECT $1, number, line, base.seq + line, coalesce(lead_priority, 0), 'waiting', data::jsonb
       FROM contacts_in, (SELECT coalesce(max(seq), 0) AS seq FROM contacts WHERE campaign_id = $1) base
       ORDER BY line
       ON CONFLICT DO NOTHING`,
      [o.campaignId],
    );
    await client.query('COMMIT');
    open = false;
    counts.accepted = inserted.rowCount ?? 0;
    counts.duplicates += staged - counts.accepted;
    return { ...counts, stored: true };
  } finally {
    if (open) await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

/** One line of COPY's text format: tab-separated, `\N` for null, backslash escapes. */
function copyLine(campaignId: string, s: CampaignSettings, row: ContactRow): string {
  const { campaignId: _c, number, row: line, attempt: _a, ...rest } = jobData(campaignId, s, row);
  const data = Object.keys(rest).length ? escapeCopy(JSON.stringify(rest)) : '\\N';
  return `${escapeCopy(number)}\t${line}\t${row.leadPriority ?? '\\N'}\t${data}\n`;
}

const escapeCopy = (v: string): string => v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
