import type { AmdOptions } from '../dialer/amd/amd-options.js';
import type { MessageOptions } from '../dialer/message/message-options.js';
import { DialerError } from '../errors.js';

/** One contact's attempt, as stored in a BullMQ job. Small: a 1,000,000-row campaign holds a million of these. */
export interface DialJobData {
  campaignId: string;
  /** Normalized number: also the contact's key within the campaign. */
  number: string;
  /** CSV line of the contact. */
  row: number;
  /** OUR attempt number (1 = first call; a retry by policy is a new job with attempt + 1). */
  attempt: number;
  /** Caller id chosen for the first attempt; retries keep it. */
  callerId?: string;
  context?: string;
  extension?: string;
  priority?: number;
  timeoutS?: number;
  timezone?: string;
  vars?: Record<string, string>;
  /** The row's own message media (the `message` column), replacing the campaign's. */
  message?: string[];
  /**
   * Placed over HTTP (POST /api/calls): its in-flight mark also says when the phone rings, for GET /api/calls (a
   * list's calls skip that write: it would be one more script call per attempt).
   */
  tracked?: boolean;
  /** This call's own AMD (POST /api/calls `amd`), replacing the campaign's. Checked by parseAmdOptions. */
  amd?: AmdOptions;
  /** This call's own message (POST /api/calls `message`), replacing the campaign's. Checked by parseMessageOptions. */
  callMessage?: MessageOptions;
  /** Attempts so far per disposition (BUSY: 1, ...), for the retry policy's per-disposition limits. */
  tries?: Record<string, number>;
  /**
   * Times Asterisk refused this attempt's originate (500 Allocation failed...) with itself answering. Such an attempt
   * goes back to the queue untouched; past a limit it ends ERROR like any failed originate.
   */
  refusals?: number;
}

/** Job data comes from Redis: unknown until checked. A bad job is unrecoverable (retrying cannot fix it). */
export function assertDialJobData(data: unknown): DialJobData {
  const bad = (why: string) => new DialerError('BAD_JOB_DATA', `bad dial job data: ${why}`);
  if (typeof data !== 'object' || data === null) throw bad('not an object');
  const d = data as Record<string, unknown>;
  if (typeof d.campaignId !== 'string' || !d.campaignId) throw bad('campaignId missing');
  if (typeof d.number !== 'string' || !d.number) throw bad('number missing');
  if (!Number.isInteger(d.row)) throw bad('row missing');
  if (!Number.isInteger(d.attempt) || (d.attempt as number) < 1) throw bad('attempt must be an integer >= 1');
  for (const k of ['callerId', 'context', 'extension', 'timezone'] as const) {
    if (d[k] !== undefined && typeof d[k] !== 'string') throw bad(`${k} must be a string`);
  }
  for (const k of ['priority', 'timeoutS', 'refusals'] as const) {
    if (d[k] !== undefined && !Number.isInteger(d[k])) throw bad(`${k} must be an integer`);
  }
  if (d.vars !== undefined && (typeof d.vars !== 'object' || d.vars === null)) throw bad('vars must be an object');
  if (d.message !== undefined && (!Array.isArray(d.message) || d.message.some((m) => typeof m !== 'string'))) throw bad('message must be a list of media URIs');
  if (d.tracked !== undefined && typeof d.tracked !== 'boolean') throw bad('tracked must be a boolean');
  for (const k of ['amd', 'callMessage'] as const) {
    if (d[k] !== undefined && (typeof d[k] !== 'object' || d[k] === null || Array.isArray(d[k]))) throw bad(`${k} must be an object`);
  }
  if (d.tries !== undefined && (typeof d.tries !== 'object' || d.tries === null)) throw bad('tries must be an object');
  return d as unknown as DialJobData;
}

/** BullMQ job id of an attempt: deterministic, so adding the same retry twice is a no-op. */
export const dialJobId = (campaignId: string, number: string, attempt: number): string => `${campaignId}|${number}|a${attempt}`;
