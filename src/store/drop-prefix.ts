import type { Redis } from 'ioredis';

/** `start` as a SCAN pattern matching every key that begins with it (glob specials in a prefix taken literally). */
export const startsWithPattern = (start: string): string => `${start.replace(/[?*[\]\\]/g, '\\$&')}*`;

/** Deletes every key beginning with `start`, in SCAN pages (never KEYS). Returns how many it deleted. */
export async function deleteKeysStartingWith(redis: Redis, start: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', startsWithPattern(start), 'COUNT', 1000);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Deletes every key of an installation (its prefix, BullMQ's keys included). */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  await deleteKeysStartingWith(redis, prefix);
}
