import type { AttemptRecord } from '../report/attempt-record.js';
import type { CampaignStore, CampaignMeta } from '../store/campaign-store.js';
import { cancelledRecord } from './cancelled-record.js';
import { dialJobId, type DialJobData } from './job-data.js';
import { PARK_RETRY_MIN_MS } from './hopper/contact-table.js';
import { retryKeyFor } from '../policy/retry-policy.js';
import { endedMessage } from '../policy/schedule.js';

export interface AttemptNextStepDeps {
  store: CampaignStore;
  /** Adds the next attempt (a new job) to the campaign's queue. */
  enqueueRetry: (data: DialJobData, jobId: string, delayMs: number) => Promise<void>;
  /**
   * With lists in PostgreSQL: parks the next attempt in the campaign's list until it is due (see RetryParking);
   * false when it could not, and the retry is then a delayed job. @defaultValue none (always a job)
   */
  parkRetry?: (next: DialJobData, delayMs: number) => Promise<boolean>;
  /** Hands a final result to the webhook queue, when the campaign has one. */
  enqueueWebhook: (rec: AttemptRecord) => Promise<void>;
}

/**
 * What follows an attempt's stored result: the next attempt (a new job, its retry counted per disposition) or the
 * final result's webhook. Every step is idempotent (deterministic job ids), so a re-run after a crash completes what
 * was left undone. With history in PostgreSQL, Redis then keeps only a settled marker of the attempt.
 */
export async function attemptNextStep(deps: AttemptNextStepDeps, meta: CampaignMeta, data: DialJobData, rec: AttemptRecord, now: number): Promise<void> {
  const s = meta.settings;
  if (!rec.final) {
    // An attempt the breaker held spends no retry of its disposition.
    const spent = rec.breaker_held ? 0 : 1;
    const key = retryKeyFor(rec);
    const tries = { ...(data.tries ?? {}), [key]: (data.tries?.[key] ?? 0) + spent };
    const { refusals: _refusals, ...rest } = data;
    const next: DialJobData = { ...rest, attempt: data.attempt + 1, tries };
    const delayMs = (rec.retry_in_s ?? 0) * 1000;
    const end = s.endAt ? Date.parse(s.endAt) : Infinity;
    // A retry due after the campaign's end would only wait to be ended: end the number now, with its reason.
    if (now + delayMs >= end) await deps.store.recordFinalOnly(cancelledRecord(next, s.endpoint, now, endedMessage(s.endAt!, true)));
    else if (!(meta.contacts === 'pg' && delayMs >= PARK_RETRY_MIN_MS && (await parked(deps, next, delayMs))))
      await deps.enqueueRetry(next, dialJobId(data.campaignId, data.number, next.attempt), delayMs);
  } else {
    await deps.enqueueWebhook(rec);
  }
  deps.store.noteActivity(data.campaignId);
  // With history in PostgreSQL the full record is in the outbox (then PostgreSQL): Redis keeps only what a re-run
  // needs to know that nothing is left to do. ~800 bytes per attempt less while the campaign runs. A final without
  // a webhook was stored as that marker already (see settledAtOnce).
  if (meta.history === 'pg' && !settledAtOnce(meta, rec)) await deps.store.markSettled(data.campaignId, rec.channel_id, rec);
}

/**
 * A retry of a list in PostgreSQL waits there, as a row, rather than in Redis as a delayed job (~1 KB each: at 1,000
 * cps with retries minutes apart, ~100 MB). The feeder takes it when due, ahead of numbers not dialed yet. When
 * PostgreSQL cannot take it, the retry is a delayed job as before: a job and a row for the same attempt share its job
 * id, so BullMQ holds one, and the attempt's stored result stops a second run from dialing.
 */
async function parked(deps: AttemptNextStepDeps, next: DialJobData, delayMs: number): Promise<boolean> {
  if (!deps.parkRetry) return false;
  let timer: NodeJS.Timeout | undefined;
  try {
    // A PostgreSQL that hangs must not hold the job: past the bound the retry is a job (a late park is harmless).
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PARK_TIMEOUT_MS)));
    return await Promise.race([deps.parkRetry(next, delayMs), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** How long a retry's park in PostgreSQL may take before the retry is kept as a delayed job instead. */
const PARK_TIMEOUT_MS = 3000;

/**
 * Nothing follows this attempt's stored result (a final, and no webhook to hand it to): with history in PostgreSQL,
 * Redis can keep the settled marker from the start instead of the record, and the job skips a step.
 */
export function settledAtOnce(meta: CampaignMeta, rec: Pick<AttemptRecord, 'final'>): boolean {
  return meta.history === 'pg' && rec.final && !meta.settings.webhook;
}
