import { Redis, type RedisOptions } from 'ioredis';
import { parseRedisUrl } from './redis-url.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Every Redis client of the dialer is made here, from a `redis://`, `rediss://` or `redis+sentinel://` URL (see
 * parseRedisUrl). Through Sentinel, ioredis asks the sentinels for the master, follows a failover (it listens for
 * +switch-master and reconnects when the old master turns replica and answers READONLY), and `duplicate()` (BullMQ's
 * blocking connections) keeps all of that.
 */
export function newRedis(url: string, options: RedisOptions): Redis {
  const target = parseRedisUrl(url);
  if (target.kind === 'standalone') return new Redis(url, options);
  return new Redis({
    failoverDetector: true,
    reconnectOnError: (err) => (err.message.startsWith('READONLY') ? 2 : false),
    ...target.options,
    ...options,
  });
}

/**
 * A Redis connection as BullMQ needs it: commands wait through a Redis restart instead of failing
 * (`maxRetriesPerRequest: null`), and reconnects back off up to 2 s.
 */
export function connectRedis(url: string = DEFAULT_REDIS_URL, extra: RedisOptions = {}): Redis {
  return newRedis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 100, 2000),
    lazyConnect: false,
    ...extra,
  });
}

/**
 * A pub/sub connection. No ready check: ioredis would send INFO on a connection that SUBSCRIBE already put in
 * subscriber mode, and fail with "Connection in subscriber mode".
 */
export function connectSubscriber(url: string = DEFAULT_REDIS_URL): Redis {
  return connectRedis(url, { enableReadyCheck: false });
}
