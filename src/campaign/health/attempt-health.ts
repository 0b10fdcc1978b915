import type { CallResult } from '../../dialer/call-result.js';
import type { AsteriskHealth } from './asterisk-health.js';
import { verdictOf } from './attempt-verdict.js';
import type { CampaignBreakers } from './campaign-breakers.js';

/**
 * Originates Asterisk refused while answering (500 Allocation failed) one attempt may meet before it ends ERROR: the
 * breaker handles a campaign-wide failure; this ends a single row whose own endpoint can never be allocated.
 */
export const MAX_REFUSALS = 5;

/** What one attempt's end means for what happens next to it. */
export type AttemptHealthDecision =
  /** Record it (`held`: it failed on a trunk already known dead; it spends no retry). */
  | { action: 'record'; held: boolean }
  /** Asterisk did not take it and no phone rang: back to the queue untouched, after `waitMs`. */
  | { action: 'send-again'; waitMs: number; countRefusal: boolean; why: string };

/**
 * Feeds one placed-or-refused attempt's end to this worker's Asterisk health and the campaign's breaker, and says
 * whether the attempt is recorded or sent again. `refusals`: times this attempt was refused before.
 */
export function judgeAttemptEnd(
  o: { health: AsteriskHealth; breakers: CampaignBreakers },
  campaignId: string,
  result: CallResult,
  at: { retry: boolean; trial: boolean; endpoint: string; refusals: number },
): AttemptHealthDecision {
  const verdict = verdictOf(result, { retry: at.retry });
  if (verdict.kind === 'asterisk-down' && result.placed === false) o.health.reportDown(verdict.reason ?? result.message);
  const held = o.breakers.record(campaignId, verdict, at.trial, at.endpoint, Date.parse(result.created_at)) === 'held' && result.placed !== false;
  const asteriskAway = verdict.kind === 'asterisk-down';
  if (result.placed === false && sendAgainLater(result) && (asteriskAway || at.refusals + 1 < MAX_REFUSALS)) {
    // A refusal with Asterisk answering is counted, so one row's dead endpoint ends; Asterisk away is waited out.
    const waitMs = asteriskAway ? o.health.retryInMs() : o.breakers.retryInMs(campaignId);
    return { action: 'send-again', waitMs, countRefusal: !asteriskAway, why: `originate refused: ${result.message}` };
  }
  return { action: 'record', held };
}

/**
 * A refusal worth sending again: Asterisk or ARI was away (no connection, HTML, 5xx, 401). A 4xx is Asterisk's
 * judgement of the request itself (400 "Invalid endpoint specified"): sending it again cannot change the answer.
 */
function sendAgainLater(r: { http_status?: number; error_code?: string }): boolean {
  return r.http_status === undefined || r.http_status >= 500 || r.error_code === 'ARI_NOT_ARI' || r.error_code === 'ARI_AUTH';
}
