import { describe, expect, it } from 'vitest';
import { formatCallingWindow, isInsideWindow, msUntilWindowOpens, parseCallingWindow, type CallingWindow } from '../../src/policy/calling-window.js';
import { BadArgumentError } from '../../src/errors.js';

const H = 3_600_000;
const at = (iso: string) => new Date(iso);
const BERLIN_WEEKDAYS = parseCallingWindow('mon-fri 09:00-20:00 Europe/Berlin');
const BERLIN_DAILY = parseCallingWindow('09:00-20:00 Europe/Berlin');

describe('parseCallingWindow', () => {
  const good: Array<[unknown, CallingWindow]> = [
    ['mon-fri 09:00-20:00 Europe/Berlin', { days: [1, 2, 3, 4, 5], start: '09:00', end: '20:00', timezone: 'Europe/Berlin' }],
    ['sat 09:00-10:00 asia/kolkata', { days: [6], start: '09:00', end: '10:00', timezone: 'asia/kolkata' }],
    ['sat 09:00-10:00 Europe/Kyiv', { days: [6], start: '09:00', end: '10:00', timezone: 'Europe/Kyiv' }],
    ['  Sat,SUN  9:00-14:30   america/new_york ', { days: [0, 6], start: '09:00', end: '14:30', timezone: 'America/New_York' }],
    ['fri-mon 22:00-02:00 UTC', { days: [0, 1, 5, 6], start: '22:00', end: '02:00', timezone: 'UTC' }],
    ['monday-wednesday,friday 08:00-12:00 UTC', { days: [1, 2, 3, 5], start: '08:00', end: '12:00', timezone: 'UTC' }],
    ['daily 00:00-24:00 Asia/Kolkata', { days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '24:00', timezone: 'Asia/Kolkata' }],
    ['10:00-18:00 UTC', { days: [0, 1, 2, 3, 4, 5, 6], start: '10:00', end: '18:00', timezone: 'UTC' }],
    [
      { days: [5, 1, 1, 'wed'], start: '9:05', end: '17:00', timezone: 'Europe/Paris' },
      { days: [1, 3, 5], start: '09:05', end: '17:00', timezone: 'Europe/Paris' },
    ],
    ['{"days":[1],"start":"08:00","end":"09:00","timezone":"UTC"}', { days: [1], start: '08:00', end: '09:00', timezone: 'UTC' }],
  ];
  for (const [input, expected] of good) {
    it(`reads ${JSON.stringify(input)}`, () => expect(parseCallingWindow(input)).toEqual(expected));
  }

  const bad: Array<[unknown, RegExp]> = [
    ['mon-fry 09:00-20:00 UTC', /^window\.days: unknown day "fry"/],
    ['mon-fri 09:00 UTC', /^window: "09:00": expected a time range like 09:00-20:00/],
    ['mon-fri 09:00-20:00', /^window: "mon-fri 09:00-20:00": missing the time zone, e\.g\. "mon-fri 09:00-20:00 Europe\/Berlin"/],
    ['09:00-20:00 Mars/Olympus', /^window\.timezone: "Mars\/Olympus" is not an IANA time zone/],
    ['mon-fri 9-20 UTC', /^window\.start: "9" is not a time "HH:MM"/],
    ['mon 24:00-08:00 UTC', /^window\.start: "24:00" is not a time "HH:MM" from 00:00 to 23:59/],
    ['mon 08:00-24:30 UTC', /^window\.end: "24:30"/],
    ['mon 08:60-09:00 UTC', /^window\.start: "08:60"/],
    ['mon 09:00-09:00 UTC', /^window: start and end are both 09:00; for all day use 00:00-24:00/],
    ['mon--fri 09:00-20:00 UTC', /^window\.days: "mon--fri": expected a day or a range/],
    ['one two three four', /expected "\[days\] HH:MM-HH:MM Zone\/Name"/],
    [{ days: [], start: '09:00', end: '10:00', timezone: 'UTC' }, /^window\.days: at least one day is needed/],
    [{ days: [7], start: '09:00', end: '10:00', timezone: 'UTC' }, /^window\.days: 7 is not a day/],
    [{ days: 'mon', start: '09:00', end: '10:00', timezone: 'UTC' }, /^window\.days: must be a list/],
    [{ days: [1], start: 9, end: '10:00', timezone: 'UTC' }, /^window\.start: must be a time/],
    [{ days: [1], start: '09:00', end: '10:00' }, /^window\.timezone: must be an IANA time zone/],
    [{ days: [1], start: '09:00', end: '10:00', timezone: '+01:00' }, /is not an IANA time zone/],
    ['{oops', /^window: not valid JSON/],
    [42, /^window: must be a string like/],
  ];
  for (const [input, message] of bad) {
    it(`refuses ${JSON.stringify(input)}`, () => {
      expect(() => parseCallingWindow(input)).toThrow(BadArgumentError);
      expect(() => parseCallingWindow(input)).toThrow(message);
    });
  }

  it('formats back to what it reads', () => {
    for (const text of ['mon-fri 09:00-20:00 Europe/Berlin', 'sun,tue,thu-sat 22:00-02:00 UTC', 'daily 00:00-24:00 UTC', 'mon 08:00-09:00 Asia/Tokyo']) {
      expect(formatCallingWindow(parseCallingWindow(text))).toBe(text);
    }
  });
});

