import { describe, expect, it } from 'vitest';
import { dedupeKey, normalizeNumber } from '../../src/campaign/import/phone-number.js';

describe('normalizeNumber', () => {
  const valid: Array<[string, string]> = [
    ['+49 (30) 123-45.67', '+49301234567'],
    ['030/1234567', '0301234567'],
    ['  +1 555 0100  ', '+15550100'],
    ['+49\u00a030\u202f1234', '+49301234'], // no-break and narrow no-break spaces from copy-paste
    ['0049–30–1234', '0049301234'], // en dash
    ["'+4930123", '+4930123'], // Excel's text mark / our export's formula guard
    ['123', '123'],
    ['12345678901234567890', '12345678901234567890'],
  ];
  for (const [raw, number] of valid) {
    it(`${JSON.stringify(raw)} → ${number}`, () => expect(normalizeNumber(raw)).toEqual({ ok: true, number }));
  }

  const invalid: Array<[string, RegExp]> = [
    ['', /^number is empty$/],
    ["'", /^number is empty$/],
    ['12', /too short \(2 digits, at least 3\)/],
    ['+1 2', /too short/],
    ['123456789012345678901', /too long \(21 digits, at most 20\)/],
    ['0800-FLOWERS', /has letters/],
    ['+49 30 1234 ext. 5', /has letters/],
    ['*31#030123', /not a digit \("\*"\)/],
    ['++4930123', /not a digit \("\+"\)/],
    ['4,93012E+11', /scientific notation/],
    ['4.9301234E11', /scientific notation/],
  ];
  for (const [raw, reason] of invalid) {
    it(`${JSON.stringify(raw)} is refused`, () => {
      const result = normalizeNumber(raw);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(reason);
    });
  }
});

describe('dedupeKey', () => {
  it('matches the same number however it was typed', () => {
    expect(dedupeKey('+49 30 1234567')).toBe(dedupeKey('+49-30-123.45.67'));
    expect(dedupeKey('(030) 1234567')).toBe(dedupeKey('030/1234567'));
  });

  it('does not merge +49 with 0049: the international prefix depends on the country', () => {
    expect(dedupeKey('+49301234')).not.toBe(dedupeKey('0049301234'));
  });

  it('still gives a key for something that is not a number', () => {
    expect(dedupeKey(' abc ')).toBe('abc');
  });
});
