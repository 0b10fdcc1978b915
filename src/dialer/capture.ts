import { BadArgumentError } from '../errors.js';

/** At most this many variables per call (`--capture`). */
export const MAX_CAPTURE = 16;
/** A captured value longer than this (UTF-8 bytes) is cut, and marked with CUT_MARK inside the limit. */
export const MAX_CAPTURED_BYTES = 256;
export const CUT_MARK = '…';

/**
 * A dialplan variable name as Asterisk's own variables are spelled: a letter, then letters, digits and `_`, with
 * the inheritance prefixes `_`/`__` allowed (VAR, __VAR). Functions (`CDR(x)`) and expressions are not variables.
 */
const VAR_NAME = /^_{0,2}[A-Za-z][A-Za-z0-9_]{0,79}$/;

/**
 * `--capture VAR[,VAR…]` (or a list): each a valid name, no repeats, at most 16. A bad one is a usage error naming
 * it. Returns the names in the order given.
 */
export function parseCapture(input: unknown, flag = '--capture'): string[] {
  if (input === undefined || input === null || input === '') return [];
  const parts = (Array.isArray(input) ? (input as unknown[]) : [input]).flatMap((x): unknown[] => (typeof x === 'string' ? x.split(',') : [x]));
  const names: string[] = [];
  for (const p of parts) {
    const name = typeof p === 'string' ? p.trim() : p;
    if (typeof name !== 'string' || !VAR_NAME.test(name)) {
      throw new BadArgumentError(flag, `${JSON.stringify(name)} is not a dialplan variable name (a letter, then letters, digits or _)`);
    }
    if (!names.includes(name)) names.push(name);
  }
  if (names.length > MAX_CAPTURE) throw new BadArgumentError(flag, `at most ${MAX_CAPTURE} variables, got ${names.length}`);
  return names;
}

/** A value as stored: at most 256 UTF-8 bytes, a longer one cut on a character boundary and ending in `…`. */
export function capValue(value: string): string {
  if (value.length * 3 <= MAX_CAPTURED_BYTES || Buffer.byteLength(value) <= MAX_CAPTURED_BYTES) return value;
  const room = MAX_CAPTURED_BYTES - Buffer.byteLength(CUT_MARK);
  let bytes = 0;
  let end = 0;
  for (const ch of value) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > room) break;
    bytes += n;
    end += ch.length;
  }
  return value.slice(0, end) + CUT_MARK;
}
