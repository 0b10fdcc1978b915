import { connectRedis, DEFAULT_REDIS_URL } from '../store/redis-connection.js';
import type { RedisClient } from '../store/lua-script.js';
import { DialerError } from '../errors.js';
import { maskRedisUrl } from '../store/redis-url.js';

/** A CLI command should fail in seconds with a clear message when Redis is not there, not wait forever. */
export async function redisForCli(url: string = DEFAULT_REDIS_URL): Promise<RedisClient> {
  const redis = connectRedis(url, {
    maxRetriesPerRequest: 2,
    retryStrategy: (times) => (times > 3 ? null : 200),
    sentinelRetryStrategy: (times) => (times > 3 ? null : 200),
    connectTimeout: 3000,
  });
  redis.on('error', () => undefined);
  try {
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new DialerError('ARI_UNREACHABLE', `cannot reach Redis at ${safeUrl(url)}: ${(err as Error).message} (start redis-server or set REDIS_URL)`);
  }
  return redis;
}

/** Redis URLs may carry a password: never print it. */
export function safeUrl(url: string): string {
  return maskRedisUrl(url);
}
