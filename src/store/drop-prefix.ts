import { Cluster, type Redis } from 'ioredis';
import type { RedisClient } from './lua-script.js';

/** `start` as a SCAN pattern matching every key that begins with it (glob specials in a prefix taken literally). */
export const startsWithPattern = (start: string): string => `${start.replace(/[?*[\]\\]/g, '\\$&')}*`;

/** The servers whose keys a SCAN must walk: each master of a cluster, or the one server. */
export function scanTargets(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

/** Every key beginning with `start`, page by page (SCAN, never KEYS), on every master of a cluster. */
export async function* keysStartingWith(redis: RedisClient, start: string): AsyncGenerator<string[]> {
  for (const node of scanTargets(redis)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', startsWithPattern(start), 'COUNT', 1000);
      cursor = next;
      if (keys.length) yield keys;
    } while (cursor !== '0');
  }
}

/** Deletes every key beginning with `start`. Returns how many it deleted. */
export async function deleteKeysStartingWith(redis: RedisClient, start: string): Promise<number> {
  let deleted = 0;
  for await (const keys of keysStartingWith(redis, start)) {
    // One key per DEL: a page of a cluster node may span slots, which one multi-key DEL refuses.
    const res = await Promise.all(keys.map((k) => redis.del(k)));
    deleted += res.reduce((a, b) => a + b, 0);
  }
  return deleted;
}

/** Deletes every key of an installation (its prefix, BullMQ's keys included). */
export async function dropPrefix(redis: RedisClient, prefix: string): Promise<void> {
  await deleteKeysStartingWith(redis, prefix);
}
