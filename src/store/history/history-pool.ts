import pg from 'pg';

export interface HistoryPoolOptions {
  /** `postgres://user:pass@host:5432/db` (DATABASE_URL). */
  url: string;
  /** Schema holding the tables (created by `db migrate`). @defaultValue 'public' */
  schema?: string;
  /** Connections at most. @defaultValue 4 */
  max?: number;
  /** Deadline to connect, ms. @defaultValue 5000 */
  connectTimeoutMs?: number;
}

/** Schema names reach SQL as identifiers: only plain ones. */
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A small pool whose connections look in `schema` first. An idle connection's error (PostgreSQL restarted) is
 * logged by the pool's user, not thrown: pg would otherwise crash the process on an unhandled 'error' event.
 */
export function historyPool(o: HistoryPoolOptions): { pool: pg.Pool; schema: string } {
  const schema = o.schema ?? 'public';
  if (!SCHEMA.test(schema)) throw new RangeError(`schema must be a plain lower-case SQL name, got ${JSON.stringify(schema)}`);
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.max ?? 4,
    connectionTimeoutMillis: o.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    options: `-c search_path=${schema}`,
    application_name: 'ari-dialer',
  });
  pool.on('error', () => undefined);
  return { pool, schema };
}