describe('isInsideWindow', () => {
  const cases: Array<[string, CallingWindow, string, boolean, string?]> = [
    ['Friday 09:00 CET, the first second', BERLIN_WEEKDAYS, '2025-03-28T08:00:00Z', true],
    ['Friday 08:59:59 CET', BERLIN_WEEKDAYS, '2025-03-28T07:59:59.999Z', false],
    ['Friday 19:59:59 CET', BERLIN_WEEKDAYS, '2025-03-28T18:59:59Z', true],
    ['Friday 20:00 CET: the end is exclusive', BERLIN_WEEKDAYS, '2025-03-28T19:00:00Z', false],
    ['Saturday noon', BERLIN_WEEKDAYS, '2025-03-29T11:00:00Z', false],
    ['Monday 09:00 CEST after the spring change', BERLIN_WEEKDAYS, '2025-03-31T07:00:00Z', true],
    ['Monday 08:30 CEST (would be 09:30 in winter time)', BERLIN_WEEKDAYS, '2025-03-31T06:30:00Z', false],
    ['spring-change Sunday 09:00 CEST', BERLIN_DAILY, '2025-03-30T07:00:00Z', true],
    ['spring-change Sunday 08:59 CEST', BERLIN_DAILY, '2025-03-30T06:59:00Z', false],
    ['autumn-change Sunday 09:00 CET', BERLIN_DAILY, '2025-10-26T08:00:00Z', true],
    ['autumn-change Sunday 08:00 CET (09:00 in summer time)', BERLIN_DAILY, '2025-10-26T07:00:00Z', false],
    ['New York override: 08:00 there, 14:00 in Berlin', BERLIN_WEEKDAYS, '2025-06-02T12:00:00Z', false, 'America/New_York'],
    ['New York override: 10:00 there', BERLIN_WEEKDAYS, '2025-06-02T14:00:00Z', true, 'America/New_York'],
    ['Tokyo override: Saturday 09:00 there, Friday in Berlin', BERLIN_WEEKDAYS, '2025-06-07T00:00:00Z', false, 'Asia/Tokyo'],
    ['Tokyo override: Monday 08:00 there is Sunday in Berlin', BERLIN_WEEKDAYS, '2025-06-08T23:00:00Z', false, 'Asia/Tokyo'],
    ['Tokyo override: Monday 09:00 there is Monday 02:00 in Berlin', BERLIN_WEEKDAYS, '2025-06-09T00:00:00Z', true, 'Asia/Tokyo'],
  ];
  for (const [name, window, instant, inside, zone] of cases) {
    it(name, () => expect(isInsideWindow(window, at(instant), zone)).toBe(inside));
  }

  describe('past midnight (fri 22:00-02:00 UTC: the window belongs to the day it opens)', () => {
    const w = parseCallingWindow('fri 22:00-02:00 UTC');
    const wrap: Array<[string, boolean]> = [
      ['2025-06-06T22:00:00Z', true], // Friday 22:00
      ['2025-06-06T23:59:59Z', true],
      ['2025-06-07T00:00:00Z', true], // Saturday, still Friday's window
      ['2025-06-07T01:59:59Z', true],
      ['2025-06-07T02:00:00Z', false],
      ['2025-06-06T01:00:00Z', false], // Friday early morning would be Thursday's window
      ['2025-06-07T22:30:00Z', false], // Saturday evening
    ];
    for (const [instant, inside] of wrap) {
      it(`${instant} → ${inside}`, () => expect(isInsideWindow(w, at(instant))).toBe(inside));
    }
  });

  it('a night window over the spring change lasts an hour less', () => {
    const night = parseCallingWindow('daily 22:00-06:00 Europe/Berlin');
    expect(isInsideWindow(night, at('2025-03-29T21:00:00Z'))).toBe(true); // 22:00 CET
    expect(isInsideWindow(night, at('2025-03-30T03:59:59Z'))).toBe(true); // 05:59:59 CEST
    expect(isInsideWindow(night, at('2025-03-30T04:00:00Z'))).toBe(false); // 06:00 CEST, 7 h later
  });

  it('rejects an unknown override zone', () => {
    expect(() => isInsideWindow(BERLIN_WEEKDAYS, at('2025-06-02T12:00:00Z'), 'Nowhere/Land')).toThrow(/timezone: "Nowhere\/Land"/);
  });

  it('checks a window handed in directly', () => {
    const broken = { days: [1], start: '9am', end: '17:00', timezone: 'UTC' };
    expect(() => isInsideWindow(broken, new Date())).toThrow(BadArgumentError);
  });
});

