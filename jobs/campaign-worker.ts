import { recordOptOut, type OptOutInfo } from '../src/campaign/opt-out.js';
import { SuppressionList } from '../src/campaign/suppression-list.js';
import { CampaignMetaCache } from '../src/campaign/meta-cache.js';
import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import type { Worker } from 'bullmq';
import { AriClient } from '../src/ari/client.js';
import { AriEventStream } from '../src/ari/event-stream.js';
import type { CallObserver } from '../src/dialer/call-options.js';
import { silentLogger, type Logger } from '../src/log.js';
import { CampaignService } from '../src/campaign/campaign-service.js';
import { startCampaignQueueWorkers } from './campaign-queue-workers.js';
import { WebhookDeliveries } from '../src/campaign/webhook-deliveries.js';
import { AsteriskHealth } from '../src/campaign/health/asterisk-health.js';
import { CampaignBreakers } from '../src/campaign/health/campaign-breakers.js';
import type { BreakerState, BreakerTrip } from '../src/campaign/health/circuit-breaker.js';
import type { CampaignMeta } from '../src/store/campaign-store.js';
import { campaignOfChannel } from '../src/dialer/channel-id.js';
import { connectRedis, connectSubscriber } from '../src/store/redis-connection.js';
import type { RedisClient } from '../src/store/lua-script.js';
import { HopperFeeder } from '../src/campaign/hopper/hopper-feeder.js';
import { HoldBacks } from '../src/campaign/pacing/hold-backs.js';
import { Semaphore } from '../src/campaign/pacing/semaphore.js';
import { schedulePhase } from '../src/policy/schedule.js';
import { Takeover } from '../src/campaign/recovery/takeover.js';
import { Witness } from '../src/campaign/recovery/witness.js';
import { WorkerHeartbeat } from '../src/campaign/recovery/worker-heartbeat.js';
import { DrainTracker } from '../src/campaign/drain/drain-tracker.js';
import { drainWorker, type DrainReport } from '../src/campaign/drain/worker-drain.js';
import { settleWithin } from '../src/campaign/drain/within.js';
import type { CampaignWorkerOptions } from '../src/campaign/campaign-worker-options.js';

export type { CampaignWorkerOptions, DrainReport };

const RELEASE_AFTER_MS = 5_000;
/** A call's own wait after its hangup before it ends UNKNOWN (CallParams.hangupWaitMs, left at its default). */
const HANGUP_WAIT_MS = 3_000;

/**
 * One worker process: one ARI connection and event socket (its own app), and a BullMQ Worker per live campaign.
 * Pacing and concurrency are enforced by BullMQ in Redis, so they hold across all worker processes.
 */
export class CampaignWorker {
  readonly name: string;
  readonly ari: AriClient;
  readonly events: AriEventStream;
  readonly service: CampaignService;
  /** Whether this worker's Asterisk takes calls now. */
  readonly health: AsteriskHealth;
  readonly breakers: CampaignBreakers;
  private readonly redis: RedisClient;
  private readonly sub: RedisClient;
  private readonly log: Logger;
  private readonly cap: Semaphore;
  private readonly hangupAll = new AbortController();
  /** Aborted first on stop: calls waiting for their originate slot go back to the queue instead of dialing. */
  private readonly stopDialing = new AbortController();
  private readonly workers = new Map<string, Worker[]>();
  private readonly startedAt = new Map<string, number>();
  /** Finished campaigns seen with nothing left to do (no webhook backlog): not looked at again. */
  private readonly drained = new Set<string>();
  private readonly metaCache: CampaignMetaCache;
  private readonly heartbeat: WorkerHeartbeat;
  private readonly witness: Witness | undefined;
  private readonly takeover: Takeover;
  private readonly observer: CallObserver | undefined;
  private readonly holdBacks: HoldBacks;
  private readonly deliveries: WebhookDeliveries;
  /** An opt-out goes into the do-not-call list at once, then to the campaign's webhook. */
  private optOut(info: OptOutInfo): Promise<boolean> {
    return recordOptOut(
      { suppression: new SuppressionList(this.redis, this.service.keys), deliveries: this.deliveries, campaign: (cid) => this.campaign(cid) },
      info,
    );
  }
  /** Tops up the hopper of campaigns whose list is in PostgreSQL (with `history`). */
  readonly feeder: HopperFeeder | undefined;
  /** When this process last swept each ended campaign's queue. */
  private readonly swept = new Map<string, number>();
  private pollTimer: NodeJS.Timeout | undefined;
  private stopped: Promise<DrainReport> | undefined;
  private readonly tracker = new DrainTracker();
  private syncing: Promise<void> | undefined;

