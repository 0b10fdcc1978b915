import type { CallResult } from '../dialer/call-result.js';

/**
 * One call attempt of one campaign contact, as stored and reported: the call's result plus where it belongs.
 * A record with an empty `channel_id` placed no call: it is bookkeeping, e.g. the final CANCELLED result of a
 * number the campaign stopped before dialling (again).
 */
export interface AttemptRecord extends CallResult {
  campaignId: string;
  /** The contact's line in the imported file: with `campaignId`, what identifies the contact. */
  row: number;
  /** The dialled number (normalized). */
  number: string;
  /** 1 for the first call of this contact, 2 for the first retry, ... */
  attempt: number;
  /** Whether this is the contact's last attempt: answered, out of retries, or stopped. */
  final: boolean;
  /** The contact's CSV columns that were passed as channel variables. */
  vars?: Record<string, string>;
  /** When not final: the retry policy's delay before the next attempt, in seconds. */
  retry_in_s?: number;
  /**
   * Failed on our side of the line (a network cause) after the campaign's circuit breaker had already opened: the
   * trunk was known dead, so this attempt spends none of the number's retries (it is called again once it is back).
   */
  breaker_held?: true;
  /**
   * Only in Redis, for a campaign whose history is in PostgreSQL: this attempt's job did every step after the call
   * (retry or webhook enqueued), so Redis keeps just this marker and its disposition, not the record.
   */
  settled?: true;
}
