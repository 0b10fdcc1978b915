import type { CallParams } from '../dialer/call-options.js';
import { parseMediaList, parseMessageOptions } from '../dialer/message/message-options.js';
import type { DialJobData } from './job-data.js';
import { messageInputOf, type CampaignSettings } from '../policy/campaign-settings.js';
import { parseAmdOptions } from '../dialer/amd/amd-options.js';

/**
 * What one attempt dials: the row's own values over the campaign's settings. One place, so the job that places the
 * call and a worker that takes a dead worker's call over follow it with the same parameters. `asterisk`: the config
 * file's name of the Asterisk this worker dials (`default` for ARI_URL), where a recording of the call is kept.
 */
export function attemptCallParams(data: DialJobData, s: CampaignSettings, channelId: string, endpoint: string, asterisk: string): CallParams {
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
    ...amdOf(data, s),
    ...messageOf(data, s),
    ...(s.capture?.length ? { capture: s.capture } : {}),
    ...recordOf(s, asterisk),
  };
}

/** The campaign's recording, made on this worker's Asterisk (keepDays is the retention sweep's, not the call's). */
function recordOf(s: CampaignSettings, asterisk: string): Pick<CallParams, 'record'> {
  if (!s.record) return {};
  const { keepDays: _sweep, ...rec } = s.record;
  return { record: { ...rec, asterisk } };
}

/** The call's own AMD (checked again: job data comes from Redis), else the campaign's. */
function amdOf(data: DialJobData, s: CampaignSettings): Pick<CallParams, 'amd'> {
  if (data.amd) return { amd: parseAmdOptions(data.amd) };
  return s.amd ? { amd: s.amd } : {};
}

/**
 * The call's own message (POST /api/calls), else the campaign's, with the row's own media when its CSV had a `message` cell (checked at import; checked
 * again here since job data comes from Redis). A row's message without a campaign message plays with no press rules.
 */
function messageOf(data: DialJobData, s: CampaignSettings): Pick<CallParams, 'message'> {
  if (data.callMessage) return { message: parseMessageOptions(messageInputOf(data.callMessage))! };
  if (!data.message?.length) return s.message ? { message: s.message } : {};
  const media = parseMediaList(data.message, 'message');
  return { message: s.message ? { ...s.message, media } : parseMessageOptions({ media })! };
}
