import { describe, expect, it } from 'vitest';
import { instantOfWallTime, wallTimeOf } from '../../src/policy/wall-clock.js';

const iso = (t: number) => new Date(t).toISOString();
const hm = (h: number, m = 0) => (h * 60 + m) * 60;

describe('wallTimeOf', () => {
  it('reads local fields, weekday included', () => {
    expect(wallTimeOf('Europe/Berlin', Date.parse('2025-03-30T00:59:59Z'))).toEqual({
      year: 2025,
      month: 3,
      day: 30,
      weekday: 0,
      secondsOfDay: hm(1, 59) + 59,
    });
    expect(wallTimeOf('Europe/Berlin', Date.parse('2025-03-30T01:00:00Z')).secondsOfDay).toBe(hm(3));
  });

  it('shows midnight as 0, not 24', () => {
    expect(wallTimeOf('UTC', Date.parse('2025-01-01T00:00:00Z')).secondsOfDay).toBe(0);
  });
});

describe('instantOfWallTime', () => {
  const cases: Array<[string, string, [number, number, number, number], string]> = [
    ['an ordinary winter time', 'Europe/Berlin', [2025, 1, 15, hm(9)], '2025-01-15T08:00:00.000Z'],
    ['an ordinary summer time', 'Europe/Berlin', [2025, 7, 15, hm(9)], '2025-07-15T07:00:00.000Z'],
    ['the morning of the spring change', 'Europe/Berlin', [2025, 3, 30, hm(9)], '2025-03-30T07:00:00.000Z'],
    ['inside the skipped hour: the jump', 'Europe/Berlin', [2025, 3, 30, hm(2, 30)], '2025-03-30T01:00:00.000Z'],
    ['the start of the skipped hour: the jump', 'Europe/Berlin', [2025, 3, 30, hm(2)], '2025-03-30T01:00:00.000Z'],
    ['the repeated hour: its first occurrence', 'Europe/Berlin', [2025, 10, 26, hm(2, 30)], '2025-10-26T00:30:00.000Z'],
    ['just after the repeated hour', 'Europe/Berlin', [2025, 10, 26, hm(3)], '2025-10-26T02:00:00.000Z'],
    ['midnight ending a day (24:00)', 'Europe/Berlin', [2025, 6, 1, hm(24)], '2025-06-01T22:00:00.000Z'],
    ['New York spring change', 'America/New_York', [2025, 3, 9, hm(2, 30)], '2025-03-09T07:00:00.000Z'],
    ['Lord Howe half-hour skip', 'Australia/Lord_Howe', [2025, 10, 5, hm(2, 15)], '2025-10-04T15:30:00.000Z'],
    ['Lord Howe half-hour repeat', 'Australia/Lord_Howe', [2025, 4, 6, hm(1, 45)], '2025-04-05T14:45:00.000Z'],
    ['a zone without DST', 'Asia/Kolkata', [2025, 3, 30, hm(2, 30)], '2025-03-29T21:00:00.000Z'],
  ];
  for (const [name, zone, [year, month, day, secondsOfDay], expected] of cases) {
    it(`${name}: ${zone} ${year}-${month}-${day} +${secondsOfDay}s → ${expected}`, () => {
      expect(iso(instantOfWallTime(zone, { year, month, day, secondsOfDay }))).toBe(expected);
    });
  }
});
