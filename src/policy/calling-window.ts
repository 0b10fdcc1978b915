import { BadArgumentError } from '../errors.js';
import { canonicalTimeZone } from './time-zone.js';
import { instantOfWallTime, wallTimeOf } from './wall-clock.js';

/**
 * When calls may be placed: on `days`, from `start` to `end` local time in `timezone`.
 *
 * When `end` is earlier than `start` the window runs past midnight, and it belongs to the day it OPENS on:
 * `fri 22:00-02:00` includes Saturday 01:00 but not Friday 01:00 (that would be Thursday's window). Start is
 * inclusive, end exclusive; `24:00` may end a window at midnight.
 */
export interface CallingWindow {
  /** Days the window opens on, 0 = Sunday .. 6 = Saturday. */
  days: number[];
  /** Local opening time, "HH:MM". */
  start: string;
  /** Local closing time, "HH:MM" (exclusive; may be before `start`, or "24:00"). */
  end: string;
  /** IANA time zone the times are in, e.g. Europe/Berlin. */
  timezone: string;
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
const TIME_RANGE = /^\d{1,2}:\d{2}-\d{1,2}:\d{2}$/;
const FULL_DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;

/**
 * Reads a window given by a user: an object shaped like {@link CallingWindow} (`days` may use names), its JSON, or
 * a string `"mon-fri 09:00-20:00 Europe/Berlin"`. Days may be listed and ranged (`mon,wed,fri`, `fri-mon` wraps,
 * `daily`); without them every day is open. The result is normalized: days sorted, times "HH:MM", the zone's
 * canonical name. Throws {@link BadArgumentError} naming the bad part.
 */
export function parseCallingWindow(input: unknown): CallingWindow {
  if (typeof input === 'string') {
    const text = input.trim();
    if (text.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new BadArgumentError('window', `not valid JSON (${(error as Error).message})`);
      }
      return parseCallingWindow(parsed);
    }
    const parts = text.split(/\s+/);
    if (parts.length < 2 || parts.length > 3) {
      throw new BadArgumentError('window', `"${text}": expected "[days] HH:MM-HH:MM Zone/Name", e.g. "mon-fri 09:00-20:00 Europe/Berlin"`);
    }
    if (parts.length === 2 && TIME_RANGE.test(parts[1]!)) {
      throw new BadArgumentError('window', `"${text}": missing the time zone, e.g. "${text} Europe/Berlin"`);
    }
    const [days, times, timezone] = parts.length === 3 ? parts : ['daily', ...parts];
    const dash = times!.indexOf('-');
    if (dash === -1) throw new BadArgumentError('window', `"${times}": expected a time range like 09:00-20:00`);
    return checkWindow(parseDays(days!), times!.slice(0, dash), times!.slice(dash + 1), timezone!);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new BadArgumentError('window', 'must be a string like "mon-fri 09:00-20:00 Europe/Berlin" or an object');
  }
  const { days, start, end, timezone } = input as Record<string, unknown>;
  if (!Array.isArray(days)) throw new BadArgumentError('window.days', 'must be a list of days (0 = Sunday .. 6 = Saturday, or names)');
  const dayNumbers = days.map((day: unknown) => {
    if (typeof day === 'number' && Number.isInteger(day) && day >= 0 && day <= 6) return day;
    if (typeof day === 'string') return dayNumber(day);
    throw new BadArgumentError('window.days', `${JSON.stringify(day)} is not a day (0 = Sunday .. 6 = Saturday, or a name)`);
  });
  if (typeof start !== 'string') throw new BadArgumentError('window.start', 'must be a time "HH:MM"');
  if (typeof end !== 'string') throw new BadArgumentError('window.end', 'must be a time "HH:MM"');
  if (typeof timezone !== 'string') throw new BadArgumentError('window.timezone', 'must be an IANA time zone, e.g. Europe/Berlin');
  return checkWindow(dayNumbers, start, end, timezone);
}

/** The string form, e.g. "mon-fri 09:00-20:00 Europe/Berlin" (what {@link parseCallingWindow} reads back). */
export function formatCallingWindow(w: CallingWindow): string {
  const days = [...new Set(w.days)].sort((a, b) => a - b);
  let dayText: string;
  if (days.length === 7) dayText = 'daily';
  else {
    const runs: string[] = [];
    for (let i = 0; i < days.length;) {
      let j = i;
      while (j + 1 < days.length && days[j + 1] === days[j]! + 1) j++;
      const from = DAY_NAMES[days[i]!]!;
      runs.push(j === i ? from : `${from}-${DAY_NAMES[days[j]!]!}`);
      i = j + 1;
    }
    dayText = runs.join(',');
  }
  return `${dayText} ${w.start}-${w.end} ${w.timezone}`;
}

/**
 * Whether `at` falls inside the window, read in `timezoneOverride` (a contact's own zone) when given, else in the
 * window's zone: "09:00-20:00" then means 9 to 8 where the callee is.
 */
export function isInsideWindow(w: CallingWindow, at: Date, timezoneOverride?: string): boolean {
  const compiled = compile(w, timezoneOverride);
  return insideCompiled(compiled, at.getTime());
}

/**
 * Milliseconds from `at` until the window next opens; 0 when `at` is inside. Opening times are local wall-clock
 * times, so across a DST change the wait is shorter or longer by the shift. An opening time that does not exist
 * that day (02:30 when clocks jump from 02:00 to 03:00) opens at the first moment after the jump.
 */
