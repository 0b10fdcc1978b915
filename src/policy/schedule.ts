import { BadArgumentError } from '../errors.js';

/** When a campaign may dial at all: nothing before `startAt`, nothing after `endAt`. Windows still apply inside. */
export interface CampaignSchedule {
  /** ISO time with a zone or offset (`2026-12-01T09:00:00+01:00`), as given. */
  startAt?: string;
  endAt?: string;
}

/** Where a moment falls against a schedule. */
export type SchedulePhase = { kind: 'open' } | { kind: 'before'; waitMs: number; startAt: string } | { kind: 'ended'; endAt: string };

/**
 * An ISO date-time that names its zone: `Z` or an offset. A time without one would be read in whatever zone the
 * machine that parses it runs in (the CLI's laptop, a worker in UTC), so it is refused rather than guessed.
 */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Checks one schedule time; `name` is what the user typed it as (`--start-at`, `startAt`) and is in every error. */
export function parseScheduleTime(raw: unknown, name: string): string {
  if (typeof raw !== 'string' || !raw.trim())
    throw new BadArgumentError(name, `must be an ISO time with a zone, e.g. 2026-12-01T09:00:00+01:00, got ${JSON.stringify(raw)}`);
  const s = raw.trim();
  if (!ISO_WITH_ZONE.test(s)) {
    const hint = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s) ? ' (it has no offset: add Z or e.g. +01:00)' : '';
    throw new BadArgumentError(name, `must be an ISO time with a zone, e.g. 2026-12-01T09:00:00+01:00, got ${JSON.stringify(s)}${hint}`);
  }
  if (!Number.isFinite(Date.parse(s))) throw new BadArgumentError(name, `${JSON.stringify(s)} is not a real date and time`);
  return s;
}

/**
 * Checks a whole schedule: each time, and the end after the start. `names` maps the fields to what the user typed
 * (flags on the CLI, JSON keys in the API). Returns problems rather than throwing, so settings can collect them all.
 */
export function scheduleProblems(s: CampaignSchedule, names: { startAt: string; endAt: string } = { startAt: 'startAt', endAt: 'endAt' }): string[] {
  const problems: string[] = [];
  for (const k of ['startAt', 'endAt'] as const) {
    if (s[k] === undefined) continue;
    try {
      parseScheduleTime(s[k], names[k]);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (!problems.length && s.startAt && s.endAt && Date.parse(s.endAt) <= Date.parse(s.startAt)) {
    problems.push(`${names.endAt}: must be after ${names.startAt} (${s.startAt}), got ${s.endAt}`);
  }
  return problems;
}

/** Before the start: wait; past the end: ended; otherwise open. */
export function schedulePhase(s: CampaignSchedule, now: number): SchedulePhase {
  if (s.endAt && now >= Date.parse(s.endAt)) return { kind: 'ended', endAt: s.endAt };
  if (s.startAt && now < Date.parse(s.startAt)) return { kind: 'before', waitMs: Date.parse(s.startAt) - now, startAt: s.startAt };
  return { kind: 'open' };
}

/** The message of a number's final CANCELLED record when the campaign's end came before it was dialed (again). */
export const endedMessage = (endAt: string, again = false): string => `campaign ended at ${endAt} before this number was dialed${again ? ' again' : ''}`;
