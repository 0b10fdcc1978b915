import type { AttemptRecord } from './attempt-record.js';

/** Why a number ended without any call placed: an operator's cancel, or the campaign's scheduled end. */
export type NotDialedReason = 'cancelled' | 'schedule';

/** The schedule's end writes "campaign ended at …" (policy/schedule.ts endedMessage); any other stop is a cancel. */
const ENDED_BY_SCHEDULE = /^campaign ended at /;

/**
 * A final result that placed no call at all (attempt 0, no channel): the number never rang, so it belongs in no
 * answer rate. A number cancelled before its retry was dialed once and is not one of these.
 */
export function notDialedReason(rec: Pick<AttemptRecord, 'final' | 'attempt' | 'channel_id' | 'disposition' | 'message'>): NotDialedReason | undefined {
  if (!rec.final || rec.channel_id !== '' || rec.attempt > 0 || rec.disposition !== 'CANCELLED') return undefined;
  return ENDED_BY_SCHEDULE.test(rec.message ?? '') ? 'schedule' : 'cancelled';
}
