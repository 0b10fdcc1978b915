import type { Redis } from 'ioredis';
import { startsWithPattern } from './drop-prefix.js';

/** Keys and the bytes Redis holds for them (MEMORY USAGE: value, key and allocator overhead). */
export interface KeyFootprint {
  keys: number;
  bytes: number;
  /** Each key with its bytes, largest first (only when asked for). */
  list?: Array<{ key: string; bytes: number }>;
}

/** Measures the keys named in `exact` and every key beginning with one of `starts`, in SCAN pages. */
export async function keyFootprint(redis: Redis, o: { exact?: readonly string[]; starts?: readonly string[]; list?: boolean }): Promise<KeyFootprint> {
  const keys = new Set<string>();
  for (const k of o.exact ?? []) if (await redis.exists(k)) keys.add(k);
  for (const start of o.starts ?? []) {
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', startsWithPattern(start), 'COUNT', 1000);
      cursor = next;
      for (const k of found) keys.add(k);
    } while (cursor !== '0');
  }
  const list: Array<{ key: string; bytes: number }> = [];
  const all = [...keys];
  for (let i = 0; i < all.length; i += 500) {
    const page = all.slice(i, i + 500);
    const p = redis.pipeline();
    // SAMPLES 0: every element counted, not an estimate from five.
    for (const k of page) p.call('MEMORY', 'USAGE', k, 'SAMPLES', '0');
    const res = (await p.exec()) ?? [];
    page.forEach((key, j) => list.push({ key, bytes: Number(res[j]?.[1] ?? 0) || 0 }));
  }
  list.sort((a, b) => b.bytes - a.bytes);
  return { keys: list.length, bytes: list.reduce((a, b) => a + b.bytes, 0), ...(o.list ? { list } : {}) };
}
