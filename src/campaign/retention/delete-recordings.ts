import { deleteRecordingFile, type RecordingSources } from '../../ari/recording-file.js';
import { parseRecordingInfo } from '../../dialer/recording/recording-info.js';
import type { Logger } from '../../log.js';
import type { CampaignService } from '../campaign-service.js';

/** A recording on one Asterisk. */
export interface StoredRecordingRef {
  asterisk: string;
  name: string;
}

/** What deleting a set of recordings did. Failures are kept in Redis and tried again by the retention sweep. */
export interface DeleteRecordingsResult {
  /** Deleted from their Asterisk now. */
  deleted: number;
  /** Already gone (404): deleted before, or never written. */
  missing: number;
  /** Not deleted (Asterisk unreachable, unknown to this process's config, refused): left for the next sweep. */
  failed: Array<StoredRecordingRef & { reason: string }>;
}

interface Pending {
  campaignId: string;
  since: string;
  tries: number;
  error: string;
}

const field = (r: StoredRecordingRef): string => `${r.asterisk}/${r.name}`;

/** The recordings a campaign's results reference (only a campaign that recorded is read through). */
export async function campaignRecordings(
  service: CampaignService,
  id: string,
  recorded: boolean,
  endedBefore?: number,
): Promise<Array<StoredRecordingRef & { endedAt: number }>> {
  if (!recorded) return [];
  const out: Array<StoredRecordingRef & { endedAt: number }> = [];
  for await (const a of service.attempts(id)) {
    const rec = parseRecordingInfo(a.recording);
    const endedAt = Date.parse(a.ended_at);
    if (rec?.state !== 'done' || (endedBefore !== undefined && !(endedAt < endedBefore))) continue;
    out.push({ asterisk: rec.asterisk, name: rec.name, endedAt });
  }
  return out;
}

/**
 * Deletes recordings from the Asterisk that holds each (`DELETE /recordings/stored/{name}`), one at a time so an
 * Asterisk is never flooded. Never throws for a recording: what could not be deleted is reported and kept in
 * Redis (`recordingsToDelete`) for the retention sweep to try again; what was deleted is taken off that list.
 */
export async function deleteRecordings(
  service: CampaignService,
  campaignId: string,
  list: readonly StoredRecordingRef[],
  sources: RecordingSources | undefined,
  log: Logger,
): Promise<DeleteRecordingsResult> {
  const result: DeleteRecordingsResult = { deleted: 0, missing: 0, failed: [] };
  const key = service.keys.recordingsToDelete;
  for (const r of list) {
    const src = sources?.(r.asterisk);
    let reason: string;
    try {
      if (!src) throw new Error(`Asterisk "${r.asterisk}" is not in this process's config file (asterisks)`);
      if (await deleteRecordingFile(src, r.name)) result.deleted += 1;
      else result.missing += 1;
      await service.redis.hdel(key, field(r));
      continue;
    } catch (err) {
      reason = (err as Error).message;
    }
    result.failed.push({ asterisk: r.asterisk, name: r.name, reason });
    const before = await service.redis.hget(key, field(r));
    const prev = before ? (JSON.parse(before) as Partial<Pending>) : {};
    const pending: Pending = { campaignId, since: prev.since ?? new Date().toISOString(), tries: (prev.tries ?? 0) + 1, error: reason };
    await service.redis.hset(key, field(r), JSON.stringify(pending));
  }
  if (result.failed.length)
    log.warn(
      { campaignId, failed: result.failed.length, first: result.failed[0] },
      'recordings not deleted from Asterisk; the retention sweep tries them again',
    );
  return result;
}

/** Tries again every recording a delete could not remove (the retention sweep, hourly); at most `max` at a time. */
export async function retryRecordingDeletes(
  service: CampaignService,
  sources: RecordingSources | undefined,
  log: Logger,
  max = 1000,
): Promise<DeleteRecordingsResult> {
  const all = await service.redis.hgetall(service.keys.recordingsToDelete);
  const total: DeleteRecordingsResult = { deleted: 0, missing: 0, failed: [] };
  for (const [f, v] of Object.entries(all).slice(0, max)) {
    const slash = f.indexOf('/');
    const ref = { asterisk: f.slice(0, slash), name: f.slice(slash + 1) };
    let campaignId = '';
    try {
      campaignId = String((JSON.parse(v) as Partial<Pending>).campaignId ?? '');
    } catch {
      /* a damaged entry is tried all the same */
    }
    const r = await deleteRecordings(service, campaignId, [ref], sources, log);
    total.deleted += r.deleted;
    total.missing += r.missing;
    total.failed.push(...r.failed);
  }
  return total;
}

/**
 * `recordKeepDays`: deletes from Asterisk each recording of the campaign whose call ended more than that many days
 * ago, once (the names deleted are kept with the campaign, so a later sweep does not ask Asterisk again).
 */
export async function expireRecordings(
  service: CampaignService,
  id: string,
  keepDays: number,
  now: number,
  sources: RecordingSources | undefined,
  log: Logger,
): Promise<DeleteRecordingsResult> {
  const old = await campaignRecordings(service, id, true, now - keepDays * 86_400_000);
  const doneKey = service.keys.recordingsDeleted(id);
  const gone = old.length ? new Set(await service.redis.smembers(doneKey)) : new Set<string>();
  const due = old.filter((r) => !gone.has(r.name));
  const r = await deleteRecordings(service, id, due, sources, log);
  const failed = new Set(r.failed.map((f) => f.name));
  const done = due.filter((d) => !failed.has(d.name)).map((d) => d.name);
  // A failed one is on the retry list: marked deleted here too, so it is not queued twice.
  const marked = due.map((d) => d.name);
  if (marked.length) await service.redis.sadd(doneKey, ...marked);
  if (done.length) log.info({ campaignId: id, keepDays, deleted: done.length }, 'old recordings deleted from Asterisk (recordKeepDays)');
  return r;
}
