import { Redis, type RedisOptions } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * A Redis connection as BullMQ needs it: commands wait through a Redis restart instead of failing
 * (`maxRetriesPerRequest: null`), and reconnects back off up to 2 s.
 */
export function connectRedis(url: string = DEFAULT_REDIS_URL, extra: RedisOptions = {}): Redis {
  return new Redis(url, {
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
