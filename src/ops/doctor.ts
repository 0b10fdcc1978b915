import { hostname } from 'node:os';
import { DEFAULT_PREFIX } from '../store/keys.js';
import { DEFAULT_REDIS_URL } from '../store/redis-connection.js';
import type { Logger } from '../log.js';
import { check, type DoctorCheck, type DoctorReport } from './doctor-check.js';
import { checkAri, type DoctorAriTarget } from './doctor-ari.js';
import { checkRedis } from './doctor-redis.js';
import type { ProbeOptions } from './doctor-probe.js';

export type { DoctorCheck, DoctorReport } from './doctor-check.js';
export type { DoctorAriTarget } from './doctor-ari.js';
export type { ProbeOptions } from './doctor-probe.js';

export interface DoctorOptions {
  /** The Asterisk servers to check: the one ARI_URL names, or every server the config file lists. None: not configured. */
  asterisks: readonly DoctorAriTarget[];
  /** Stasis app name the workers will use. @defaultValue `ari-dialer-doctor-<host>-<pid>` */
  app?: string;
  /** @defaultValue redis://127.0.0.1:6379 */
  redisUrl?: string;
  /** @defaultValue 'ari-dialer' */
  prefix?: string;
  /** The history database (DATABASE_URL); none: not checked (history stays in Redis). @defaultValue none */
  databaseUrl?: string;
  /** A test call per server. @defaultValue none */
  probe?: ProbeOptions;
  /** How long the WebSocket must stay ours (not replaced). @defaultValue 1000 */
  holdMs?: number;
  /** Deadline of each request and connection. @defaultValue 3000 */
  timeoutMs?: number;
  /** The local clock, compared with Asterisk's. @defaultValue Date.now */
  now?: () => number;
  logger?: Logger;
}

/**
 * Finds out why calls would not flow: every ARI server and Redis are checked at once, each check one line with what
 * to do about it. `ok` is false when any check failed; warnings do not fail.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const holdMs = options.holdMs ?? 1000;
  const timeoutMs = options.timeoutMs ?? 3000;
  if (!(holdMs >= 0)) throw new RangeError(`holdMs must be >= 0, got ${holdMs}`);
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0, got ${timeoutMs}`);
  const ariOptions = {
    app: options.app ?? `ari-dialer-doctor-${hostname()}-${process.pid}`,
    probe: options.probe,
    holdMs,
    timeoutMs,
    now: options.now ?? Date.now,
    logger: options.logger,
  };
  const several = options.asterisks.length > 1;
  const ari: Promise<DoctorCheck[]>[] = options.asterisks.map(async (target) => {
    const checks = await checkAri(target, ariOptions);
    if (!several || !target.name) return checks;
    return checks.map((c) => ({ ...c, server: target.name, title: `${c.title} [${target.name}]` }));
  });
  if (options.asterisks.length === 0) {
    ari.push(
      Promise.resolve([
        check(
          'ari.configured',
          'Asterisk configured',
          'fail',
          'no ARI_URL and no asterisks in the config file: workers would dial the built-in simulator',
          'set ARI_URL (e.g. http://127.0.0.1:8088/ari), ARI_USER and ARI_PASSWORD, or list servers under "asterisks" in --config FILE',
        ),
      ]),
    );
  }
  const redis = checkRedis({ url: options.redisUrl ?? DEFAULT_REDIS_URL, prefix: options.prefix ?? DEFAULT_PREFIX, timeoutMs });
  const postgres = options.databaseUrl
    ? import('./doctor-postgres.js').then(({ checkPostgres }) => checkPostgres({ url: options.databaseUrl!, timeoutMs }))
    : Promise.resolve([]);
  const checks = (await Promise.all([...ari, redis, postgres])).flat();
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}
