/**
 * Every Redis key and queue name in one place. The prefix is wrapped in a hash tag (`{ari-dialer}`) by default so a
 * Redis Cluster keeps all of an installation's keys (and BullMQ's Lua scripts) on one slot.
 */
export class Keys {
  constructor(readonly prefix: string = '{ari-dialer}') {
    if (!prefix || /\s/.test(prefix)) throw new RangeError('prefix must be non-empty without spaces');
  }

  /** BullMQ's own prefix: its keys become `<prefix>:bull:<queue>:...`. */
  get bullPrefix(): string {
    return `${this.prefix}:bull`;
  }

  /** Set of all campaign ids. */
  get campaigns(): string {
    return `${this.prefix}:campaigns`;
  }

  /** Pub/sub channel for live updates (dashboard, CLI --wait, workers discovering new campaigns). */
  get events(): string {
    return `${this.prefix}:events`;
  }

  /** Do-not-call numbers kept in Redis (a set of normalized numbers). */
  get suppression(): string {
    return `${this.prefix}:suppression`;
  }

  /**
   * List of attempts and finals waiting for PostgreSQL (campaigns with history there): written by the same Lua
   * script that stores them, drained by the archiver, so an outage of PostgreSQL never stops dialing.
   */
  get historyOutbox(): string {
    return `${this.prefix}:history:outbox`;
  }

  /** Held by the one archiver draining the outbox (a token with a TTL). */
  get historyLock(): string {
    return `${this.prefix}:history:archiver`;
  }


  campaign(id: string): string {
    return `${this.prefix}:c:${id}`;
  }
  counters(id: string): string {
    return `${this.prefix}:c:${id}:counters`;
  }
  /** Normalized numbers already accepted (dedupe while importing). */
  numbers(id: string): string {
    return `${this.prefix}:c:${id}:numbers`;
  }
  /** Channel ids whose attempt result is stored (makes storing idempotent). */
  attemptIds(id: string): string {
    return `${this.prefix}:c:${id}:attempt-ids`;
  }
  /** List of every attempt's record, JSON, in the order they ended. */
  attempts(id: string): string {
    return `${this.prefix}:c:${id}:attempts`;
  }
  /** Hash: number → the number's final record (JSON). */
  finals(id: string): string {
    return `${this.prefix}:c:${id}:finals`;
  }
  /** Hash: channelId → the call in flight (JSON: number, since, worker). */
  /** Hash: worker name → JSON { app, asterisk } of every worker that has run (who served which Asterisk). */
  get workers(): string {
    return `${this.prefix}:workers`;
  }
  /** A worker's heartbeat: present (with a TTL) while it lives. */
  alive(worker: string): string {
    return `${this.prefix}:alive:${worker}`;
  }
  /** What a peer's app saw of a channel until its end (JSON WitnessedEnd, with a TTL). */
  witnessed(channelId: string): string {
    return `${this.prefix}:witnessed:${channelId}`;
  }
  inflight(id: string): string {
    return `${this.prefix}:c:${id}:inflight`;
  }
  /** The campaign's next free originate slot (ms on Redis's clock), shared by every worker. */
  pacer(id: string): string {
    return `${this.prefix}:c:${id}:pacer`;
  }
  /** Hash: reason → what last made this campaign's calls wait (JSON HoldBack), for status and dashboard. */
  holdBacks(id: string): string {
    return `${this.prefix}:c:${id}:holds`;
  }
  /** A trunk's next free originate slot, shared by every campaign dialing through it (see Pacer). */
  trunkPacer(name: string): string {
    return `${this.prefix}:trunk:${name}:pacer`;
  }
  /** Sorted set of a trunk's channel leases (see ChannelLeases). */
  trunkChannels(name: string): string {
    return `${this.prefix}:trunk:${name}:channels`;
  }
  /** Sorted set of per-second buckets of originates and answers, for the dashboard's chart. */
  timeline(id: string): string {
    return `${this.prefix}:c:${id}:timeline`;
  }

  /** Everything kept per campaign lives under this (plus the campaign hash itself and its BullMQ queues). */
  campaignScope(id: string): string {
    return `${this.prefix}:c:${id}:`;
  }
  /** Held (with a TTL) by the one process applying the retention period, so workers do not all sweep at once. */
  get retentionLock(): string {
    return `${this.prefix}:retention-lock`;
  }
  /** Hash: hang-up cause label → calls (campaigns with history in PostgreSQL; the dashboard's causes table). */
  causes(id: string): string {
    return `${this.prefix}:c:${id}:causes`;
  }
  /** Hash: epoch second → attempts that started then (campaigns with history in PostgreSQL; calls per second now). */
  starts(id: string): string {
    return `${this.prefix}:c:${id}:starts`;
  }

  dialQueue(id: string): string {
    return `dial-${id}`;
  }
  webhookQueue(id: string): string {
    return `webhook-${id}`;
  }
}
