import type { Pool, PoolClient } from 'pg';
import { DialerError } from '../../errors.js';
import { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations.js';

/** Any fixed number: every process migrating the same database waits on it, so one applies each step. */
const MIGRATION_LOCK = 0x61726964; // "arid"

export interface MigrateResult {
  from: number;
  to: number;
  applied: Migration[];
}

/**
 * Brings the schema to the latest version: each missing step in its own transaction, recorded in
 * `schema_migrations`, under an advisory lock so that several workers started with `--migrate` at once do not race.
 */
export async function migrate(pool: Pool, schema: string): Promise<MigrateResult> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      // Under the lock: CREATE SCHEMA IF NOT EXISTS itself races (a unique violation) when two run at once.
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const from = await versionOf(client);
      if (from > LATEST_VERSION) throw newerSchema(from);
      const applied: Migration[] = [];
      for (const m of MIGRATIONS) {
        if (m.version <= from) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw new DialerError('HISTORY', `migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
        }
        applied.push(m);
      }
      return { from, to: Math.max(from, LATEST_VERSION), applied };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

/** The schema's version: 0 when nothing was migrated yet. */
export async function schemaVersion(pool: Pool | PoolClient): Promise<number> {
  const exists = await pool.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  if (!exists.rows[0]?.t) return 0;
  return versionOf(pool);
}

async function versionOf(q: Pool | PoolClient): Promise<number> {
  const r = await q.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return Number(r.rows[0]?.v ?? 0);
}

const newerSchema = (v: number) =>
  new DialerError('HISTORY', `the history schema is at version ${v}, newer than this ari-dialer knows (${LATEST_VERSION}): upgrade ari-dialer`);

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
