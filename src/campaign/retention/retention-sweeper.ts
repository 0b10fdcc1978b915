import { silentLogger, type Logger } from '../../log.js';
import type { CampaignService } from '../campaign-service.js';
import { purgeCampaigns, type PurgeResult } from './purge-campaigns.js';
import type { RecordingSources } from '../../ari/recording-file.js';
import { expireRecordings, retryRecordingDeletes } from './delete-recordings.js';

export interface RetentionSweeperOptions {
  service: CampaignService;
  /** Campaigns that ended more than this many days ago are deleted from Redis; 0 keeps them forever. */
  retentionDays: number;
  /** Who sweeps (the worker's or dashboard's name), stored in the lock so an operator can see it. */
  owner: string;
  /** How often the installation sweeps (the lock is held this long). @defaultValue 3_600_000 (an hour) */
  intervalMs?: number;
  /** The first try, after start. @defaultValue 10_000 */
  firstDelayMs?: number;
  /**
   * Where recordings are deleted: those of purged campaigns, those older than a campaign's `recordKeepDays`, and
   * those an earlier delete could not remove. With it the sweep runs even when `retentionDays` is 0. @defaultValue none
   */
  recordings?: RecordingSources;
  now?: () => Date;
  logger?: Logger;
}

const DAY_MS = 86_400_000;

/**
 * Bounds Redis without a history database: every worker and dashboard runs one, and once per interval the one that
 * takes the lock (SET NX PX, never released: it expires when the next sweep is due) deletes the campaigns that ended
 * more than `retentionDays` ago. History in a history store is never touched by retention.
 */
export class RetentionSweeper {
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly opts: RetentionSweeperOptions) {
    if (!(Number.isInteger(opts.retentionDays) && opts.retentionDays >= 0)) throw new RangeError('retentionDays must be a whole number of days, 0 or more');
    if (opts.intervalMs !== undefined && !(opts.intervalMs > 0)) throw new RangeError('intervalMs must be greater than 0');
    this.log = (opts.logger ?? silentLogger).child({ component: 'retention' });
  }

  private get intervalMs(): number {
    return this.opts.intervalMs ?? 3_600_000;
  }

  start(): void {
    if ((this.opts.retentionDays === 0 && !this.opts.recordings) || this.timer) return;
    const tick = (): void => {
      this.running ??= this.sweep()
        .catch((err: Error) => this.log.warn({ err: err.message }, 'retention sweep failed; will try again'))
        .finally(() => (this.running = undefined));
    };
    this.timer = setTimeout(() => {
      tick();
      this.timer = setInterval(tick, this.intervalMs).unref();
    }, this.opts.firstDelayMs ?? 10_000).unref();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One sweep if this process takes the lock; undefined when another holds it (or there is nothing to sweep). */
  async sweep(): Promise<PurgeResult | undefined> {
    const { service, retentionDays, owner, recordings } = this.opts;
    if (retentionDays === 0 && !recordings) return undefined;
    const took = await service.redis.set(service.keys.retentionLock, owner, 'PX', this.intervalMs, 'NX');
    if (took !== 'OK') return undefined;
    const now = this.opts.now?.() ?? new Date();
    let r: PurgeResult = { cutoff: now.toISOString(), dryRun: false, deleted: [], skipped: [] };
    if (retentionDays > 0) {
      r = await purgeCampaigns(service, { olderThanMs: retentionDays * DAY_MS, dryRun: false, now: () => now, recordings, logger: this.log });
      if (r.deleted.length || r.skipped.length) {
        this.log.info(
          { retentionDays, deleted: r.deleted.map((c) => c.id), skipped: r.skipped.map((c) => ({ id: c.id, reason: c.reason })) },
          'retention: old campaigns deleted from Redis',
        );
      }
    }
    if (recordings) await this.sweepRecordings(recordings, now.getTime());
    return r;
  }

  /** Recordings past their campaign's `recordKeepDays`, then those an earlier delete left: each failure waits for the next sweep. */
  private async sweepRecordings(sources: RecordingSources, now: number): Promise<void> {
    const { service } = this.opts;
    for (const id of await service.store.ids()) {
      const keepDays = (await service.store.get(id))?.settings.record?.keepDays;
      if (keepDays === undefined) continue;
      await expireRecordings(service, id, keepDays, now, sources, this.log).catch((err: Error) =>
        this.log.warn({ campaignId: id, err: err.message }, 'recording expiry failed; will try again'),
      );
    }
    const again = await retryRecordingDeletes(service, sources, this.log);
    if (again.deleted || again.missing || again.failed.length)
      this.log.info({ deleted: again.deleted, missing: again.missing, stillFailing: again.failed.length }, 'retention: recordings an earlier delete left');
  }
}
