import { campaignOfChannel, channelIdFor } from '../../dialer/channel-id.js';
import type { AttemptRecord } from '../../report/summarize.js';
import type { CampaignService } from '../campaign-service.js';
import { dialJobId } from '../job-data.js';

/** Where a call stands: waiting for its turn, ringing, answered, or over (with its result). */
/** `ringing`: the callee's phone rings (reported for calls placed over HTTP; a list's calls say dialing until answered). */
export type CallState = 'queued' | 'dialing' | 'ringing' | 'answered' | 'ended';

export interface CallStatusReport {
  channelId: string;
  campaignId: string;
  number: string;
  attempt: number;
  state: CallState;
  /** dialing, answered: when the attempt started. */
  since?: string;
  /** ended: the attempt's result (a report row). */
  result?: CallResultRecord;
  /** ended, not final: the retry the campaign's policy scheduled. */
  retry?: { channelId: string };
}

const JOB_QUEUED = new Set(['waiting', 'prioritized', 'paused', 'delayed', 'waiting-children']);

/**
 * The state of one attempt of ours, by its channel id (`dlr-<campaign>-<number>-a<attempt>`): its stored result,
 * else its in-flight mark, else its job, else (lists in PostgreSQL) its contact. Undefined when none of them knows it.
 * Reads only what the workers already keep; nothing is stored per call for this.
 */
export async function callStatus(service: CampaignService, channelId: string): Promise<CallStatusReport | undefined> {
  const campaignId = campaignOfChannel(channelId, await service.store.ids());
  if (!campaignId) return undefined;
  const m = /^(.+)-a(\d{1,4})$/.exec(channelId.slice(channelIdFor({ campaignId, contactKey: 'x', attempt: 1 }).length - 'x-a1'.length));
  if (!m) return undefined;
  // A normalized number is digits with an optional leading +, which the channel id writes as _.
  const number = m[1]!.replace(/^_/, '+');
  const attempt = Number(m[2]);
  if (!/^\+?\d+$/.test(number) || attempt < 1 || channelIdFor({ campaignId, contactKey: number, attempt }) !== channelId) return undefined;
  const base = { channelId, campaignId, number, attempt };

  const result = await resultOf(service, campaignId, channelId);
  if (result) {
    const next = result.final === false ? { retry: { channelId: channelIdFor({ campaignId, contactKey: number, attempt: attempt + 1 }) } } : {};
    return { ...base, state: 'ended', result, ...next };
  }
  const live = await service.store.inflightCall(campaignId, channelId);
  if (live) return { ...base, state: live.state ?? 'dialing', since: live.since };
  const job = await service.dialQueue(campaignId).getJob(dialJobId(campaignId, number, attempt));
  if (job) {
    const st = await job.getState();
    if (JOB_QUEUED.has(st)) return { ...base, state: 'queued' };
    if (st === 'active') return { ...base, state: 'dialing' };
  }
  const meta = await service.store.get(campaignId);
  if (meta?.contacts === 'pg' && service.contacts) {
    // Waiting in a list in PostgreSQL: not fed yet, or a retry parked there until it is due.
    const c = await service.contacts.stateOf(campaignId, number);
    if (c && c.attempt === attempt && (c.state === 'waiting' || c.state === 'retry')) return { ...base, state: 'queued' };
  }
  if (attempt === 1) {
    // Never dialed: ended without a call (cancelled, the campaign's end).
    const final = meta?.history === 'pg' ? await service.history?.finalFor(campaignId, number) : await service.store.finalFor(campaignId, number);
    if (final && final.channel_id === '') return { ...base, state: 'ended', result: final };
  }
  // A job that ran but whose result is not readable yet (between the call's end and its record): still dialing.
  if (job) return { ...base, state: 'dialing' };
  return undefined;
}

/** What is known of an ended attempt: its whole record, or while that is on its way to PostgreSQL, its settled mark. */
export type CallResultRecord = Partial<AttemptRecord> & Pick<AttemptRecord, 'disposition' | 'channel_id'>;

/** The attempt's stored result: in Redis, or (history in PostgreSQL, once settled or archived) in its history. */
async function resultOf(service: CampaignService, campaignId: string, channelId: string): Promise<CallResultRecord | undefined> {
  const rec = (await service.store.attemptByChannel(campaignId, channelId)) as Partial<AttemptRecord> | undefined;
  if (rec && typeof rec.disposition === 'string' && typeof rec.channel_id === 'string') return rec as AttemptRecord;
  const stored = await service.history?.attemptByChannel(channelId);
  if (stored) return stored;
  // The settled mark ({ settled, disposition, final }): the record itself is in the outbox, archived in a moment.
  if (rec && typeof rec.disposition === 'string') return { disposition: rec.disposition, final: rec.final === true, channel_id: channelId };
  return undefined;
}
