import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AriEventStream } from '../ari/event-stream.js';
import type { CallObserver } from '../dialer/call-options.js';
import type { CallResult } from '../dialer/call-result.js';
import { CampaignSnapshots, type CampaignSource } from './campaign-snapshots.js';

/** What the health metrics read: the worker's Asterisk health and its breakers. */
export interface HealthSource {
  health: { readonly up: boolean };
  breakers: { states(): Array<{ campaignId: string; state: string }> };
}

export interface DialerMetricsOptions {
  /** Node process metrics (CPU, memory, event loop lag, GC) in the same registry, under their usual names. @defaultValue true */
  processMetrics?: boolean;
  /** Labels on every series, e.g. `{ worker: 'ari-dialer-host-123' }`. @defaultValue none */
  defaultLabels?: Record<string, string>;
}

/** What a drain is at (a worker's stopping state, a dashboard's too). */
export interface DrainState {
  stopping: boolean;
  webhooks: number;
}

/**
 * The dialer's Prometheus metrics, in a registry of their own (never prom-client's global one, so two instances,
 * as in tests, never collide). Fed by a CallObserver, the ARI event stream and, at scrape time, Redis.
 */
export class DialerMetrics {
  readonly registry = new Registry();
  readonly originates: Counter;
  readonly calls: Counter<'disposition' | 'cause'>;
  readonly amdVerdicts: Counter<'status'>;
  readonly amdSeconds: Histogram;
  readonly inFlight: Gauge;
  readonly answerSeconds: Histogram;
  readonly continueSeconds: Histogram;
  readonly ariConnected: Gauge;
  readonly ariReconnects: Counter;
  readonly ariReplaced: Counter;
  readonly ariGapSeconds: Histogram;
  readonly restErrors: Counter<'status' | 'method'>;
  readonly queueJobs: Gauge<'campaign' | 'state'>;
  readonly webhookDeliveries: Counter<'campaign'>;
  readonly webhookFailures: Counter<'campaign'>;
  readonly asteriskUp: Gauge;
  readonly breakerOpen: Gauge<'campaign' | 'state'>;
  readonly breakerTrips: Counter<'campaign'>;
  readonly campaignsPausedByBreaker: Counter<'campaign'>;
  readonly stopping: Gauge;
  readonly webhooksInFlight: Gauge;
  private readDrain: (() => DrainState) | undefined;
  private readHealth: HealthSource | undefined;
  private readInFlight: (() => number) | undefined;
  private snapshots: CampaignSnapshots | undefined;

