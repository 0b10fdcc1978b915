import { BadArgumentError } from '../../errors.js';

/** Where a call's caller id can come from. Blank values count as not given. */
export interface CallerIdSources {
  /** The campaign's caller id for every call. */
  fixed?: string | undefined;
  /** The row's own `callerid` column. */
  column?: string | undefined;
  /** Caller ids to rotate through when neither of the above is given. */
  pool?: readonly string[] | undefined;
}

/**
 * The caller id for one call: the campaign's `fixed` one, else the row's `column`, else one from the `pool`,
 * else undefined (Asterisk then uses the endpoint's default).
 *
 * Why the campaign setting outranks the row: caller id is regulated (anti-spoofing rules, numbers the trunk is
 * allowed to present), and the operator who sets it for a campaign must be able to rely on it even when the
 * uploaded file, often from a customer, carries a column of its own.
 *
 * The pool is rotated round robin by `rowIndex` (e.g. the row's line), not by a running counter: the same row
 * gets the same caller id on every attempt and on every worker, so a callee who sees a missed call from a number
 * is called back from that same number.
 */
export function chooseCallerId(sources: CallerIdSources, rowIndex: number): string | undefined {
  if (!Number.isSafeInteger(rowIndex) || rowIndex < 0) {
    throw new BadArgumentError('rowIndex', `must be a non-negative integer, got ${String(rowIndex)}`);
  }
  const fixed = sources.fixed?.trim();
  if (fixed) return fixed;
  const column = sources.column?.trim();
  if (column) return column;
  const pool = sources.pool;
  if (pool === undefined || pool.length === 0) return undefined;
  const chosen = pool[rowIndex % pool.length]?.trim();
  if (!chosen) {
    throw new BadArgumentError('callerIdPool', `entry ${(rowIndex % pool.length) + 1} is empty`);
  }
  return chosen;
}
