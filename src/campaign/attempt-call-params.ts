import type { CallParams } from '../dialer/call-options.js';
import type { DialJobData } from './job-data.js';
import type { CampaignSettings } from './settings.js';

/**
 * What one attempt dials: the row's own values over the campaign's settings. One place, so the job that places the
 * call and a worker that takes a dead worker's call over follow it with the same parameters.
 */
export function attemptCallParams(data: DialJobData, s: CampaignSettings, channelId: string, endpoint: string): CallParams {
  return {
    channelId,
    endpoint,
    callerId: data.callerId ?? '',
    context: data.context ?? s.context,
    extension: data.extension ?? s.extension,
    priority: data.priority ?? s.priority,
    timeoutS: data.timeoutS ?? s.timeoutS,
    maxCallS: s.maxCallS,
    variables: data.vars,
    ...(s.amd ? { amd: s.amd } : {}),
    ...(s.message ? { message: s.message } : {}),
    ...(s.capture?.length ? { capture: s.capture } : {}),
  };
}