describe('msUntilWindowOpens', () => {
  const cases: Array<[string, CallingWindow, string, number, string?]> = [
    ['0 when inside', BERLIN_WEEKDAYS, '2025-03-28T10:00:00Z', 0],
    ['Friday evening to Monday morning across the spring change: 60 h, not 61', BERLIN_WEEKDAYS, '2025-03-28T19:00:00Z', 60 * H],
    ['Saturday 20:00 CET to the spring-change Sunday 09:00 CEST: 12 h', BERLIN_DAILY, '2025-03-29T19:00:00Z', 12 * H],
    ['Saturday 20:00 CEST to the autumn-change Sunday 09:00 CET: 14 h', BERLIN_DAILY, '2025-10-25T18:00:00Z', 14 * H],
    ['early the same day', BERLIN_DAILY, '2025-06-02T05:30:00Z', 1.5 * H],
    ['keeps the milliseconds of "now"', BERLIN_DAILY, '2025-06-02T05:30:00.250Z', 1.5 * H - 250],
    ['New York override', BERLIN_WEEKDAYS, '2025-06-02T12:00:00Z', H, 'America/New_York'],
    ['past midnight: Saturday 02:00 to next Friday 22:00', parseCallingWindow('fri 22:00-02:00 UTC'), '2025-06-07T02:00:00Z', 6 * 24 * H + 20 * H],
    ['a whole week ahead when today just closed', parseCallingWindow('wed 09:00-10:00 UTC'), '2025-06-04T10:00:00Z', 7 * 24 * H - H],
    // 02:30 does not exist on 2025-03-30 in Berlin: the window opens when clocks jump to 03:00 (01:00Z).
    ['an opening time skipped by the spring change opens at the jump', parseCallingWindow('daily 02:30-05:00 Europe/Berlin'), '2025-03-29T04:00:00Z', 21 * H],
    // 02:00-02:45 does not exist at all that day: the next opening is Monday 02:00 CEST (00:00Z).
    ['a window swallowed by the spring change is skipped', parseCallingWindow('daily 02:00-02:45 Europe/Berlin'), '2025-03-29T02:00:00Z', 46 * H],
    // 02:30 happens twice on 2025-10-26 in Berlin: the first (00:30Z, summer time) counts.
    [
      'an opening time repeated by the autumn change opens the first time',
      parseCallingWindow('daily 02:30-02:45 Europe/Berlin'),
      '2025-10-25T23:00:00Z',
      1.5 * H,
    ],
    // Lord Howe Island shifts by 30 minutes: 02:00 → 02:30 on 2025-10-05.
    ['a half-hour DST shift', parseCallingWindow('daily 02:10-03:00 Australia/Lord_Howe'), '2025-10-04T15:00:00Z', 0.5 * H],
  ];
  for (const [name, window, instant, ms, zone] of cases) {
    it(name, () => expect(msUntilWindowOpens(window, at(instant), zone)).toBe(ms));
  }

  it('agrees with a minute-by-minute search, around both Berlin DST changes and past midnight', () => {
    const windows = [
      BERLIN_WEEKDAYS,
      parseCallingWindow('sat,sun 22:00-03:00 Europe/Berlin'),
      parseCallingWindow('daily 02:15-02:45 Europe/Berlin'),
      parseCallingWindow('tue 01:30-03:30 America/New_York'),
    ];
    // A fixed pseudo-random sequence: the same instants every run.
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const anchors = ['2025-03-30T01:00:00Z', '2025-10-26T01:00:00Z', '2025-03-09T07:00:00Z', '2025-11-02T06:00:00Z'];
    for (const window of windows) {
      for (const anchor of anchors) {
        const start = at(anchor).getTime() + Math.floor((random() - 0.7) * 4 * 24 * 60) * 60_000;
        const wait = msUntilWindowOpens(window, new Date(start));
        let expected = 0;
        while (!isInsideWindow(window, new Date(start + expected))) expected += 60_000;
        expect(wait, `${formatCallingWindow(window)} from ${new Date(start).toISOString()}`).toBe(expected);
      }
    }
  });

  it('opens exactly: inside at the returned instant, outside a second before', () => {
    const windows = [BERLIN_WEEKDAYS, parseCallingWindow('fri-mon 21:00-01:00 Australia/Lord_Howe'), parseCallingWindow('mon 02:30-04:00 Europe/Berlin')];
    const year = Date.UTC(2025, 0, 1);
    for (const window of windows) {
      for (let i = 0; i < 120; i++) {
        const now = year + i * 3 * 24 * H + i * 7_919_000; // every ~3 days, at drifting times of day
        const wait = msUntilWindowOpens(window, new Date(now));
        if (wait === 0) continue;
        expect(isInsideWindow(window, new Date(now + wait))).toBe(true);
        expect(isInsideWindow(window, new Date(now + wait - 1000))).toBe(false);
      }
    }
  });
});