  constructor(private readonly opts: CampaignWorkerOptions) {
    this.name = opts.app ?? `ari-dialer-${hostname()}-${process.pid}`;
    this.log = (opts.logger ?? silentLogger).child({ worker: this.name });
    this.redis = connectRedis(opts.redisUrl);
    this.sub = connectSubscriber(opts.redisUrl);
    // Without listeners ioredis prints reconnect errors itself; ours go to the log with context.
    for (const [name, conn] of [
      ['redis', this.redis],
      ['subscriber', this.sub],
    ] as const) {
      conn.on('error', (err: Error) => this.log.warn({ connection: name, err: err.message, stack: err.stack }, 'redis connection error'));
    }
    this.service = new CampaignService({
      redis: this.redis,
      prefix: opts.prefix,
      logger: this.log,
      webhookAllowHosts: opts.webhookAllowHosts,
      allowedDestinations: opts.allowedDestinations,
      blockedDestinations: opts.blockedDestinations,
      ...(opts.history ? { history: opts.history } : {}),
    });
    this.metaCache = new CampaignMetaCache((id) => this.service.get(id));
    this.feeder = this.service.contacts
      ? new HopperFeeder({
          redis: this.redis,
          keys: this.service.keys,
          contacts: this.service.contacts,
          queue: (id) => this.service.dialQueue(id),
          campaign: (id) => this.service.get(id),
          endCancelled: (id) => this.service.endCancelled(id),
          owner: this.name,
          intervalMs: opts.feedEveryMs,
          lockTtlMs: opts.feederLockTtlMs,
          logger: this.log,
        })
      : undefined;
    this.deliveries = new WebhookDeliveries(this.service, opts.webhookBackoffMs ?? 1000);
    this.ari = new AriClient({ ...opts.ari, logger: this.log });
    this.events = new AriEventStream({ ...opts.ari, app: this.name, logger: this.log });
    this.cap = new Semaphore(opts.channelCap ?? 100);
    this.health = new AsteriskHealth({ ari: this.ari, events: this.events, logger: this.log });
    // While Asterisk is away, or a campaign's breaker is open, this worker takes none of those jobs: the ones it
    // holds go back to the queue untouched (see dial-contact), and fetching stops until it is healthy again.
    this.health.on('down', () => this.holdDialing(() => true));
    this.health.on('up', () => this.resumeDialing((id) => this.breakers.state(id) !== 'open'));
    this.breakers = new CampaignBreakers({
      ari: this.ari,
      health: this.health,
      breaker: opts.breaker,
      logger: this.log,
      onChange: (change) => {
        this.noteBreaker(change.campaignId, change.state, change.trip);
        if (change.state === 'open') this.holdDialing((id) => id === change.campaignId);
        else if (this.health.up) this.resumeDialing((id) => id === change.campaignId);
        opts.onBreaker?.(change);
      },
      onPause: (id, reason) => this.autoPause(id, reason),
    });
    // Every call in flight listens on this one signal.
    setMaxListeners(0, this.hangupAll.signal, this.stopDialing.signal);
    const ttlMs = opts.heartbeatTtlMs ?? 3000;
    const { redis, keys } = this.service.store;
    this.holdBacks = new HoldBacks(redis, keys);
    this.heartbeat = new WorkerHeartbeat({
      redis,
      keys,
      name: this.name,
      asterisk: opts.asterisk ?? '',
      ttlMs,
      intervalMs: Math.max(1, Math.floor(ttlMs / 3)),
      log: this.log,
    });
    const observed: CallObserver = {
      ...opts.observer,
      originated: (info) => {
        opts.observer?.originated?.(info);
        this.tracker.callPlaced(info.channelId);
      },
      ended: (result) => {
        opts.observer?.ended?.(result);
        this.tracker.callEnded(result);
      },
    };
    if (opts.witness ?? true) {
      // Peers on one Asterisk serve the same campaigns: the owner's campaign is one of this worker's.
      const campaignOf = (channelId: string) => campaignOfChannel(channelId, this.workers.keys());
      const witness = new Witness({
        redis,
        keys,
        ari: this.ari,
        events: this.events,
        peers: () => this.heartbeat.livePeers,
        refreshPeers: () => this.heartbeat.refreshPeers(),
        campaignOf,
        log: this.log,
      });
      this.witness = witness;
      this.observer = {
        ...observed,
        originated: (info) => {
          observed.originated?.(info);
          witness.watch(info.channelId);
        },
      };
    } else this.observer = observed;
    this.takeover = new Takeover({
      name: this.name,
      asterisk: opts.asterisk ?? 'default',
      heartbeat: this.heartbeat,
      store: this.service.store,
      ari: this.ari,
      events: this.events,
      campaignIds: () => this.campaigns,
      campaign: (cid) => this.campaign(cid),
      dialQueue: (cid) => this.service.dialQueue(cid),
      witnessed: this.witnessed,
      observer: opts.observer,
      optOut: (info) => this.optOut(info),
      intervalMs: Math.max(100, Math.floor(ttlMs / 3)),
      log: this.log,
    });
  }