export function msUntilWindowOpens(w: CallingWindow, at: Date, timezoneOverride?: string): number {
  const compiled = compile(w, timezoneOverride);
  const now = at.getTime();
  if (insideCompiled(compiled, now)) return 0;
  const today = wallTimeOf(compiled.timezone, now);
  // Eight days: today's opening may have passed, and the next open day can be a week away.
  for (let ahead = 0; ahead <= 7; ahead++) {
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + ahead));
    if (!compiled.days.has(date.getUTCDay())) continue;
    const opens = instantOfWallTime(compiled.timezone, {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      secondsOfDay: compiled.start,
    });
    // An opening that a DST jump swallows whole (02:00-02:45 on the day clocks skip that hour) is no opening.
    if (opens > now && insideCompiled(compiled, opens)) return opens - now;
  }
  throw new BadArgumentError('window', `"${formatCallingWindow(w)}" never opens`);
}

interface CompiledWindow {
  days: ReadonlySet<number>;
  /** Seconds after local midnight. */
  start: number;
  end: number;
  timezone: string;
}

/** Checks a window handed in directly (it may come from storage) and resolves the zone to use. */
function compile(w: CallingWindow, timezoneOverride: string | undefined): CompiledWindow {
  const checked = checkWindow(w.days, w.start, w.end, w.timezone);
  let timezone = checked.timezone;
  if (timezoneOverride !== undefined) {
    const override = canonicalTimeZone(timezoneOverride.trim());
    if (override === undefined) throw new BadArgumentError('timezone', `"${timezoneOverride}" is not an IANA time zone`);
    timezone = override;
  }
  return { days: new Set(checked.days), start: seconds(checked.start), end: seconds(checked.end), timezone };
}

function insideCompiled(w: CompiledWindow, instant: number): boolean {
  const local = wallTimeOf(w.timezone, instant);
  const s = local.secondsOfDay;
  if (w.start < w.end) return w.days.has(local.weekday) && s >= w.start && s < w.end;
  // Past midnight: the evening part belongs to today, the early-morning part to yesterday's window.
  return (w.days.has(local.weekday) && s >= w.start) || (w.days.has((local.weekday + 6) % 7) && s < w.end);
}

function checkWindow(days: readonly number[], start: string, end: string, timezone: string): CallingWindow {
  if (!Array.isArray(days) || days.length === 0) throw new BadArgumentError('window.days', 'at least one day is needed');
  for (const day of days) {
    if (!Number.isInteger(day) || day < 0 || day > 6) throw new BadArgumentError('window.days', `${String(day)} is not a day (0 = Sunday .. 6 = Saturday)`);
  }
  const startTime = normalizeTime('window.start', start, false);
  const endTime = normalizeTime('window.end', end, true);
  if (startTime === endTime) {
    throw new BadArgumentError('window', `start and end are both ${startTime}; for all day use 00:00-24:00`);
  }
  const zone = typeof timezone === 'string' ? canonicalTimeZone(timezone.trim()) : undefined;
  if (zone === undefined) throw new BadArgumentError('window.timezone', `"${String(timezone)}" is not an IANA time zone, e.g. Europe/Berlin`);
  return { days: [...new Set<number>(days)].sort((a, b) => a - b), start: startTime, end: endTime, timezone: zone };
}

function normalizeTime(argument: string, text: string, allowMidnightEnd: boolean): string {
  const match = typeof text === 'string' ? /^(\d{1,2}):(\d{2})$/.exec(text.trim()) : null;
  const hours = match ? Number(match[1]) : NaN;
  const minutes = match ? Number(match[2]) : NaN;
  const valid = (hours <= 23 && minutes <= 59) || (allowMidnightEnd && hours === 24 && minutes === 0);
  if (!valid) {
    throw new BadArgumentError(argument, `"${String(text)}" is not a time "HH:MM" from 00:00 to ${allowMidnightEnd ? '24:00' : '23:59'}`);
  }
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

function seconds(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return (hours! * 60 + minutes!) * 60;
}

function parseDays(text: string): number[] {
  const lower = text.toLowerCase();
  if (lower === 'daily' || lower === '*' || lower === 'all') return [0, 1, 2, 3, 4, 5, 6];
  const days: number[] = [];
  for (const item of lower.split(',')) {
    const [from, to, extra] = item.split('-');
    if (extra !== undefined || from === undefined || from === '') {
      throw new BadArgumentError('window.days', `"${item}": expected a day or a range such as mon-fri`);
    }
    const first = dayNumber(from);
    if (to === undefined) {
      days.push(first);
      continue;
    }
    const last = dayNumber(to);
    // A range may wrap the week: fri-mon is Friday, Saturday, Sunday, Monday.
    for (let day = first; ; day = (day + 1) % 7) {
      days.push(day);
      if (day === last) break;
    }
  }
  return days;
}

function dayNumber(name: string): number {
  const key = name.trim().toLowerCase();
  const short = DAY_NAMES.indexOf(key as (typeof DAY_NAMES)[number]);
  if (short !== -1) return short;
  const full = FULL_DAY_NAMES.indexOf(key as (typeof FULL_DAY_NAMES)[number]);
  if (full !== -1) return full;
  throw new BadArgumentError('window.days', `unknown day "${name}" (use mon, tue, wed, thu, fri, sat, sun)`);
}
