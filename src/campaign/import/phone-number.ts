/**
 * Phone numbers as they come in spreadsheets ("+49 (30) 123-45.67", "030/1234567") turned into the dial string
 * Asterisk gets: digits with an optional leading `+`.
 */

export const MIN_NUMBER_DIGITS = 3;
export const MAX_NUMBER_DIGITS = 20;

export type NormalizedNumber = { ok: true; number: string } | { ok: false; reason: string };

/**
 * Visual separators people type inside numbers: spaces (incl. no-break and thin spaces), hyphens and Unicode
 * dashes, dots, parentheses, and `/` (German "030/123456" style, too common to reject).
 */
const SEPARATORS = /[\s\u00a0\u2007\u202f\-\u2010-\u2015\u2212.()/]/g;

/** Excel turns long numbers into "4.9301234E+11" unless the column is text; the digits are lost, so say so. */
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?E\+?\d+$/i;

export function normalizeNumber(raw: string): NormalizedNumber {
  let value = raw.trim();
  // A leading apostrophe is Excel's "keep as text" mark, and what our own report export puts before `+`: accept it
  // so an exported report can be imported again.
  if (value.startsWith("'")) value = value.slice(1).trim();
  if (value === '') return { ok: false, reason: 'number is empty' };
  if (SCIENTIFIC.test(value)) {
    return {
      ok: false,
      reason: `number "${value}" is in scientific notation (Excel shortened it): format the column as text and export again`,
    };
  }
  const plus = value.startsWith('+');
  const digits = (plus ? value.slice(1) : value).replace(SEPARATORS, '');
  if (!/^\d+$/.test(digits)) {
    const what = /\p{L}/u.test(digits) ? 'letters' : `a character that is not a digit ("${firstNonDigit(digits)}")`;
    return { ok: false, reason: `number "${value}" has ${what}` };
  }
  if (digits.length < MIN_NUMBER_DIGITS) {
    return { ok: false, reason: `number "${value}" is too short (${digits.length} digits, at least ${MIN_NUMBER_DIGITS})` };
  }
  if (digits.length > MAX_NUMBER_DIGITS) {
    return { ok: false, reason: `number "${value}" is too long (${digits.length} digits, at most ${MAX_NUMBER_DIGITS})` };
  }
  return { ok: true, number: plus ? `+${digits}` : digits };
}

function firstNonDigit(text: string): string {
  return /[^\d]/u.exec(text)?.[0] ?? '';
}

/**
 * The key under which the campaign spots the same number twice: the normalized dial string, so "+49 30 1234" and
 * "+49-30-1234" match. `+49…` and `0049…` are deliberately NOT merged: which prefix reaches abroad depends on the
 * country the trunk is in (00 in most of the world, 011 in North America), and merging wrongly would skip a
 * contact silently.
 */
export function dedupeKey(number: string): string {
  const normalized = normalizeNumber(number);
  return normalized.ok ? normalized.number : number.trim();
}
