import { maskUrl } from './config-print.js';
import { check, skipped, type DoctorCheck } from './doctor-check.js';
import { HistoryStore } from '../store/history/history-store.js';
import { LATEST_VERSION } from '../store/history/migrations.js';

export interface PostgresDoctorOptions {
  /** DATABASE_URL. */
  url: string;
  /** @defaultValue 'public' */
  schema?: string;
  timeoutMs: number;
}

/** The history database: reachable, its schema at the version this ari-dialer needs, and writable by our user. */
export async function checkPostgres(o: PostgresDoctorOptions): Promise<DoctorCheck[]> {
  const shown = maskUrl(o.url);
  const h = new HistoryStore({ url: o.url, max: 1, connectTimeoutMs: o.timeoutMs, ...(o.schema ? { schema: o.schema } : {}) });
  try {
    let server: string;
    try {
      const r = await h.pool.query<{ v: string }>('SHOW server_version');
      server = r.rows[0]?.v ?? '?';
    } catch (err) {
      return [
        check(
          'postgres.reachable',
          'PostgreSQL reachable',
          'fail',
          `cannot reach ${shown}: ${(err as Error).message}`,
          'start PostgreSQL, or fix DATABASE_URL (or databaseUrl in the config file); results wait in Redis meanwhile',
        ),
        skipped('postgres.schema', 'History schema', 'PostgreSQL is not reachable'),
        skipped('postgres.write', 'History writable', 'PostgreSQL is not reachable'),
      ];
    }
    const out = [check('postgres.reachable', 'PostgreSQL reachable', 'pass', `${shown} answers (PostgreSQL ${server})`)];
    const v = await h.schemaVersion();
    if (v !== LATEST_VERSION) {
      out.push(
        check(
          'postgres.schema',
          'History schema',
          'fail',
          `version ${v}, this ari-dialer needs ${LATEST_VERSION}`,
          v < LATEST_VERSION ? 'run "ari-dialer db migrate" (or start a worker with --migrate)' : 'upgrade ari-dialer: the schema is newer than it knows',
        ),
        skipped('postgres.write', 'History writable', 'the schema is not the one this ari-dialer needs'),
      );
      return out;
    }
    out.push(check('postgres.schema', 'History schema', 'pass', `version ${v}`));
    // A real insert, rolled back: catches missing grants and read-only standbys alike.
    const client = await h.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO campaigns (id, name, state, created_at, settings) VALUES ('ari-dialer-doctor', 'doctor', 'finished', now(), '{}') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name`,
      );
      await client.query(`INSERT INTO attempts (channel_id, campaign_id, number, row, attempt, final, status, disposition, answered, cause, cause_txt, message, endpoint, callerid, ring_s, talk_s, duration, record)
        VALUES ('ari-dialer-doctor', 'ari-dialer-doctor', '0', 0, 1, true, 'success', 'ANSWERED', true, 16, '', '', '', '', 0, 0, 0, '{}') ON CONFLICT DO NOTHING`);
      out.push(check('postgres.write', 'History writable', 'pass', 'a test row was written (and rolled back)'));
    } catch (err) {
      out.push(
        check(
          'postgres.write',
          'History writable',
          'fail',
          `cannot write: ${(err as Error).message}`,
          'GRANT INSERT, UPDATE, SELECT on campaigns, attempts and finals to the DATABASE_URL user; point it at the primary, not a standby',
        ),
      );
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
    return out;
  } finally {
    await h.close().catch(() => undefined);
  }
}
