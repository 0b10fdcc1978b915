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
import { CampaignRoster } from './campaign-roster.js';
import { WebhookDeliveries } from '../src/campaign/webhook-deliveries.js';
import { AsteriskHealth } from '../src/campaign/health/asterisk-health.js';
import { CampaignBreakers } from '../src/campaign/health/campaign-breakers.js';
import type { BreakerState, BreakerTrip } from '../src/campaign/health/circuit-breaker.js';
import type { CampaignMeta } from '../src/store/campaign-store.js';
import { campaignOfChannel } from '../src/dialer/channel-id.js';
import { connectRedis, connectSubscriber } from '../src/store/redis-connection.js';
import type { RedisClient } from '../src/store/lua-script.js';
import { RetryParking } from '../src/campaign/hopper/retry-parking.js';
import { HopperFeeder } from '../src/campaign/hopper/hopper-feeder.js';
import { HoldBacks } from '../src/campaign/pacing/hold-backs.js';
import { Semaphore } from '../src/campaign/pacing/semaphore.js';
import { Takeover } from '../src/campaign/recovery/takeover.js';
import { Witness } from '../src/campaign/recovery/witness.js';
import { WorkerHeartbeat } from '../src/campaign/recovery/worker-heartbeat.js';
import { DrainTracker } from '../src/campaign/drain/drain-tracker.js';
import { drainWorker, type DrainReport } from '../src/campaign/drain/worker-drain.js';
import { settleWithin } from '../src/campaign/drain/within.js';
import type { CampaignWorkerOptions } from '../src/campaign/campaign-worker-options.js';

export type { CampaignWorkerOptions, DrainReport };

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
  /** The campaigns served here and their BullMQ workers. */
  private readonly roster: CampaignRoster;
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
  /** Retries of lists in PostgreSQL, parked there in batches. */
  private readonly parking: RetryParking | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private stopped: Promise<DrainReport> | undefined;
  private readonly tracker = new DrainTracker();

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
    this.parking = this.service.contacts ? new RetryParking(this.service.contacts) : undefined;
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
    this.health.on('down', () => this.roster.holdDialing(() => true));
    this.health.on('up', () => this.roster.resumeDialing((id) => this.breakers.state(id) !== 'open'));
    this.breakers = new CampaignBreakers({
      ari: this.ari,
      health: this.health,
      breaker: opts.breaker,
      logger: this.log,
      onChange: (change) => {
        this.noteBreaker(change.campaignId, change.state, change.trip);
        if (change.state === 'open') this.roster.holdDialing((id) => id === change.campaignId);
        else if (this.health.up) this.roster.resumeDialing((id) => id === change.campaignId);
        opts.onBreaker?.(change);
      },
      onPause: (id, reason) => this.autoPause(id, reason),
    });
    this.roster = new CampaignRoster({
      service: this.service,
      breakers: this.breakers,
      feeder: this.feeder,
      asterisk: opts.asterisk ?? '',
      campaign: (id) => this.campaign(id),
      startCampaign: (meta) => this.startCampaign(meta),
      stopping: () => this.stopping,
      log: this.log,
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
      const campaignOf = (channelId: string) => campaignOfChannel(channelId, this.roster.ids());
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
      if (msg.includes('"change":"created"') || msg.includes('"change":"resumed"')) void this.roster.sync();
      // Numbers added to a campaign this worker had seen finished: serve it again.
      if (msg.includes('"change":"contacts-added"')) {
        this.roster.reopen(/"id":"([^"]+)"/.exec(msg)?.[1] ?? '');
        void this.roster.sync();
      }
      // Paused for everyone (an operator, or any worker's breaker): every worker's breaker starts afresh on resume.
      if (msg.includes('"change":"paused"')) this.breakers.forget(/"id":"([^"]+)"/.exec(msg)?.[1] ?? '');
      // A schedule edit: the next job must not go by the old times.
      if (msg.includes('"change":"scheduled"')) this.metaCache.forget(/"id":"([^"]+)"/.exec(msg)?.[1] ?? '');
    });
    await this.roster.sync();
    this.feeder?.start();
    this.pollTimer = setInterval(() => void this.roster.sync(), this.opts.pollMs ?? 1000);
  }

  /** Campaign ids this worker is serving now. */
  get campaigns(): string[] {
    return [...this.roster.ids()];
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
        queueWorkers: () => this.roster.queueWorkers(),
        stopDialing: this.stopDialing,
        hangupAll: this.hangupAll,
        syncing: () => this.roster.pending,
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
    this.roster.clear();
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
        ...(this.parking ? { parkRetry: (next, delayMs) => this.parking!.park(next, delayMs) } : {}),
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