  constructor(options: DialerMetricsOptions = {}) {
    const registers = [this.registry];
    if (options.defaultLabels) this.registry.setDefaultLabels(options.defaultLabels);
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.originates = new Counter({ name: 'ari_dialer_originates_total', help: 'Originates Asterisk accepted (calls started)', registers });
    this.calls = new Counter({
      name: 'ari_dialer_calls_total',
      help: 'Calls ended, by disposition and Q.850 cause (0 when unknown)',
      labelNames: ['disposition', 'cause'],
      registers,
    });
    this.amdVerdicts = new Counter({
      name: 'ari_dialer_amd_total',
      help: 'Calls answering machine detection heard, by AMDSTATUS (HUMAN, MACHINE, NOTSURE, HANGUP)',
      labelNames: ['status'],
      registers,
    });
    this.amdSeconds = new Histogram({
      name: 'ari_dialer_amd_seconds',
      help: 'From continue into the AMD context to its verdict (detection time)',
      buckets: [0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10],
      registers,
    });
    // prom-client calls collect() with the metric as `this`; `self` is the registry of readers these metrics copy from.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.inFlight = new Gauge({
      name: 'ari_dialer_calls_in_flight',
      help: 'Channels this process holds on its Asterisk now',
      registers,
      collect() {
        if (self.readInFlight) this.set(self.readInFlight());
      },
    });
    this.answerSeconds = new Histogram({
      name: 'ari_dialer_originate_to_answer_seconds',
      help: 'From originate to answer, for answered calls (ringing time)',
      buckets: [0.5, 1, 2, 3, 5, 8, 13, 20, 30, 45, 60],
      registers,
    });
    this.continueSeconds = new Histogram({
      name: 'ari_dialer_up_to_continue_seconds',
      help: "From the channel being Up and in Stasis to continue sent (the engine's reaction time)",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
    this.stopping = new Gauge({
      name: 'ari_dialer_stopping',
      help: '1 from the first SIGTERM/SIGINT until the process exits (draining: no new calls), else 0',
      registers,
      collect() {
        this.set(self.readDrain?.().stopping ? 1 : 0);
      },
    });
    this.webhooksInFlight = new Gauge({
      name: 'ari_dialer_webhook_deliveries_in_flight',
      help: 'Webhook deliveries this process is sending now',
      registers,
      collect() {
        if (self.readDrain) this.set(self.readDrain().webhooks);
      },
    });
    this.ariConnected = new Gauge({ name: 'ari_dialer_ari_connected', help: '1 while the ARI event WebSocket is open', registers });
    this.ariReconnects = new Counter({ name: 'ari_dialer_ari_reconnects_total', help: 'ARI event WebSocket reconnections after a drop', registers });
    this.ariGapSeconds = new Histogram({
      name: 'ari_dialer_ari_socket_gap_seconds',
      help: 'Time without an ARI event socket, per reconnect: Asterisk drops our events and fails Stasis() for calls answered in it',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.ariReplaced = new Counter({
      name: 'ari_dialer_ari_app_replaced_total',
      help: 'Times another connection took our Stasis app name (ApplicationReplaced)',
      registers,
    });
    this.restErrors = new Counter({
      name: 'ari_dialer_ari_rest_errors_total',
      help: 'ARI REST requests of calls that Asterisk answered with an error, by status',
      labelNames: ['status', 'method'],
      registers,
    });
    this.queueJobs = new Gauge({
      name: 'ari_dialer_queue_jobs',
      help: 'Dial jobs per campaign and state (from Redis: the same for every process)',
      labelNames: ['campaign', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const c of (await self.snapshots?.get()) ?? []) {
          for (const state of Object.keys(c.queue) as (keyof typeof c.queue)[]) this.set({ campaign: c.id, state }, c.queue[state]);
        }
      },
    });
    // Counters kept in Redis (monotonic per campaign), copied at scrape time: they count for the whole installation.
    const fromRedis = (field: 'webhookDelivered' | 'webhookFailed') =>
      async function collect(this: Counter<'campaign'>) {
        this.reset();
        for (const c of (await self.snapshots?.get()) ?? []) if (c[field] > 0) this.inc({ campaign: c.id }, c[field]);
      };
    this.webhookDeliveries = new Counter({
      name: 'ari_dialer_webhook_deliveries_total',
      help: 'Final results delivered to the campaign webhook (from Redis: the same for every process)',
      labelNames: ['campaign'],
      registers,
      collect: fromRedis('webhookDelivered'),
    });
    this.webhookFailures = new Counter({
      name: 'ari_dialer_webhook_failures_total',
      help: 'Webhook deliveries that failed after their last retry (from Redis: the same for every process)',
      labelNames: ['campaign'],
      registers,
      collect: fromRedis('webhookFailed'),
    });
    this.asteriskUp = new Gauge({
      name: 'ari_dialer_asterisk_up',
      help: "1 while this worker's Asterisk takes calls (event socket up, ARI answering); 0 while attempts are held back",
      registers,
      collect() {
        if (self.readHealth) this.set(self.readHealth.health.up ? 1 : 0);
      },
    });
    this.breakerOpen = new Gauge({
      name: 'ari_dialer_breaker_open',
      help: 'Campaigns whose circuit breaker in this worker is open or half-open (1), by state',
      labelNames: ['campaign', 'state'],
      registers,
      collect() {
        this.reset();
        for (const b of self.readHealth?.breakers.states() ?? []) this.set({ campaign: b.campaignId, state: b.state }, 1);
      },
    });
    this.breakerTrips = new Counter({
      name: 'ari_dialer_breaker_trips_total',
      help: "Times a campaign's circuit breaker opened in this worker (failures on our side of the line in a row)",
      labelNames: ['campaign'],
      registers,
    });
    this.campaignsPausedByBreaker = new Counter({
      name: 'ari_dialer_campaign_breaker_pauses_total',
      help: 'Times this worker paused a campaign because its failures persisted with Asterisk answering (dead trunk, bad endpoint)',
      labelNames: ['campaign'],
      registers,
    });
  }

  /** Asterisk health and breaker states read at scrape time; pass {@link breakerObserver} as the worker's `onBreaker`. */
  watchHealth(source: HealthSource): void {
    this.readHealth = source;
  }

  breakerObserver(): (change: { campaignId: string; state: string; trip?: { pause: boolean } }) => void {
    return ({ campaignId, state, trip }) => {
      if (state !== 'open' || !trip) return;
      this.breakerTrips.inc({ campaign: campaignId });
      if (trip.pause) this.campaignsPausedByBreaker.inc({ campaign: campaignId });
    };
  }

  /** Hooks for runCall (pass as CampaignWorker's `observer`). */
  callObserver(): CallObserver {
    return {
      originated: () => this.originates.inc(),
      continued: ({ latencyMs }) => this.continueSeconds.observe(latencyMs / 1000),
      restError: ({ status, method }) => this.restErrors.inc({ status: String(status), method }),
      ended: (r: CallResult) => {
        this.calls.inc({ disposition: r.disposition, cause: String(r.cause) });
        if (r.answered) this.answerSeconds.observe(r.ring_s);
        if (r.amd_status) {
          this.amdVerdicts.inc({ status: r.amd_status });
          if (r.amd_ms !== undefined) this.amdSeconds.observe(r.amd_ms / 1000);
        }
      },
    };
  }

  /** Follows the ARI event socket: connected gauge, reconnects, app replaced. Returns the unsubscribe function. */
  watchStream(stream: AriEventStream): () => void {
    this.ariConnected.set(stream.connected ? 1 : 0);
    const offs = [
      stream.on('connected', () => this.ariConnected.set(1)),
      stream.on('disconnected', () => this.ariConnected.set(0)),
      stream.on('reconnected', ({ downMs }) => {
        this.ariReconnects.inc();
        this.ariGapSeconds.observe(downMs / 1000);
      }),
      stream.on('replaced', () => {
        this.ariReplaced.inc();
        this.ariConnected.set(0);
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  /** Calls in flight are read at scrape time (e.g. `() => worker.callsInFlight`). */
  watchInFlight(read: () => number): void {
    this.readInFlight = read;
  }

  /** Whether the process is stopping, and the webhook deliveries it sends, read at scrape time. */
  watchDrain(read: () => DrainState): void {
    this.readDrain = read;
  }

  /** Queue depths and webhook counters per campaign, read from Redis at scrape time (cached `cacheMs`). */
  watchCampaigns(source: CampaignSource, options: { cacheMs?: number } = {}): void {
    this.snapshots = new CampaignSnapshots(source, options.cacheMs ?? 1000);
  }

  /** The text exposition format, with its content type. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
