import type { Worker } from 'bullmq';
import type { CampaignService } from '../src/campaign/campaign-service.js';
import type { CampaignBreakers } from '../src/campaign/health/campaign-breakers.js';
import type { HopperFeeder } from '../src/campaign/hopper/hopper-feeder.js';
import type { Logger } from '../src/log.js';
import { schedulePhase } from '../src/policy/schedule.js';
import type { CampaignMeta } from '../src/store/campaign-store.js';

const RELEASE_AFTER_MS = 5_000;

/** What the roster needs from the worker process that owns it. */
export interface CampaignRosterOptions {
  service: CampaignService;
  breakers: CampaignBreakers;
  /** Tops up the hopper of campaigns whose list is in PostgreSQL. @defaultValue none */
  feeder: HopperFeeder | undefined;
  /** This worker's Asterisk (CampaignWorkerOptions.asterisk): a campaign pinned to other servers is not served here. */
  asterisk: string;
  /** Settings and state, cached for a second (the worker's CampaignMetaCache). */
  campaign: (id: string) => Promise<CampaignMeta>;
  /** Starts the BullMQ workers of one campaign, the dial worker first (startCampaignQueueWorkers). */
  startCampaign: (meta: CampaignMeta) => Worker[];
  /** True from the worker's first stop() on: nothing new is served, dialing is neither held nor resumed. */
  stopping: () => boolean;
  log: Logger;
}

/**
 * The campaigns one worker process serves, each with its BullMQ workers: found in Redis on every sync (a campaign
 * created, resumed or given numbers, and every poll), released once finished or cancelled with nothing queued and
 * no webhook backlog; numbers of campaigns past their end time end CANCELLED on the way.
 */
export class CampaignRoster {
  private readonly workers = new Map<string, Worker[]>();
  private readonly startedAt = new Map<string, number>();
  /** Finished campaigns seen with nothing left to do (no webhook backlog): not looked at again. */
  private readonly drained = new Set<string>();
  /** When this process last swept each ended campaign's queue. */
  private readonly swept = new Map<string, number>();
  private syncing: Promise<void> | undefined;

  constructor(private readonly o: CampaignRosterOptions) {}

  /** Campaign ids served now. */
  ids(): IterableIterator<string> {
    return this.workers.keys();
  }

  /** Every BullMQ worker of every campaign served now. */
  queueWorkers(): Worker[] {
    return [...this.workers.values()].flat();
  }

  /** The sync under way, if any (a drain waits for it). */
  get pending(): Promise<void> | undefined {
    return this.syncing;
  }

  /** Numbers were added to a campaign this worker had seen finished: the next sync serves it again. */
  reopen(id: string): void {
    this.drained.delete(id);
  }

  /** Forgets every campaign's workers (after a drain closed them). */
  clear(): void {
    this.workers.clear();
  }

  sync(): Promise<void> {
    if (this.o.stopping()) return Promise.resolve();
    this.syncing ??= this.doSync()
      .catch((err) => this.o.log.warn({ err: (err as Error).message }, 'campaign discovery failed; will retry'))
      .finally(() => {
        this.syncing = undefined;
      });
    return this.syncing;
  }

  /** Stops fetching the dial jobs of the campaigns `which` picks (calls in flight go on). */
  holdDialing(which: (campaignId: string) => boolean): void {
    if (this.o.stopping()) return;
    for (const [id, ws] of this.workers) if (which(id)) void ws[0]?.pause(true).catch(() => undefined);
  }

  resumeDialing(which: (campaignId: string) => boolean): void {
    if (this.o.stopping()) return;
    for (const [id, ws] of this.workers) if (which(id) && ws[0]?.isPaused()) ws[0].resume();
  }

  private async doSync(): Promise<void> {
    const { service, feeder, log } = this.o;
    const ids = await service.store.ids();
    for (const id of ids) {
      if (this.workers.has(id) || this.o.stopping()) continue;
      if (this.drained.has(id)) continue;
      const meta = await service.store.get(id);
      if (!meta) continue;
      // Pinned to other Asterisk servers: their workers dial it.
      if (meta.settings.asterisks && !meta.settings.asterisks.includes(this.o.asterisk)) {
        this.drained.add(id);
        continue;
      }
      // A finished campaign may still owe webhook deliveries (the receiver was down, or the rate limit lags).
      if (meta.state === 'finished' && (await this.webhookBacklog(meta)) === 0) {
        this.drained.add(id);
        continue;
      }
      this.workers.set(id, this.o.startCampaign(meta));
      if (meta.contacts === 'pg') feeder?.serve(id);
      this.startedAt.set(id, Date.now());
      log.info({ campaignId: id }, 'serving campaign');
    }
    await this.endCampaignsPastTheirEnd();
    for (const [id, ws] of this.workers) {
      // A BullMQ worker closed while its blocking connection is still starting leaves a rejected promise behind
      // ("Connection is closed"): let it settle first.
      if (Date.now() - (this.startedAt.get(id) ?? 0) < RELEASE_AFTER_MS) continue;
      const meta = await service.store.get(id);
      if (meta && meta.state !== 'finished' && meta.state !== 'cancelled') continue;
      const c = await service.queueCounts(id);
      if (c.active + c.waiting + c.delayed + c.paused + c.prioritized > 0) continue;
      if (meta && (await this.webhookBacklog(meta)) > 0) continue;
      // A cancelled list in PostgreSQL with contacts still open: its feeder ends them (see HopperFeeder.feed).
      if (meta?.contacts === 'pg' && meta.state === 'cancelled' && (await service.history?.contactsOpen(id))) continue;
      this.workers.delete(id);
      this.startedAt.delete(id);
      this.o.breakers.forget(id);
      await feeder?.forget(id);
      await Promise.all(ws.map((w) => w.close()));
      log.info({ campaignId: id }, 'campaign done; worker released');
    }
  }

  /**
   * Campaigns whose end time passed: the numbers still queued (waiting, delayed for a retry or the window) end now,
   * CANCELLED "campaign ended at …", instead of each waiting for its own due time. Every second, by any worker
   * (idempotent: a number's final result is stored once), since calls in flight may still add retries.
   */
  private async endCampaignsPastTheirEnd(): Promise<void> {
    for (const id of this.workers.keys()) {
      const meta = await this.o.campaign(id).catch(() => undefined);
      if (!meta || meta.state === 'finished' || meta.state === 'cancelled') continue;
      if (schedulePhase(meta.settings, Date.now()).kind !== 'ended') continue;
      if (Date.now() - (this.swept.get(id) ?? 0) < 1000) continue;
      this.swept.set(id, Date.now());
      const ended = await this.o.service.endBySchedule(id);
      if (ended > 0) this.o.log.info({ campaignId: id, ended, endAt: meta.settings.endAt }, 'campaign end passed: numbers not yet dialed ended');
    }
  }

  /** Webhook deliveries not yet done (waiting, retrying, running) of a campaign that has a webhook. */
  private async webhookBacklog(meta: CampaignMeta): Promise<number> {
    if (!meta.settings.webhook) return 0;
    const c = await this.o.service.webhookQueue(meta.id).getJobCounts('waiting', 'active', 'delayed', 'paused', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0);
  }
}
