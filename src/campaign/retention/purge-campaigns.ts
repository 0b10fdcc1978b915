import { silentLogger, type Logger } from '../../log.js';
import type { CampaignMeta } from '../../store/campaign-store.js';
import type { DeletableHistory } from '../../store/deletable-history.js';
import type { CampaignService } from '../campaign-service.js';
import type { RecordingSources } from '../../ari/recording-file.js';
import { campaignFootprint, deleteCampaign, deletionBlockers } from './delete-campaign.js';

export interface PurgeOptions {
  /** Finished (or cancelled) longer ago than this is old enough. */
  olderThanMs: number;
  /** Only list what would go. @defaultValue true */
  dryRun?: boolean;
  /** Also delete each one's history. @defaultValue none: history is kept */
  history?: DeletableHistory;
  /** Where their recordings are deleted (see DeleteCampaignOptions.recordings). @defaultValue none */
  recordings?: RecordingSources;
  /** Measure the Redis bytes each holds (a SCAN and MEMORY USAGE per key: for people, not for every sweep). @defaultValue false */
  measure?: boolean;
  now?: () => Date;
  logger?: Logger;
}

export interface PurgeCandidate {
  id: string;
  name: string;
  state: CampaignMeta['state'];
  /** When it finished or was cancelled. */
  endedAt: string;
  /** With `measure`: what deleting it frees. */
  redisKeys?: number;
  redisBytes?: number;
  /** Recordings deleted from Asterisk with it, and those left for the next sweep. */
  recordingsDeleted?: number;
  recordingsFailed?: number;
}

export interface PurgeResult {
  /** Campaigns that ended before this are old enough. */
  cutoff: string;
  dryRun: boolean;
  /** Deleted (or, in a dry run, to be deleted). */
  deleted: PurgeCandidate[];
  /** Old enough, but something of theirs is still under way (never forced). */
  skipped: Array<PurgeCandidate & { reason: string }>;
}

/**
 * When a campaign ended: finished, or cancelled. A campaign cancelled before cancellations were dated counts from
 * its creation (the oldest it can be).
 */
export function endedAt(meta: CampaignMeta): string | undefined {
  if (meta.state === 'finished') return meta.finishedAt ?? meta.createdAt;
  if (meta.state === 'cancelled') return meta.cancelledAt ?? meta.createdAt;
  return undefined;
}

/**
 * Deletes every campaign that finished or was cancelled more than `olderThanMs` ago; a dry run (the default) only
 * lists them. Campaigns still dialing are never touched, and one that still has calls or webhook deliveries under
 * way is skipped with the reason (a later purge takes it).
 */
export async function purgeCampaigns(service: CampaignService, opts: PurgeOptions): Promise<PurgeResult> {
  const log = opts.logger ?? silentLogger;
  const dryRun = opts.dryRun ?? true;
  const cutoff = new Date((opts.now?.() ?? new Date()).getTime() - opts.olderThanMs);
  const result: PurgeResult = { cutoff: cutoff.toISOString(), dryRun, deleted: [], skipped: [] };
  for (const id of await service.store.ids()) {
    const meta = await service.store.get(id);
    const ended = meta && endedAt(meta);
    if (!meta || !ended || !(Date.parse(ended) < cutoff.getTime())) continue;
    const candidate: PurgeCandidate = { id, name: meta.name, state: meta.state, endedAt: ended };
    if (opts.measure) {
      const f = await campaignFootprint(service, id);
      Object.assign(candidate, { redisKeys: f.keys, redisBytes: f.bytes });
    }
    const blockers = await deletionBlockers(service, meta);
    if (blockers.length) {
      result.skipped.push({ ...candidate, reason: blockers.join('; ') });
      continue;
    }
    if (!dryRun) {
      try {
        const d = await deleteCampaign(service, id, { history: opts.history, recordings: opts.recordings, logger: log });
        if (d.recordings.deleted || d.recordings.failed.length)
          Object.assign(candidate, { recordingsDeleted: d.recordings.deleted, recordingsFailed: d.recordings.failed.length });
      } catch (err) {
        result.skipped.push({ ...candidate, reason: (err as Error).message });
        continue;
      }
    }
    result.deleted.push(candidate);
  }
  return result;
}
