import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8, incompleteTailLength } from '../../src/campaign/import/utf8.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('firstInvalidUtf8', () => {
  const cases: Array<[string, Uint8Array, number]> = [
    ['ASCII', Buffer.from('number,name'), -1],
    ['2-, 3- and 4-byte sequences', Buffer.from('Jürgen € 😀'), -1],
    ['Latin-1 ü', bytes(0x4d, 0xfc, 0x6c), 1],
    ['lone continuation byte', bytes(0x61, 0x80), 1],
    ['overlong 2-byte (C0 80)', bytes(0xc0, 0x80), 0],
    ['overlong 3-byte (E0 80 80)', bytes(0xe0, 0x80, 0x80), 0],
    ['surrogate (ED A0 80)', bytes(0xed, 0xa0, 0x80), 0],
    ['beyond U+10FFFF (F4 90 80 80)', bytes(0xf4, 0x90, 0x80, 0x80), 0],
    ['F5 lead', bytes(0xf5, 0x80, 0x80, 0x80), 0],
    ['cut off at the end', bytes(0x61, 0xe2, 0x82), 1],
    ['bad second byte', bytes(0x61, 0x62, 0xc3, 0x41), 2],
  ];
  for (const [name, input, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      expect(firstInvalidUtf8(input)).toBe(expected);
      // Must agree with Node's own validator on what is valid.
      expect(firstInvalidUtf8(input) === -1).toBe(isUtf8(input));
    });
  }
});

describe('incompleteTailLength', () => {
  const euro = [...Buffer.from('€')]; // E2 82 AC
  const cases: Array<[string, Uint8Array, number]> = [
    ['complete text', Buffer.from('abc€'), 0],
    ['empty', bytes(), 0],
    ['1 of 3 bytes', bytes(0x61, euro[0]!), 1],
    ['2 of 3 bytes', bytes(0x61, euro[0]!, euro[1]!), 2],
    ['3 of 4 bytes', bytes(0xf0, 0x9f, 0x98), 3],
    ['a complete 4-byte sequence', Buffer.from('😀'), 0],
    ['a stray continuation byte (left to the validator)', bytes(0x61, 0x80), 0],
    ['Latin-1 byte at the end (left to the validator)', bytes(0x61, 0xfc), 0],
  ];
  for (const [name, input, expected] of cases) {
    it(`${name} → ${expected}`, () => expect(incompleteTailLength(input)).toBe(expected));
  }
});
