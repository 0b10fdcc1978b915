import type { RedisClient } from '../store/lua-script.js';
import type { Logger } from '../log.js';
import type { HistoryStore } from '../store/history/history-store.js';

export interface CampaignServiceOptions {
  /** A connection for commands (created with `maxRetriesPerRequest: null`, as BullMQ wants). */
  redis: RedisClient;
  /** Key prefix. @defaultValue '{ari-dialer}' */
  prefix?: string;
  /**
   * Call history in PostgreSQL (DATABASE_URL). With it, new campaigns send their attempts and finals there (through
   * the Redis outbox the archiver drains) and reads of them follow; without it, history stays in Redis.
   * @defaultValue none
   */
  history?: HistoryStore;
  /**
   * Hosts or CIDRs a webhook may reach although they are inside (loopback, private, link-local…): config
   * `webhookAllowHosts`. Checked at creation and by this process's webhook deliveries. @defaultValue none
   */
  webhookAllowHosts?: readonly string[];
  /** Number prefixes that may be called (config `allowedDestinations`); others are refused at import. @defaultValue any */
  allowedDestinations?: readonly string[];
  /** Number prefixes never called (config `blockedDestinations`), e.g. +1900, +44909. @defaultValue none */
  blockedDestinations?: readonly string[];
  logger?: Logger;
}
