import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { answers, findPostgresBin, startPrivatePostgres } from './private-postgres.js';

// What `npm test` does in a fresh clone with PostgreSQL's binaries installed and nothing listening on 5432.
describe('a private PostgreSQL for the test run', () => {
  it('starts from initdb on a loopback port, serves the history schema, and leaves nothing behind', async () => {
    expect(findPostgresBin(), 'initdb is installed (apt-get install postgresql)').toBeDefined();
    const priv = await startPrivatePostgres();
    expect(priv).toBeDefined();
    const url = new URL(priv!.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.port).not.toBe('5432');
    const client = new pg.Client({ connectionString: priv!.url });
    await client.connect();
    try {
      await client.query('CREATE SCHEMA t; CREATE TABLE t.x (n int); INSERT INTO t.x VALUES (1), (2)');
      expect((await client.query<{ s: number }>('SELECT sum(n)::int AS s FROM t.x')).rows[0]!.s).toBe(3);
      const dir = (await client.query<{ d: string }>('SHOW data_directory')).rows[0]!.d;
      await client.end();
      await priv!.stop();
      expect(existsSync(dir)).toBe(false);
      expect(await answers(priv!.url)).toBe(false);
    } finally {
      await client.end().catch(() => undefined);
    }
  }, 60_000);
});
