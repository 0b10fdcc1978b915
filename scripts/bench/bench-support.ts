// Small pieces the Redis and PostgreSQL benches share: where Redis bytes are by kind of key, and one-off admin SQL.
import pg from 'pg';
import { keyFootprint } from '../../src/store/key-footprint.js';
import type { RedisClient } from '../../src/store/lua-script.js';

/**
 * The kind of a key, from what follows the prefix: `:bull:dial-x:<campaign>|<number>|a1` → `bull job`,
 * `:c:{x}:bull:dial-x:events` → `bull events`, `:c:x:attempt-ids` → `attempt-ids`, `:witnessed:…` → `witnessed`.
 */
export function kindOf(rest: string): string {
  if (rest.includes(':bull:')) return /\|a\d+$|:\d+$/.test(rest) ? 'bull job' : `bull ${rest.split(':').at(-1)}`;
  if (rest.startsWith(':c:')) return rest.split(':').length > 3 ? rest.split(':').at(-1)! : 'campaign';
  return rest.split(':')[1] ?? rest;
}

/** MEMORY USAGE of every key under a prefix (BullMQ's too), summed; `kinds` gets the bytes per kind of key. */
export async function prefixBytes(redis: RedisClient, prefix: string, kinds?: Record<string, number>): Promise<number> {
  const f = await keyFootprint(redis, { starts: [prefix], list: kinds !== undefined });
  for (const { key, bytes } of f.list ?? []) {
    const kind = kindOf(key.slice(prefix.length));
    kinds![kind] = (kinds![kind] ?? 0) + bytes;
  }
  return f.bytes;
}

/** One statement on a connection of its own (CREATE/DROP DATABASE cannot run in a pool's transaction). */
export async function adminQuery(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** The most timestamps in any one calendar second (12:00:01.000–12:00:01.999). */
export function maxInCalendarSecond(ts: readonly number[]): number {
  const per = new Map<number, number>();
  for (const t of ts) per.set(Math.floor(t / 1000), (per.get(Math.floor(t / 1000)) ?? 0) + 1);
  return Math.max(0, ...per.values());
}

/** The most timestamps in any sliding one-second window. */
export function maxInOneSecond(sorted: readonly number[]): number {
  let best = 0;
  for (let hi = 0, lo = 0; hi < sorted.length; hi++) {
    while (sorted[hi]! - sorted[lo]! >= 1000) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
