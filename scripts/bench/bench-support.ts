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
