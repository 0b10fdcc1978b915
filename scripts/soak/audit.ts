import type { CampaignService } from '../../src/campaign/campaign-service.js';
import type { AttemptRecord } from '../../src/report/summarize.js';
import type { SimStats } from '../../src/sim/index.js';

/**
 * What a fault left behind, measured against the simulator's own count of originates (the ground truth: what
 * Asterisk was actually asked to dial). Shared by the fault suite (which asserts on it) and the soak (which prints
 * it).
 */
export interface CampaignAudit {
  numbers: number;
  /** Numbers with a final result. */
  finals: number;
  attempts: number;
  /** Originates the simulator accepted for this campaign's channel ids. */
  originates: number;
  /** Numbers without a final result once the campaign is over, plus originated channels with no stored attempt. */
  resultsLost: number;
  lostNumbers: string[];
  unrecordedChannels: string[];
  /**
   * Calls placed more often than recorded: numbers whose originates outnumber their placed attempts, or a channel
   * id originated more than once (a re-run that dialed again after the first channel ended).
   */
  doubleDials: number;
  doubleDialed: Array<{ number: string; originates: number; placedAttempts: number }>;
  /** Attempts recorded that Asterisk never saw: must all be honest errors (the originate itself failed). */
  unplacedAttempts: number;
  /** Unplaced attempts NOT marked `status: 'error'`: a result invented for a call that never happened. */
  phantomResults: AttemptRecord[];
  /** Jobs left in the dial queue (waiting, active, delayed, paused, prioritized, failed) and calls marked in flight. */
  stuckJobs: number;
  queue: Record<string, number>;
  inflight: number;
  byDisposition: Record<string, number>;
  attemptsByDisposition: Record<string, number>;
}

/** Channel ids of a campaign start with this (see src/dialer/channel-id.ts). */
export const channelPrefixOf = (campaignId: string): string => `dlr-${campaignId.replace(/[^A-Za-z0-9._-]/g, '_')}-`;

export async function auditCampaign(
  svc: CampaignService,
  campaignId: string,
  numbers: readonly string[],
  endpointOf: (number: string) => string,
  stats: SimStats,
): Promise<CampaignAudit> {
  const finals = new Map<string, AttemptRecord>();
  for await (const f of svc.finals(campaignId)) finals.set(f.number, f);
  const attempts: AttemptRecord[] = [];
  for await (const a of svc.attempts(campaignId)) attempts.push(a);

  const byNumber = new Map<string, AttemptRecord[]>();
  const recordedChannels = new Set<string>();
  const attemptsByDisposition: Record<string, number> = {};
  for (const a of attempts) {
    byNumber.set(a.number, [...(byNumber.get(a.number) ?? []), a]);
    recordedChannels.add(a.channel_id);
    attemptsByDisposition[a.disposition] = (attemptsByDisposition[a.disposition] ?? 0) + 1;
  }
  const originatesOf = (channelId: string): number => stats.originatesByChannelId.get(channelId) ?? 0;

  const prefix = channelPrefixOf(campaignId);
  let originates = 0;
  const unrecordedChannels: string[] = [];
  const doubleDialed: CampaignAudit['doubleDialed'] = [];
  for (const [channelId, n] of stats.originatesByChannelId) {
    if (!channelId.startsWith(prefix)) continue;
    originates += n;
    if (!recordedChannels.has(channelId)) unrecordedChannels.push(channelId);
  }

  const phantomResults: AttemptRecord[] = [];
  let unplacedAttempts = 0;
  const lostNumbers: string[] = [];
  for (const number of numbers) {
    if (!finals.has(number)) lostNumbers.push(number);
    const mine = byNumber.get(number) ?? [];
    let placed = 0;
    let sameIdTwice = false;
    for (const a of mine) {
      const n = originatesOf(a.channel_id);
      if (n === 0) {
        unplacedAttempts++;
        if (a.status !== 'error') phantomResults.push(a);
      } else placed++;
      if (n > 1) sameIdTwice = true;
    }
    const dialed = stats.originatesByEndpoint.get(endpointOf(number)) ?? 0;
    if (dialed > placed || sameIdTwice) doubleDialed.push({ number, originates: dialed, placedAttempts: placed });
  }

  const byDisposition: Record<string, number> = {};
  for (const f of finals.values()) byDisposition[f.disposition] = (byDisposition[f.disposition] ?? 0) + 1;
  const q = await svc.queueCounts(campaignId);
  const queue = { waiting: q.waiting, active: q.active, delayed: q.delayed, paused: q.paused, prioritized: q.prioritized, failed: q.failed };
  const inflight = (await svc.store.counters(campaignId)).inflight;
  return {
    numbers: numbers.length,
    finals: finals.size,
    attempts: attempts.length,
    originates,
    resultsLost: lostNumbers.length + unrecordedChannels.length,
    lostNumbers,
    unrecordedChannels,
    doubleDials: doubleDialed.length,
    doubleDialed,
    unplacedAttempts,
    phantomResults,
    stuckJobs: Object.values(queue).reduce((a, b) => a + b, 0) + inflight,
    queue,
    inflight,
    byDisposition,
    attemptsByDisposition,
  };
}