  private readonly witnessed = (channelId: string) => this.witness?.read(channelId) ?? Promise.resolve(undefined);

  /** Connects to ARI (fails fast on 401 or a wrong URL) and starts taking jobs. */
  async start(): Promise<void> {
    await this.events.start();
    await this.heartbeat.start();
    this.takeover.start();
    this.events.on('replaced', () => this.log.error('ARI app name taken by another process; stop this worker'));
    await this.sub.subscribe(this.service.keys.events);
    this.sub.on('message', (_ch: string, msg: string) => {
      if (msg.includes('"change":"created"') || msg.includes('"change":"resumed"')) void this.sync();
      // Numbers added to a campaign this worker had seen finished: serve it again.
      if (msg.includes('"change":"contacts-added"')) {
        this.drained.delete(/"id":"([^"]+)"/.exec(msg)?.[1] ?? '');
        void this.sync();
      }
      // Paused for everyone (an operator, or any worker's breaker): every worker's breaker starts afresh on resume.
      if (msg.includes('"change":"paused"')) this.breakers.forget(/"id":"([^"]+)"/.exec(msg)?.[1] ?? '');
      // A schedule edit: the next job must not go by the old times.
      if (msg.includes('"change":"scheduled"')) this.metaCache.forget(/"id":"([^"]+)"/.exec(msg)?.[1] ?? '');
    });
    await this.sync();
    this.feeder?.start();
    this.pollTimer = setInterval(() => void this.sync(), this.opts.pollMs ?? 1000);
  }

  /** Campaign ids this worker is serving now. */
  get campaigns(): string[] {
    return [...this.workers.keys()];
  }

  get callsInFlight(): number {
    return this.cap.used;
  }

  /**
   * Graceful stop (SIGTERM): take no new jobs, let calls in flight end, and after the grace period hang up the
   * rest; each still gets its result recorded. Bounded whatever is unreachable (see drainWorker): a call Asterisk
   * cannot hang up ends UNKNOWN, a result Redis cannot take is counted and logged, and the report says so.
   */
  stop(graceMs: number = this.opts.graceMs ?? 30_000): Promise<DrainReport> {
    this.stopped ??= this.drain(graceMs);
    return this.stopped;
  }

  /** True from the first stop() on: /readyz says "stopping" and the drain's figures. */
  get stopping(): boolean {
    return this.stopped !== undefined;
  }

  /** What a drain waits for now: dial jobs (calls) and webhook deliveries running in this process. */
  get draining(): { calls: number; webhooks: number } {
    return { calls: this.tracker.calls, webhooks: this.tracker.webhooks };
  }

  private async drain(graceMs: number): Promise<DrainReport> {
    clearInterval(this.pollTimer);
    this.takeover.stop();
    const report = await drainWorker(
      {
        log: this.log,
        tracker: this.tracker,
        queueWorkers: () => [...this.workers.values()].flat(),
        stopDialing: this.stopDialing,
        hangupAll: this.hangupAll,
        syncing: () => this.syncing,
        closers: [
          ['heartbeat', () => this.heartbeat.stop(), 'redis'],
          ['ARI event socket', () => this.events.close()],
          ['ARI client', () => this.ari.close()],
          ['campaign queues', () => this.service.close()],
          ['contact feeder', () => this.feeder?.stop() ?? Promise.resolve()],
        ],
        redisReady: () => this.redis.status === 'ready',
        closeRedis: (ms) => this.closeRedis(ms),
      },
      { graceMs, hangupWaitMs: HANGUP_WAIT_MS },
    );
    this.workers.clear();
    this.breakers.close();
    this.health.close();
    this.witness?.close();
    return report;
  }

  /** QUIT when Redis answers; past `ms`, drop the connections (commands still queued for a gone Redis fail). */
  private async closeRedis(ms: number): Promise<boolean> {
    const inTime = ms > 0 && (await settleWithin(Promise.all([this.sub.quit().catch(() => undefined), this.redis.quit().catch(() => undefined)]), ms));
    if (!inTime) {
      this.sub.disconnect();
      this.redis.disconnect();
    }
    return inTime;
  }

  private sync(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    this.syncing ??= this.doSync()
      .catch((err) => this.log.warn({ err: (err as Error).message }, 'campaign discovery failed; will retry'))
      .finally(() => {
        this.syncing = undefined;
      });
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    const ids = await this.service.store.ids();
    for (const id of ids) {
      if (this.workers.has(id) || this.stopping) continue;
      if (this.drained.has(id)) continue;
      const meta = await this.service.store.get(id);
      if (!meta) continue;
      // Pinned to other Asterisk servers: their workers dial it.
      if (meta.settings.asterisks && !meta.settings.asterisks.includes(this.opts.asterisk ?? '')) {
        this.drained.add(id);
        continue;
      }
      // A finished campaign may still owe webhook deliveries (the receiver was down, or the rate limit lags).
      if (meta.state === 'finished' && (await this.webhookBacklog(meta)) === 0) {
        this.drained.add(id);
        continue;
      }
      this.workers.set(id, this.startCampaign(meta));
      if (meta.contacts === 'pg') this.feeder?.serve(id);
      this.startedAt.set(id, Date.now());
      this.log.info({ campaignId: id }, 'serving campaign');
    }
    await this.endCampaignsPastTheirEnd();
    for (const [id, ws] of this.workers) {
      // A BullMQ worker closed while its blocking connection is still starting leaves a rejected promise behind
      // ("Connection is closed"): let it settle first.
      if (Date.now() - (this.startedAt.get(id) ?? 0) < RELEASE_AFTER_MS) continue;
      const meta = await this.service.store.get(id);
      if (meta && meta.state !== 'finished' && meta.state !== 'cancelled') continue;
      const c = await this.service.queueCounts(id);
      if (c.active + c.waiting + c.delayed + c.paused + c.prioritized > 0) continue;
      if (meta && (await this.webhookBacklog(meta)) > 0) continue;
      // A cancelled list in PostgreSQL with contacts still open: its feeder ends them (see HopperFeeder.feed).
      if (meta?.contacts === 'pg' && meta.state === 'cancelled' && (await this.service.history?.contactsOpen(id))) continue;
      this.workers.delete(id);
      this.startedAt.delete(id);
      this.breakers.forget(id);
      await this.feeder?.forget(id);
      await Promise.all(ws.map((w) => w.close()));
      this.log.info({ campaignId: id }, 'campaign done; worker released');
    }
  }

  /**
   * Campaigns whose end time passed: the numbers still queued (waiting, delayed for a retry or the window) end now,
   * CANCELLED "campaign ended at …", instead of each waiting for its own due time. Every second, by any worker
   * (idempotent: a number's final result is stored once), since calls in flight may still add retries.
   */
  private async endCampaignsPastTheirEnd(): Promise<void> {
    for (const id of this.workers.keys()) {
      const meta = await this.campaign(id).catch(() => undefined);
      if (!meta || meta.state === 'finished' || meta.state === 'cancelled') continue;
      if (schedulePhase(meta.settings, Date.now()).kind !== 'ended') continue;
      if (Date.now() - (this.swept.get(id) ?? 0) < 1000) continue;
      this.swept.set(id, Date.now());
      const ended = await this.service.endBySchedule(id);
      if (ended > 0) this.log.info({ campaignId: id, ended, endAt: meta.settings.endAt }, 'campaign end passed: numbers not yet dialed ended');
    }
  }

  /** Breakers are per worker: each notes its own, so status shows every worker's open breaker while it lives. */
  private noteBreaker(campaignId: string, state: BreakerState, trip?: BreakerTrip): void {
    const field = `breaker:${this.name}`;
    if (state === 'closed') {
      void this.holdBacks.clear(campaignId, field).catch(() => undefined);
      return;
    }
    const why = trip ? `: ${trip.reason}` : '';
    this.holdBacks.note(campaignId, { reason: 'breaker', detail: `circuit breaker ${state} in worker ${this.name}${why}` }, Date.now(), field);
  }

  /** Webhook deliveries not yet done (waiting, retrying, running) of a campaign that has a webhook. */
  private async webhookBacklog(meta: CampaignMeta): Promise<number> {
    if (!meta.settings.webhook) return 0;
    const c = await this.service.webhookQueue(meta.id).getJobCounts('waiting', 'active', 'delayed', 'paused', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  private startCampaign(meta: CampaignMeta): Worker[] {
    return startCampaignQueueWorkers(meta, {
      service: this.service,
      connection: this.redis,
      lockDurationMs: this.opts.lockDurationMs,
      stalledIntervalMs: this.opts.stalledIntervalMs,
      log: this.log,
      tracker: this.tracker,
      job: {
        ari: this.ari,
        events: this.events,
        health: this.health,
        breakers: this.breakers,
        store: this.service.store,
        campaign: (cid) => this.campaign(cid),
        enqueueWebhook: async (rec) => {
          const hook = (await this.campaign(rec.campaignId)).settings.webhook;
          if (hook) await this.deliveries.final(hook, rec);
        },
        channelCap: this.cap,
        hangupAll: this.hangupAll.signal,
        stopDialing: this.stopDialing.signal,
        workerName: this.name,
        asterisk: this.opts.asterisk ?? 'default',
        log: this.log,
        observer: this.observer,
        witnessed: this.witnessed,
        optOut: (info) => this.optOut(info),
        trunks: this.opts.trunks,
        destinations: this.service.destinations,
        holdBacks: this.holdBacks,
      },
    });
  }

  /** Stops fetching the dial jobs of the campaigns `which` picks (calls in flight go on). */
  private holdDialing(which: (campaignId: string) => boolean): void {
    if (this.stopping) return;
    for (const [id, ws] of this.workers) if (which(id)) void ws[0]?.pause(true).catch(() => undefined);
  }

  private resumeDialing(which: (campaignId: string) => boolean): void {
    if (this.stopping) return;
    for (const [id, ws] of this.workers) if (which(id) && ws[0]?.isPaused()) ws[0].resume();
  }

  /** The breaker's verdict: the trunk or the endpoint is dead, not Asterisk. Paused for every worker, with why. */
  private async autoPause(id: string, reason: string): Promise<void> {
    // Several workers' breakers may ask at once: only the one that paused it tells the webhook.
    const pausedHere = await this.service.pauseNow(id, { reason, by: 'breaker' });
    this.metaCache.forget(id);
    if (!pausedHere) return;
    const hook = (await this.campaign(id)).settings.webhook;
    if (hook) await this.deliveries.event(id, hook, { event: 'campaign.paused', campaign_id: id, reason, by: 'breaker', at: new Date().toISOString() });
  }

  /** Settings and state, cached for a second: every job reads them, and cancel must be seen quickly. */
  private campaign(id: string): Promise<CampaignMeta> {
    return this.metaCache.get(id);
  }
}
