import type { CallObserver } from '../dialer/call-options.js';
import type { Logger } from '../log.js';
import type { BreakerState, BreakerTrip } from './health/circuit-breaker.js';
import type { CircuitBreakerOptions } from './health/circuit-breaker-options.js';
import type { HistoryStore } from '../store/history/history-store.js';
import type { Trunk } from './pacing/trunk.js';

export interface CampaignWorkerOptions {
  redisUrl?: string;
  /** Key prefix shared with the CLI and dashboard. @defaultValue '{ari-dialer}' */
  prefix?: string;
  ari: { url: string; user?: string; password?: string };
  /** Stasis app name; unique per process (Asterisk keeps one socket per app). @defaultValue `ari-dialer-<host>-<pid>` */
  app?: string;
  /**
   * Name of the Asterisk server this worker serves (config file `asterisks`). Campaigns pinned to other servers
   * are left to their workers. @defaultValue none: only campaigns not pinned to any server
   */
  asterisk?: string;
  /** Channels this worker may hold on its Asterisk at once, over all campaigns. @defaultValue 100 */
  channelCap?: number;
  /** How often to look for new campaigns (also woken by pub/sub). @defaultValue 1000 */
  pollMs?: number;
  /** On stop: how long calls in flight may go on before they are hung up. @defaultValue 30000 */
  graceMs?: number;
  /**
   * BullMQ job lock: a job whose worker died is taken back this long after its last renewal (renewed every half).
   * @defaultValue 30000
   */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died (stalled jobs). @defaultValue 15000 */
  stalledIntervalMs?: number;
  /** First delay of the webhook's exponential retry backoff. @defaultValue 1000 */
  webhookBackoffMs?: number;
  /**
   * Hosts or CIDRs webhooks may reach although they are inside (config `webhookAllowHosts`); every other
   * loopback, private, link-local… destination is refused when the delivery connects. @defaultValue none
   */
  webhookAllowHosts?: readonly string[];
  /** Number prefixes that may be called (config `allowedDestinations`); any other number ends unanswered, never dialed. @defaultValue any */
  allowedDestinations?: readonly string[];
  /** Number prefixes never called (config `blockedDestinations`): checked before each call. @defaultValue none */
  blockedDestinations?: readonly string[];
  /** The circuit breaker each campaign gets in this worker (threshold, probe backoff, trips before a pause). */
  breaker?: CircuitBreakerOptions;
  /** A campaign's breaker changed state in this worker (for metrics). */
  onBreaker?: (change: { campaignId: string; state: BreakerState; trip?: BreakerTrip }) => void;
  /**
   * A worker is known dead this long after its last heartbeat (renewed every third of it); a live worker on the same
   * Asterisk then follows its calls. @defaultValue 3000
   */
  heartbeatTtlMs?: number;
  /**
   * Ask a live peer worker (same Asterisk) to watch each call this worker originates and keep its end in Redis, so a
   * call that ends while its own worker is dead or without a socket still gets its true result. Costs one ARI
   * subscription and one Redis write per call. @defaultValue true
   */
  witness?: boolean;
  /**
   * Carrier trunks (config file `trunks`) with cps and channel limits shared by every campaign and worker dialing
   * through them. Give every worker the same list. @defaultValue none
   */
  trunks?: readonly Trunk[];
  /**
   * PostgreSQL (DATABASE_URL): campaigns whose list is there get their hopper topped up by this worker while it
   * holds their feeder lock (see HopperFeeder); the schedule's end and cancel end their waiting contacts there.
   * @defaultValue none
   */
  history?: HistoryStore;
  /** How often the hopper feeder tops each campaign up, ms. @defaultValue 500 */
  feedEveryMs?: number;
  /** The feeder lock's time to live, ms: another worker feeds this long after the holder died. @defaultValue 10000 */
  feederLockTtlMs?: number;
  logger?: Logger;
  observer?: CallObserver;
}
