import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { RedisClient } from '../../store/lua-script.js';
import { goodRows, jobData, newCounts, readBatches, unsuppressed, type ImportCounts, type ImportOptions } from '../import/import-contacts.js';
import type { ContactRow } from '../import/contact-row.js';
import { SeenNumbers } from './seen-numbers.js';
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
  /**
   * The campaign has no contacts yet (it is being created): the numbers new to the file are copied straight into
   * `contacts`, while the file is read (PostgreSQL works on the other core), with no second pass. @defaultValue false
   */
  fresh?: boolean;
}

/** The import's counts, and whether the rows were kept (`accepted` of them added to the campaign's list). */
export interface CopyContactsResult extends ImportCounts {
  stored: boolean;
}

/** Repeated numbers held before they are copied (in line order, after the rest): a bound on memory, flushed past it. */
const MAX_REPEATS_BYTES = 8 * 1024 * 1024;

/**
 * Streams a contacts CSV into the `contacts` table with COPY, checked row by row exactly as an import into Redis
 * (every bad line named, placeholders, suppression), in ONE transaction and ONE pass over the file. A number seen
 * for the first time in the file (SeenNumbers) goes to `contacts` directly when the campaign is new, else to a
 * temporary table and then into `contacts` in one INSERT, where numbers the campaign already has are dropped (`ON
 * CONFLICT DO NOTHING`). A number the file may repeat goes to the temporary table too, and in line order after the
 * others, so its first line wins. Either way the dropped ones count as duplicates. A strict import with a bad row, a
 * preview, or a file that breaks half way (CsvFormatError) rolls everything back: nothing of it is stored.
 *
 * Why COPY (pg-copy-streams): it is PostgreSQL's bulk path, one stream per import with no per-row round trip or
 * statement, and it takes backpressure, so memory stays flat for any size of file. Multi-row INSERTs measured about
 * a third of its rate here and cap the parameters per statement. Why no ORDER BY over the whole file: sorting 2M
 * staged rows spilled to disk and was the import's largest single cost; only the (few) repeated numbers need it.
 */
export async function copyContacts(o: CopyContactsOptions): Promise<CopyContactsResult> {
  const counts = newCounts();
  const client = await o.pool.connect();
  let open = false;
  try {
    await client.query('BEGIN');
    open = true;
    await client.query(`CREATE TEMP TABLE contacts_in (number text, line integer, lead_priority integer, data jsonb, maybe_seen boolean) ON COMMIT DROP`);
    const direct = o.fresh === true && o.mode !== 'preview';
    const mainCopy = direct
      ? 'COPY contacts (campaign_id, number, row, seq, lead_priority, data) FROM STDIN'
      : 'COPY contacts_in (number, line, lead_priority, data, maybe_seen) FROM STDIN';
    let main = startCopy(client, mainCopy);
    let copiedDirect = 0;
    let repeats: string[] = [];
    let repeatBytes = 0;
    const flushRepeats = async () => {
      if (!repeats.length) return;
      await main.end();
      const r = startCopy(client, 'COPY contacts_in (number, line, lead_priority, data, maybe_seen) FROM STDIN');
      await r.write(repeats.join(''));
      await r.end();
      [repeats, repeatBytes] = [[], 0];
      main = startCopy(client, mainCopy);
    };
    // An empty do-not-call list (the usual case) needs no lookup per batch.
    const suppressionKey = (await o.redis.scard(o.suppressionKey)) > 0 ? o.suppressionKey : undefined;
    const seen = new SeenNumbers();
    try {
      for await (const batch of readBatches(o, o.settings)) {
        const good = goodRows(batch, counts, o, o.settings);
        const keep = await unsuppressed(o.redis, suppressionKey, good, o.suppression, counts);
        let text = '';
        for (const row of keep) {
          const first = seen.add(row.number);
          const line = copyLine(o.campaignId, o.settings, row, first && direct ? 'contacts' : 'staged', !first);
          if (first) text += line;
          else {
            repeats.push(line);
            repeatBytes += line.length;
          }
          if (first && direct) copiedDirect++;
        }
        if (text) await main.write(text);
        if (repeatBytes > MAX_REPEATS_BYTES) await flushRepeats();
        counts.accepted += keep.length;
        o.onProgress?.(counts);
      }
      await flushRepeats();
      await main.end();
    } catch (err) {
      main.destroy(err as Error);
      throw err;
    }
    const staged = counts.accepted;
    const keep = o.mode === 'skip-invalid' || (o.mode === 'strict' && counts.rejected === 0);
    if (!keep) {
      // Counted as the kept import would: numbers the file repeats or the campaign already has.
      const fresh = await client.query<{ n: string }>(
        `SELECT count(DISTINCT number) AS n FROM contacts_in i WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.campaign_id = $1 AND c.number = i.number)`,
        [o.campaignId],
      );
      counts.accepted = copiedDirect + Number(fresh.rows[0]?.n ?? 0);
      counts.duplicates += staged - counts.accepted;
      await client.query('ROLLBACK');
      open = false;
      return { ...counts, stored: false };
    }
    // Appended files follow the rows already there (seq); lead_priority then orders the whole list. Numbers new to
    // the file need no order (each is there once): only those it may repeat go in line order, so the first one wins.
    let inserted = copiedDirect;
    for (const repeated of [false, true]) {
      const r = await client.query(
        `INSERT INTO contacts (campaign_id, number, row, seq, lead_priority, state, data)
         SELECT $1, number, line, base.seq + line, coalesce(lead_priority, 0), 'waiting', data
         FROM contacts_in, (SELECT coalesce(max(seq), 0) AS seq FROM contacts WHERE campaign_id = $1 AND NOT $3) base
         WHERE maybe_seen = $2 ${repeated ? 'ORDER BY line' : ''}
         ON CONFLICT DO NOTHING`,
        [o.campaignId, repeated, direct],
      );
      inserted += r.rowCount ?? 0;
    }
    await client.query('COMMIT');
    open = false;
    counts.accepted = inserted;
    counts.duplicates += staged - counts.accepted;
    return { ...counts, stored: true };
  } finally {
    if (open) await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

/** One COPY … FROM STDIN on the connection: write with backpressure, end and wait for PostgreSQL's answer. */
function startCopy(client: pg.PoolClient, sql: string) {
  const stream = client.query(copyFrom(sql));
  const done = finished(stream);
  done.catch(() => undefined);
  return {
    write: async (text: string) => {
      if (!stream.write(text)) await Promise.race([once(stream, 'drain'), done]);
    },
    end: async () => {
      stream.end();
      await done;
    },
    destroy: (err: Error) => stream.destroy(err),
  };
}

/**
 * One line of COPY's text format (tab-separated, `\N` for null, backslash escapes): for `contacts` itself (a new
 * campaign: seq is the line) or for the staging table.
 */
function copyLine(campaignId: string, s: CampaignSettings, row: ContactRow, to: 'contacts' | 'staged', maybeSeen: boolean): string {
  const { campaignId: _c, number, row: line, attempt: _a, ...rest } = jobData(campaignId, s, row);
  const data = Object.keys(rest).length ? escapeCopy(JSON.stringify(rest)) : '\\N';
  if (to === 'contacts') return `${escapeCopy(campaignId)}\t${escapeCopy(number)}\t${line}\t${line}\t${row.leadPriority ?? 0}\t${data}\n`;
  return `${escapeCopy(number)}\t${line}\t${row.leadPriority ?? '\\N'}\t${data}\t${maybeSeen ? 't' : 'f'}\n`;
}

const escapeCopy = (v: string): string => v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
