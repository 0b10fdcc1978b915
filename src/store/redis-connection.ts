import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisClient } from './lua-script.js';
import { parseRedisUrl } from './redis-url.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Every Redis client of the dialer is made here, from a `redis://`, `rediss://`, `redis+sentinel://` or
 * `redis+cluster://` URL (see parseRedisUrl). Through Sentinel, ioredis asks the sentinels for the master, follows a
 * failover (it listens for +switch-master and reconnects when the old master turns replica and answers READONLY),
 * and `duplicate()` (BullMQ's blocking connections) keeps all of that. On a Cluster, ioredis routes each command by
 * its key's slot and follows MOVED/ASK; our keys put each campaign on one slot (see Keys), BullMQ's too.
 */
export function newRedis(url: string, options: RedisOptions): RedisClient {
  const target = parseRedisUrl(url);
  if (target.kind === 'standalone') return new Redis(url, options);
  if (target.kind === 'cluster') {
    const { retryStrategy, ...nodeOptions } = options;
    return new Cluster([...target.nodes], {
      redisOptions: { ...target.options, ...nodeOptions },
      enableReadyCheck: options.enableReadyCheck ?? true,
      ...(options.lazyConnect !== undefined ? { lazyConnect: options.lazyConnect } : {}),
      // Every command goes to its slot's master: results are read right after they are written.
      scaleReads: 'master',
      clusterRetryStrategy: retryStrategy ?? ((times) => Math.min(times * 100, 2000)),
    });
  }
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
export function connectRedis(url: string = DEFAULT_REDIS_URL, extra: RedisOptions = {}): RedisClient {
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
export function connectSubscriber(url: string = DEFAULT_REDIS_URL): RedisClient {
  return connectRedis(url, { enableReadyCheck: false });
}

/** A pub/sub connection to the same Redis as `redis` (see connectSubscriber). */
export function duplicateSubscriber(redis: RedisClient): RedisClient {
  return redis instanceof Cluster ? redis.duplicate() : redis.duplicate({ enableReadyCheck: false });
}

/** Is this URL's Redis a cluster? */
export const isClusterUrl = (url: string): boolean => parseRedisUrl(url).kind === 'cluster';
