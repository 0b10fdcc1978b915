/**
 * Local wall-clock time in an IANA zone, with Intl only (no date library): instant → local fields, and local
 * fields → instant, including the two DST cases where local times are missing (spring) or repeated (autumn).
 */

export interface WallTime {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  /** 0 = Sunday .. 6 = Saturday */
  weekday: number;
  /** Seconds since local midnight, 0..86399. */
  secondsOfDay: number;
}

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    // h23: some ICU versions print midnight as "24" with hour12: false.
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/** Local date and time of `instant` (ms since epoch) in `timeZone`, to the second. */
export function wallTimeOf(timeZone: string, instant: number): WallTime {
  const fields: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  const year = fields.year!;
  const month = fields.month!;
  const day = fields.day!;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return { year, month, day, weekday, secondsOfDay: fields.hour! * 3600 + fields.minute! * 60 + fields.second! };
}

/** The local wall time of `instant` written as if it were UTC: comparable with `Date.UTC(...)` of local fields. */
function wallAsUtc(timeZone: string, instant: number): number {
  const w = wallTimeOf(timeZone, instant);
  return Date.UTC(w.year, w.month - 1, w.day) + w.secondsOfDay * 1000;
}

/**
 * The first instant at which the local clock in `timeZone` shows the given date and time (`secondsOfDay` may be
 * 86400: midnight ending that day). When that time occurs twice (autumn), the earlier one; when it does not occur
 * (spring, inside the skipped hour), the moment of the jump, the first instant the clock shows a later time.
 */
export function instantOfWallTime(timeZone: string, wall: Omit<WallTime, 'weekday'>): number {
  const { year, month, day, secondsOfDay } = wall;
  const target = Date.UTC(year, month - 1, day) + secondsOfDay * 1000;
  // The offsets a day before and a day after bracket any transition near the target (zones change offset at
  // most a few times a year). Each gives a candidate; the ones that really show the target time are answers.
  const offsetBefore = wallAsUtc(timeZone, target - DAY_MS) - (target - DAY_MS);
  const offsetAfter = wallAsUtc(timeZone, target + DAY_MS) - (target + DAY_MS);
  const candidates = [target - offsetBefore, target - offsetAfter];
  const exact = candidates.filter((t) => wallAsUtc(timeZone, t) === target);
  if (exact.length > 0) return Math.min(...exact);
  // In a gap: the clock jumps from below the target to above it between the candidates; find the jump.
  let low = Math.min(...candidates);
  let high = Math.max(...candidates);
  if (!(wallAsUtc(timeZone, low) < target && wallAsUtc(timeZone, high) >= target)) return high;
  while (high - low > 1000) {
    const mid = low + Math.floor((high - low) / 2000) * 1000;
    if (wallAsUtc(timeZone, mid) >= target) high = mid;
    else low = mid;
  }
  return high;
}
