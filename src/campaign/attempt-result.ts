import type { CallResult } from '../dialer/call-result.js';
import type { AttemptRecord } from '../report/summarize.js';
import type { CampaignMeta, CampaignStore } from '../store/campaign-store.js';
import type { DialJobData } from './job-data.js';
import { nextAttempt, retryKeyFor } from '../policy/retry-policy.js';
import { settledAtOnce } from './attempt-next-step.js';

export interface AttemptResultDeps {
  store: CampaignStore;
  /** Campaign settings and state (fresh enough to see a cancel). */
  campaign: (id: string) => Promise<CampaignMeta>;
  /** Aborted when this worker hangs up its calls because it is shutting down (not a cancel: called again). */
  hangupAll?: AbortSignal;
}

/**
 * Stores the result of one attempt with its retry decision, once. Used by the job that placed the call and by a
 * worker that took over a dead worker's call, so both decide exactly alike. Returns the record as stored: when
 * another run stored this attempt first, ITS record (the next steps must follow what was stored, not what we saw).
 */
export async function recordAttemptResult(
  deps: AttemptResultDeps,
  data: DialJobData,
  result: CallResult,
  /** The campaign's breaker was already open when this call failed on our side: retry after this, spending nothing. */
  breakerHeldMs?: number,
): Promise<AttemptRecord> {
  const fresh = await deps.campaign(data.campaignId);
  const key = retryKeyFor(result);
  const tries = (data.tries?.[key] ?? 0) + 1;
  const held = breakerHeldMs !== undefined;
  const retry =
    fresh.state === 'cancelled'
      ? { retry: false as const }
      : result.disposition === 'CANCELLED' && deps.hangupAll?.aborted
        ? // Hung up because this worker is shutting down, not because anyone cancelled: another worker calls again.
          { retry: true as const, delayMs: 0 }
        : held
          ? // The trunk was known dead when this call failed on it: try the number again once it is back.
            { retry: true as const, delayMs: breakerHeldMs }
          : nextAttempt(fresh.settings.retry, key, tries);
  const rec: AttemptRecord = {
    ...result,
    campaignId: data.campaignId,
    row: data.row,
    number: data.number,
    attempt: data.attempt,
    final: !retry.retry,
    ...(data.vars ? { vars: data.vars } : {}),
    ...(retry.retry ? { retry_in_s: Math.round(retry.delayMs / 1000) } : {}),
    ...(held ? { breaker_held: true as const } : {}),
  };
  if (await deps.store.recordAttempt(rec, { settled: settledAtOnce(fresh, rec) })) return rec;
  return (await deps.store.attemptByChannel(data.campaignId, result.channel_id)) ?? rec;
}
