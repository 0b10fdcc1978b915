import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { maskUrl } from '../../src/ops/config-print.js';
import { HistoryStore, type HistoryStoreOptions } from '../../src/store/history/history-store.js';

/** Set by test/setup/test-postgres.global.ts; the same default outside vitest. */
export const DATABASE_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** A schema of its own per test file, so files can run in parallel on one database. */
export const testSchema = (name: string): string => `t_${name.replace(/[^a-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;

/** Fails with one line that says what to do when PostgreSQL does not answer (never skips). */
export async function requirePostgres(url = DATABASE_URL): Promise<void> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
  } catch (err) {
    throw new Error(
      `PostgreSQL does not answer at ${maskUrl(url)} (${(err as Error).message}): start it (pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set TEST_DATABASE_URL`,
      { cause: err },
    );
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** A migrated history store in a fresh schema; `drop()` removes the schema and closes the pool. */
export async function testHistory(
  name: string,
  extra: Partial<HistoryStoreOptions> = {},
): Promise<{ history: HistoryStore; schema: string; drop: () => Promise<void> }> {
  await requirePostgres();
  const schema = testSchema(name);
  const history = new HistoryStore({ url: DATABASE_URL, schema, ...extra });
  await history.migrate();
  return {
    history,
    schema,
    drop: async () => {
      await history.close().catch(() => undefined);
      await dropSchema(schema);
    },
  };
}

export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: DATABASE_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}
