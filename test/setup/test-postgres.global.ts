/**
 * vitest globalSetup: the PostgreSQL the history tests use. `TEST_DATABASE_URL` when set, else
 * `postgres://postgres@127.0.0.1:5432/test` (handed to every test file through TEST_DATABASE_URL). Each test file
 * works in a schema of its own (test/helpers/pg-test.ts) and drops it at the end.
 *
 * Nothing answering is not a reason to skip: the PostgreSQL tests then fail, each with one line saying how to start
 * it. The Redis-only tests still run.
 */
import pg from 'pg';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export default async function setup(): Promise<undefined> {
  process.env.TEST_DATABASE_URL ||= DEFAULT_TEST_DATABASE_URL;
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch {
    process.stdout.write('tests: PostgreSQL does not answer at TEST_DATABASE_URL: the *.pg.test.ts files will fail\n');
  } finally {
    await client.end().catch(() => undefined);
  }
  return undefined;
}
