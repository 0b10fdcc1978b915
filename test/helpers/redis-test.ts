import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis } from '../../src/store/redis-connection.js';

/** Set by test/setup/test-redis.global.ts (6379, REDIS_URL or a private redis-server); 6379 outside vitest. */
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix of its own per test (hash-tagged like production), so suites can run in parallel on one Redis. */
export const testPrefix = (name: string): string => `{t-${name}-${randomBytes(4).toString('hex')}}`;

export function testRedis(): Redis {
  // The test Redis is one server (a cluster test makes its own).
  return connectRedis(REDIS_URL) as Redis;
}

export { dropPrefix } from '../../src/store/drop-prefix.js';

export async function waitUntil(what: string, pred: () => Promise<boolean> | boolean, timeoutMs = 20_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The most originates in any one-second sliding window. */
export function maxPerSecond(timestamps: readonly number[]): number {
  const t = [...timestamps].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while (t[hi]! - t[lo]! >= 1000) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
