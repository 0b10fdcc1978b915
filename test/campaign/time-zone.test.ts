import { describe, expect, it } from 'vitest';
import { canonicalTimeZone } from '../../src/policy/time-zone.js';

describe('canonicalTimeZone', () => {
  const cases: Array<[string, string | undefined]> = [
    ['Europe/Berlin', 'Europe/Berlin'],
    ['europe/berlin', 'Europe/Berlin'],
    ['UTC', 'UTC'],
    ['Asia/Kolkata', 'Asia/Kolkata'], // not ICU's outdated Asia/Calcutta
    ['Europe/Kyiv', 'Europe/Kyiv'],
    ['Mars/Olympus', undefined],
    ['+01:00', undefined], // a fixed offset knows no DST
    ['', undefined],
    ['Europe/Berlin; DROP', undefined],
  ];
  for (const [name, expected] of cases) {
    it(`${JSON.stringify(name)} → ${String(expected)}`, () => expect(canonicalTimeZone(name)).toBe(expected));
  }
});
