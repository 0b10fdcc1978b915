import { CampaignActiveError } from '../../errors.js';
import { silentLogger, type Logger } from '../../log.js';
import type { CampaignMeta, CampaignState } from '../../store/campaign-store.js';
import type { DeletableHistory } from '../../store/deletable-history.js';
import { deleteKeysStartingWith } from '../../store/drop-prefix.js';
import { keyFootprint, type KeyFootprint } from '../../store/key-footprint.js';
import type { CampaignService } from '../campaign-service.js';
import type { RecordingSources } from '../../ari/recording-file.js';
import { campaignRecordings, deleteRecordings, type DeleteRecordingsResult } from './delete-recordings.js';

export interface DeleteCampaignOptions {
  /**
   * Delete a campaign that still dials (it is cancelled first), and one with calls or webhook deliveries under way
   * (the results of those calls are then dropped, the deliveries never made). @defaultValue false
   */
  force?: boolean;
  /** Also delete its history through this store (`--history`). @defaultValue none: history is kept */
  history?: DeletableHistory;
  /**
   * Where the campaign's recordings are deleted (`DELETE /recordings/stored/{name}` on the Asterisk that made each).
   * One that cannot be deleted (no such config entry, Asterisk unreachable) is reported, kept for the retention
   * sweep to try again, and never stops the delete. @defaultValue none: every recording is left for the sweep
   */
  recordings?: RecordingSources;
  logger?: Logger;
}

export interface DeleteCampaignResult {
  id: string;
  name: string;
  /** Its state when the delete began. */
  state: CampaignState;
  /** `force` cancelled it first. */
  cancelled: boolean;
  /** Redis keys of the campaign deleted (its hash, counters, results, attempts, timeline, in-flight marks, pacer). */
  keys: number;
  /** BullMQ queues obliterated (jobs, events, rate-limit and concurrency keys). */
  queues: string[];
  /** Whether its history was deleted too, and how many attempts that removed when the store says. */
  history: { deleted: false } | { deleted: true; attempts?: number };
  /** Its recordings on Asterisk: deleted, already gone, and those left for the retention sweep (with the reason). */
  recordings: DeleteRecordingsResult;
}

const LIVE_STATES: readonly CampaignState[] = ['importing', 'running', 'paused'];

/**
 * Why a campaign cannot be deleted without `force`: it still dials, calls of it are in flight, or webhook deliveries
 * of its results are not yet made. Empty when nothing is under way.
 */
export async function deletionBlockers(service: CampaignService, meta: CampaignMeta): Promise<string[]> {
  const out: string[] = [];
  if (LIVE_STATES.includes(meta.state)) out.push(`it is ${meta.state} (cancel it first: ari-dialer campaign cancel ${meta.id})`);
  const [inflight, dial, hook] = await Promise.all([
    service.redis.hlen(service.keys.inflight(meta.id)),
    service.dialQueue(meta.id).getJobCounts('active'),
    meta.settings.webhook
      ? service.webhookQueue(meta.id).getJobCounts('waiting', 'active', 'delayed', 'paused', 'prioritized')
      : Promise.resolve({} as Record<string, number>),
  ]);
  const calls = Math.max(inflight, dial.active ?? 0);
  if (calls > 0) out.push(`${calls} call(s) in flight`);
  const deliveries = Object.values(hook).reduce((a, b) => a + b, 0);
  if (deliveries > 0) out.push(`${deliveries} webhook delivery(ies) not yet made`);
  return out;
}

/**
 * Deletes a campaign's Redis state (not the global suppression list, not other campaigns' search entries) and, when
 * asked, its history. Refuses, with every reason, a campaign that is still under way unless `force`.
 * History goes first: if that fails, Redis is untouched and the delete can simply be run again.
 */
export async function deleteCampaign(service: CampaignService, id: string, opts: DeleteCampaignOptions = {}): Promise<DeleteCampaignResult> {
  const log = (opts.logger ?? silentLogger).child({ campaignId: id });
  const meta = await service.get(id);
  const blockers = await deletionBlockers(service, meta);
  if (blockers.length && !opts.force) {
    throw new CampaignActiveError(
      id,
      `campaign ${id} not deleted: ${blockers.join('; ')}. Delete anyway with --force (it cancels the campaign and drops what is under way)`,
    );
  }
  let cancelled = false;
  if (LIVE_STATES.includes(meta.state)) {
    await service.cancel(id);
    cancelled = true;
  }
  // Read before history and Redis go (they say which files there are); deleted first for the same reason.
  const recorded = await campaignRecordings(service, id, meta.settings.record !== undefined);
  const recordings = await deleteRecordings(service, id, recorded, opts.recordings, log);
  let history: DeleteCampaignResult['history'] = { deleted: false };
  if (opts.history) {
    const r = await opts.history.deleteCampaign(id);
    history = { deleted: true, ...(r && r.attempts !== undefined ? { attempts: r.attempts } : {}) };
  }
  const queues = [service.keys.dialQueue(id), service.keys.webhookQueue(id)];
  try {
    await service.dialQueue(id).obliterate({ force: opts.force === true });
    await service.webhookQueue(id).obliterate({ force: opts.force === true });
  } catch (err) {
    // BullMQ refuses while a job is active: one was taken between our check and now.
    if (/active jobs/i.test((err as Error).message))
      throw new CampaignActiveError(id, `campaign ${id} not deleted: a job became active meanwhile; try again or use --force`);
    throw err;
  }
  const keys = await deleteKeysStartingWith(service.redis, service.keys.campaignScope(id));
  // Last: until here a crash leaves the campaign listed, so running the delete again finishes it. The hash and the
  // index live on different slots of a cluster: the hash goes first, and an id listed without one is no campaign.
  const hashDeleted = await service.redis.del(service.keys.campaign(id));
  await service.redis.srem(service.keys.campaigns, id);
  await service.closeQueues(queues);
  await service.store.publish({ type: 'campaign', id, change: 'deleted' });
  const result: DeleteCampaignResult = { id, name: meta.name, state: meta.state, cancelled, keys: keys + (hashDeleted ? 1 : 0), queues, history, recordings };
  log.info({ ...result, queues: undefined }, 'campaign deleted');
  return result;
}

/** Every Redis key of a campaign, BullMQ's included, and the bytes they hold: what a delete frees. */
export function campaignFootprint(service: CampaignService, id: string, list = false): Promise<KeyFootprint> {
  const { keys } = service;
  return keyFootprint(service.redis, {
    exact: [keys.campaign(id)],
    starts: [keys.campaignScope(id), `${keys.bullPrefixFor(id)}:${keys.dialQueue(id)}:`, `${keys.bullPrefixFor(id)}:${keys.webhookQueue(id)}:`],
    list,
  });
}
