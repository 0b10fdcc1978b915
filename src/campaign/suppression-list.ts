import type { RedisClient } from '../store/lua-script.js';
import type { Keys } from '../store/keys.js';
import { normalizeNumber } from './import/phone-number.js';

/**
 * The do-not-call list kept in Redis: numbers in it are never dialed by any campaign imported after they were
 * added (the import checks every row against it). Numbers are normalized the way contacts are.
 */
export class SuppressionList {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /** Adds numbers; returns how many were new and which inputs were not numbers (with why). */
  async add(raw: Iterable<string>): Promise<{ added: number; invalid: Array<{ value: string; reason: string }> }> {
    const { numbers, invalid } = normalizeAll(raw);
    let added = 0;
    for (let i = 0; i < numbers.length; i += 1000) added += await this.redis.sadd(this.keys.suppression, ...numbers.slice(i, i + 1000));
    return { added, invalid };
  }

  async remove(raw: Iterable<string>): Promise<number> {
    const { numbers } = normalizeAll(raw);
    return numbers.length ? this.redis.srem(this.keys.suppression, ...numbers) : 0;
  }

  async has(number: string): Promise<boolean> {
    const n = normalizeNumber(number);
    return n.ok && (await this.redis.sismember(this.keys.suppression, n.number)) === 1;
  }

  count(): Promise<number> {
    return this.redis.scard(this.keys.suppression);
  }
}

/**
 * The numbers in a do-not-call file as typed: one per line, or a CSV whose first column is the number (a header
 * line then simply fails to normalize and is skipped).
 */
export function numberCells(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.split(/[,;\t]/)[0]?.trim() ?? '');
}

function normalizeAll(raw: Iterable<string>): { numbers: string[]; invalid: Array<{ value: string; reason: string }> } {
  const numbers: string[] = [];
  const invalid: Array<{ value: string; reason: string }> = [];
  for (const value of raw) {
    if (!value.trim()) continue;
    const n = normalizeNumber(value);
    if (n.ok) numbers.push(n.number);
    else invalid.push({ value, reason: n.reason });
  }
  return { numbers, invalid };
}
