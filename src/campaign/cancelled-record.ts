import type { AttemptRecord } from '../report/summarize.js';
import type { DialJobData } from './job-data.js';
import { renderEndpoint } from '../policy/campaign-settings.js';

/**
 * The final record of a number the campaign stopped before dialing (again): no channel, no call. `message` says why
 * (an operator's cancel by default; the schedule's end says "campaign ended at …").
 */
export function cancelledRecord(
  d: DialJobData,
  endpointTemplate: string,
  at: number = Date.now(),
  message = 'campaign cancelled before this number was dialed',
): AttemptRecord {
  const t = new Date(at).toISOString();
  let endpoint = endpointTemplate;
  try {
    endpoint = renderEndpoint(endpointTemplate, d.number, d.vars ?? {});
  } catch {
    // An unfillable template was already reported at import; keep the template for the record.
  }
  return {
    status: 'success',
    answered: false,
    cause: 0,
    cause_txt: 'Unknown',
    message,
    disposition: 'CANCELLED',
    channel_id: '',
    endpoint,
    callerid: d.callerId ?? '',
    created_at: t,
    answered_at: null,
    ended_at: t,
    ring_s: 0,
    talk_s: 0,
    duration: 0,
    campaignId: d.campaignId,
    row: d.row,
    number: d.number,
    attempt: d.attempt - 1,
    final: true,
    ...(d.vars ? { vars: d.vars } : {}),
  };
}
