import { keysStartingWith } from './drop-prefix.js';
import type { RedisClient } from './lua-script.js';

/** Keys and the bytes Redis holds for them (MEMORY USAGE: value, key and allocator overhead). */
export interface KeyFootprint {
  keys: number;
  bytes: number;
  /** Each key with its bytes, largest first (only when asked for). */
  list?: Array<{ key: string; bytes: number }>;
}

/** Measures the keys named in `exact` and every key beginning with one of `starts`, in SCAN pages. */
export async function keyFootprint(redis: RedisClient, o: { exact?: readonly string[]; starts?: readonly string[]; list?: boolean }): Promise<KeyFootprint> {
  const keys = new Set<string>();
  for (const k of o.exact ?? []) if (await redis.exists(k)) keys.add(k);
  for (const start of o.starts ?? []) for await (const found of keysStartingWith(redis, start)) for (const k of found) keys.add(k);
  const list: Array<{ key: string; bytes: number }> = [];
  const all = [...keys];
  for (let i = 0; i < all.length; i += 500) {
    const page = all.slice(i, i + 500);
    // SAMPLES 0: every element counted, not an estimate from five. One command per key (a cluster routes each).
    const res = await Promise.all(page.map((k) => redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0').catch(() => 0)));
    page.forEach((key, j) => list.push({ key, bytes: Number(res[j] ?? 0) || 0 }));
  }
  list.sort((a, b) => b.bytes - a.bytes);
  return { keys: list.length, bytes: list.reduce((a, b) => a + b.bytes, 0), ...(o.list ? { list } : {}) };
}
