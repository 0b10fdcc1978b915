import { BadArgumentError } from '../errors.js';

/** How a pool entry is picked for a call: the nearest number to the callee's, or plain rotation. */
export type CallerIdMatch = 'local' | 'rotate';

export const CALLER_ID_MATCHES: readonly CallerIdMatch[] = ['local', 'rotate'];

/** Where a call's caller id can come from. Blank values count as not given. */
export interface CallerIdSources {
  /** The campaign's caller id for every call. */
  fixed?: string | undefined;
  /** The row's own `callerid` column. */
  column?: string | undefined;
  /** Caller ids to pick from when neither of the above is given. */
  pool?: readonly string[] | undefined;
  /**
   * `local` (local presence): the pool entry sharing the longest leading digits with the callee's number, so a
   * +1 212 callee sees a +1 212 caller id; entries tied for longest (or none matching at all) rotate by row.
   * `rotate`: plain rotation by row. @defaultValue 'local'
   */
  match?: CallerIdMatch | undefined;
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
 * is called back from that same number. (The import stores the choice in the job data too; retries copy it.)
 */
export function chooseCallerId(sources: CallerIdSources, rowIndex: number, callee?: string): string | undefined {
  if (!Number.isSafeInteger(rowIndex) || rowIndex < 0) {
    throw new BadArgumentError('rowIndex', `must be a non-negative integer, got ${String(rowIndex)}`);
  }
  const fixed = sources.fixed?.trim();
  if (fixed) return fixed;
  const column = sources.column?.trim();
  if (column) return column;
  const pool = sources.pool;
  if (pool === undefined || pool.length === 0) return undefined;
  const blank = pool.findIndex((x) => !x.trim());
  if (blank >= 0) throw new BadArgumentError('callerIdPool', `entry ${blank + 1} is empty`);
  const candidates = (sources.match ?? 'local') === 'local' && callee ? nearest(pool, callee) : pool;
  return candidates[rowIndex % candidates.length]!.trim();
}

/**
 * The pool entries whose numbers share the most leading digits with the callee's (the whole pool when none does).
 * For an international callee (`+…`) a match must share at least its whole country code: +44 and +49 share a
 * leading 4, which says nothing about where either is.
 */
export function nearest(pool: readonly string[], callee: string): readonly string[] {
  const target = digitsOf(callee);
  const least = callee.trim().startsWith('+') ? countryCodeLength(target) : 1;
  let best = 0;
  let out: string[] = [];
  for (const entry of pool) {
    const shared = sharedPrefix(digitsOf(entry), target);
    if (shared < least) continue;
    if (shared > best) [best, out] = [shared, [entry]];
    else if (shared === best) out.push(entry);
  }
  return out.length ? out : pool;
}

/** E.164 country codes of one and two digits (ITU-T E.164 assignments); every other code has three. */
const ONE_DIGIT = new Set(['1', '7']);
const TWO_DIGITS = new Set(
  '20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98'.split(' '),
);

/** How many leading digits of an international number are its country code. */
export function countryCodeLength(digits: string): number {
  if (ONE_DIGIT.has(digits.slice(0, 1))) return 1;
  if (TWO_DIGITS.has(digits.slice(0, 2))) return 2;
  return 3;
}

/** The digits of a number, or of the number part of `"Name" <number>`: `+1 (212) 555-0100` → `12125550100`. */
export function digitsOf(callerId: string): string {
  const angled = /<([^>]*)>/.exec(callerId);
  return (angled ? angled[1]! : callerId).replace(/\D/g, '');
}

function sharedPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/**
 * Reads a caller id pool file: one caller id per line (a CSV's first column also works); blank lines and lines
 * starting with `#` are skipped, and a header cell without digits is ignored. Every other entry must hold digits.
 */
export function parseCallerIdPool(text: string, source: string): string[] {
  const out: string[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const cell = (line.startsWith('"') ? line : line.split(/[,;\t]/)[0]!).trim().replace(/^"(.*)"$/, '$1');
    if (!digitsOf(cell)) {
      if (i === 0) return; // a header such as "callerid"
      problems.push(`line ${i + 1}: ${JSON.stringify(cell)} holds no digits`);
      return;
    }
    out.push(cell);
  });
  if (problems.length) throw new BadArgumentError(source, problems.slice(0, 10).join('; '));
  if (!out.length) throw new BadArgumentError(source, 'holds no caller ids');
  return out;
}
