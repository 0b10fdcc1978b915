import type { Redis } from 'ioredis';
import type { RedisClient } from '../store/lua-script.js';
import { newRedis } from '../store/redis-connection.js';
import { parseRedisUrl, type RedisTarget } from '../store/redis-url.js';
import { check, skipped, type DoctorCheck } from './doctor-check.js';
import { Keys } from '../store/keys.js';
import { maskUrl } from './config-print.js';

export interface RedisDoctorOptions {
  url: string;
  /** Key prefix: on Redis Cluster, best without a {hash tag} (each campaign then gets a slot of its own). */
  prefix: string;
  timeoutMs: number;
}

/** BullMQ refuses older servers and warns below the recommended version. */
const MIN_VERSION = '5.0.0';
const RECOMMENDED_VERSION = '6.2.0';

/** Redis reachable, its version, persistence, eviction policy and (on a cluster) the key prefix's hash tag. */
export async function checkRedis(o: RedisDoctorOptions): Promise<DoctorCheck[]> {
  const shown = maskUrl(o.url);
  let target: RedisTarget;
  try {
    target = parseRedisUrl(o.url);
  } catch (err) {
    return [
      check('redis.reachable', 'Redis reachable', 'fail', `${shown}: ${(err as Error).message}`, 'fix REDIS_URL (or redisUrl in the config file)'),
      skipped('redis.persistence', 'Redis persistence', 'Redis is not reachable'),
      skipped('redis.maxmemory', 'Redis maxmemory-policy', 'Redis is not reachable'),
    ];
  }
  const redis = newRedis(o.url, {
    lazyConnect: true,
    connectTimeout: o.timeoutMs,
    commandTimeout: o.timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    sentinelRetryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // connect() rejects with "Connection is closed."; the reason (ECONNREFUSED, ENOTFOUND, WRONGPASS) came as an error event.
  let reason: Error | undefined;
  redis.on('error', (err: Error) => (reason ??= err));
  try {
    try {
      await redis.connect();
      await redis.ping();
    } catch (err) {
      return [
        check(
          'redis.reachable',
          'Redis reachable',
          'fail',
          `cannot reach ${shown}: ${(reason ?? (err as Error)).message}`,
          'start redis-server, or point REDIS_URL (or redisUrl in the config file) at your Redis',
        ),
        skipped('redis.persistence', 'Redis persistence', 'Redis is not reachable'),
        skipped('redis.maxmemory', 'Redis maxmemory-policy', 'Redis is not reachable'),
      ];
    }
    const info = parseInfo(await redis.info());
    const stream = target.kind === 'sentinel' ? (redis as Redis).stream : undefined;
    const via =
      target.kind === 'sentinel'
        ? ` (master "${target.masterName}" at ${stream?.remoteAddress ?? '?'}:${stream?.remotePort ?? '?'}, found through Sentinel)`
        : '';
    const out: DoctorCheck[] = [check('redis.reachable', 'Redis reachable', 'pass', `${shown} answers${via}`)];
    out.push(versionCheck(info));
    out.push(await persistenceCheck(redis, info));
    out.push(evictionCheck(info));
    if (info.cluster_enabled === '1') out.push(clusterCheck(o.prefix));
    return out;
  } finally {
    redis.disconnect();
  }
}

export function parseInfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) out[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  return out;
}

function versionCheck(info: Record<string, string>): DoctorCheck {
  const [server, version] = info.valkey_version ? ['Valkey', info.valkey_version] : ['Redis', info.redis_version ?? '?'];
  const title = 'Redis version';
  if (server === 'Redis' && older(version, MIN_VERSION)) {
    return check('redis.version', title, 'fail', `Redis ${version}: BullMQ needs ${MIN_VERSION} or later`, `upgrade Redis to ${RECOMMENDED_VERSION} or later`);
  }
  if (server === 'Redis' && older(version, RECOMMENDED_VERSION)) {
    return check(
      'redis.version',
      title,
      'warn',
      `Redis ${version}: BullMQ recommends ${RECOMMENDED_VERSION} or later`,
      `upgrade Redis to ${RECOMMENDED_VERSION} or later`,
    );
  }
  return check('redis.version', title, 'pass', `${server} ${version}${info.redis_mode ? ` (${info.redis_mode})` : ''}`);
}

function older(version: string, than: string): boolean {
  const a = version.split('.').map(Number);
  const b = than.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

/** CONFIG may be renamed or refused on managed Redis: then INFO says whether AOF is on, and nothing about RDB. */
async function persistenceCheck(redis: RedisClient, info: Record<string, string>): Promise<DoctorCheck> {
  const title = 'Redis persistence';
  const aof = info.aof_enabled === '1';
  let save: string | undefined;
  let fsync: string | undefined;
  try {
    save = ((await redis.config('GET', 'save')) as string[])[1];
    fsync = ((await redis.config('GET', 'appendfsync')) as string[])[1];
  } catch {
    // Unknown: managed services often hide CONFIG.
  }
  const lost = 'a Redis restart or crash loses every queued job, retry, result and counter (calls would be placed again or never)';
  if (aof) {
    if (fsync === 'no')
      return check('redis.persistence', title, 'warn', 'AOF on with appendfsync no: a crash loses what the OS had not written yet', 'set appendfsync everysec');
    return check('redis.persistence', title, 'pass', `AOF on${fsync ? ` (appendfsync ${fsync})` : ''}${save ? `, RDB save "${save}"` : ''}`);
  }
  const fix = 'set appendonly yes and appendfsync everysec (redis.conf, or CONFIG SET appendonly yes then CONFIG REWRITE)';
  if (save === undefined)
    return check(
      'redis.persistence',
      title,
      'warn',
      'AOF off; RDB snapshots unknown (CONFIG not allowed here)',
      `make sure your provider persists data; else ${fix}`,
    );
  if (save.trim() === '') return check('redis.persistence', title, 'warn', `none (no AOF, no RDB snapshots): ${lost}`, fix);
  return check('redis.persistence', title, 'warn', `RDB snapshots only (save "${save}"): a crash loses everything since the last snapshot`, fix);
}

function evictionCheck(info: Record<string, string>): DoctorCheck {
  const title = 'Redis maxmemory-policy';
  const policy = info.maxmemory_policy;
  if (policy === undefined) return check('redis.maxmemory', title, 'warn', 'INFO did not say', 'make sure maxmemory-policy is noeviction');
  if (policy === 'noeviction') return check('redis.maxmemory', title, 'pass', 'noeviction');
  return check(
    'redis.maxmemory',
    title,
    'fail',
    `${policy}: when memory runs short Redis deletes keys, and BullMQ's jobs and locks vanish without a trace`,
    'set maxmemory-policy noeviction (then a full Redis refuses writes, which BullMQ reports) and give Redis memory to spare',
  );
}

function clusterCheck(prefix: string): DoctorCheck {
  const title = 'Redis Cluster key prefix';
  if (!new Keys(prefix).oneSlot)
    return check(
      'redis.cluster',
      title,
      'pass',
      `${prefix}: each campaign's keys (its BullMQ queues too) share a slot of their own, so campaigns spread over the shards`,
    );
  return check(
    'redis.cluster',
    title,
    'warn',
    `${prefix} has a {hash tag}: every key of the installation is on one slot, so one shard carries all of it`,
    'set DIALER_PREFIX without braces (e.g. ari-dialer) once no campaign of the old prefix is running',
  );
}
