/**
 * vitest globalSetup: the PostgreSQL the history tests use, found or started, as test-redis.global.ts does for Redis.
 *
 * - `TEST_DATABASE_URL` set: used as is (and it must answer).
 * - otherwise `postgres://postgres@127.0.0.1:5432/test` if it answers,
 * - else (or with `ARI_DIALER_TEST_POSTGRES=private`) a private cluster from PostgreSQL's own binaries (initdb +
 *   postgres on a free loopback port, in a temporary directory removed at the end: test/setup/private-postgres.ts).
 *
 * The URL reaches every test file through TEST_DATABASE_URL. Each test file works in a schema of its own
 * (test/helpers/pg-test.ts) and drops it at the end. With neither a server nor the binaries, the *.pg.test.ts files
 * fail, each with one line saying how to start it; the Redis-only tests still run.
 */
import { answers, startPrivatePostgres } from './private-postgres.js';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  const forced = process.env.ARI_DIALER_TEST_POSTGRES === 'private';
  if (process.env.TEST_DATABASE_URL && !forced) {
    if (!(await answers(process.env.TEST_DATABASE_URL)))
      process.stdout.write('tests: PostgreSQL does not answer at TEST_DATABASE_URL: the *.pg.test.ts files will fail\n');
    return undefined;
  }
  if (!forced && (await answers(DEFAULT_TEST_DATABASE_URL))) {
    process.env.TEST_DATABASE_URL = DEFAULT_TEST_DATABASE_URL;
    return undefined;
  }
  const priv = await startPrivatePostgres();
  if (!priv) {
    process.env.TEST_DATABASE_URL = DEFAULT_TEST_DATABASE_URL;
    process.stdout.write('tests: nothing answers at 127.0.0.1:5432 and PostgreSQL (initdb) is not installed: the *.pg.test.ts files will fail\n');
    return undefined;
  }
  const why = forced ? 'ARI_DIALER_TEST_POSTGRES=private' : 'no PostgreSQL at 127.0.0.1:5432';
  process.stdout.write(`tests: ${why}: started a private PostgreSQL at ${priv.url} (a temporary cluster)\n`);
  process.env.TEST_DATABASE_URL = priv.url;
  return async () => {
    await priv.stop();
    process.stdout.write(`tests: stopped the private PostgreSQL at ${priv.url}\n`);
  };
}
