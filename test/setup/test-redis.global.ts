/**
 * vitest globalSetup: finds the Redis the tests use, or starts one, the way `npm run demo` does, so that
 * `npm test` in a fresh clone needs no Redis set up by hand.
 *
 * - `TEST_REDIS_URL` set: used as is.
 * - `REDIS_URL` set: used, and it must answer.
 * - otherwise `redis://127.0.0.1:6379` if something answers there,
 * - else (or with `ARI_DIALER_TEST_REDIS=private`) a private `redis-server` child on a free port, keeping nothing on
 *   disk, stopped when the run ends.
 *
 * The choice reaches every test file through `TEST_REDIS_URL` (test/helpers/redis-test.ts reads it); tests that
 * spawn workers hand that URL on as the child's `REDIS_URL`.
 */
import { redisAnswers, startPrivateRedis } from '../../src/cli/private-redis.js';

const DEFAULT_URL = 'redis://127.0.0.1:6379';

export const NO_REDIS_SERVER =
  'the tests need Redis: nothing answers at 127.0.0.1:6379 and redis-server is not installed. Install it ' +
  '(Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.TEST_REDIS_URL) return undefined;
  const forced = process.env.ARI_DIALER_TEST_REDIS === 'private';
  if (!forced) {
    const url = process.env.REDIS_URL ?? DEFAULT_URL;
    if (await redisAnswers(url)) {
      process.env.TEST_REDIS_URL = url;
      return undefined;
    }
    // The URL may carry a password: name the variable, not its value.
    if (process.env.REDIS_URL) throw new Error('tests: nothing answers at REDIS_URL; unset it to use 127.0.0.1:6379 or a private redis-server');
  }
  const priv = await startPrivateRedis();
  if (!priv) throw new Error(NO_REDIS_SERVER);
  const why = forced ? 'ARI_DIALER_TEST_REDIS=private' : 'no Redis at 127.0.0.1:6379';
  process.stdout.write(`tests: ${why}: started a private redis-server at ${priv.url} (keeps nothing on disk)\n`);
  process.env.TEST_REDIS_URL = priv.url;
  return async () => {
    await priv.stop();
    process.stdout.write(`tests: stopped the private redis-server at ${priv.url}\n`);
  };
}
