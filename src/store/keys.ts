/**
 * The list of a pacer's last sends (the spacing guard's, see Pacer.space) beside its slot key: on the same slot, and
 * dropped with the campaign's attempt state.
 */
export const sentKey = (pacerKey: string): string => `${pacerKey}:sent`;

/** The default key prefix: no hash tag of its own, so each campaign's keys get theirs. */
export const DEFAULT_PREFIX = 'ari-dialer';

/**
 * Every Redis key and queue name in one place, laid out for Redis Cluster: all keys of one campaign (its hash,
 * counters, results, in-flight marks, witnesses, pacer, outbox and its BullMQ queues) share the hash tag
 * `{<campaign id>}`, so every script and MULTI of a campaign runs on one slot and a cluster spreads campaigns over
 * its shards. The few installation-wide keys are tagged apart (`{campaigns}`, `{workers}`, `{suppression}`, a
 * trunk's `{<name>}`).
 *
 * A prefix that carries a hash tag of its own (`{ari-dialer}`, the default before campaigns were tagged) keeps the
 * earlier layout, key for key: one slot for the whole installation, which a single Redis does not mind.
 */
export class Keys {
  /** The prefix has a `{hash tag}`: every key lands on its slot (the earlier one-slot layout). */
  readonly oneSlot: boolean;

  constructor(readonly prefix: string = DEFAULT_PREFIX) {
    if (!prefix || /\s/.test(prefix)) throw new RangeError('prefix must be non-empty without spaces');
    this.oneSlot = /\{[^}]+\}/.test(prefix);
    if (!this.oneSlot && /[{}]/.test(prefix)) throw new RangeError(`prefix ${JSON.stringify(prefix)}: a brace is only allowed as a whole {hash tag}`);
  }

  /** `<prefix>:{<tag>}<rest>`, or `<prefix>:<plain>` in the one-slot layout. */
  private tagged(tag: string, rest: string, plain: string): string {
    return this.oneSlot ? `${this.prefix}:${plain}` : `${this.prefix}:{${tag}}${rest}`;
  }

  /** The campaign's own hash; every other key of it starts with this and a colon. */
  campaign(id: string): string {
    return this.oneSlot ? `${this.prefix}:c:${id}` : `${this.prefix}:c:{${id}}`;
  }

  /** Everything kept per campaign lives under this, its BullMQ queues included (one-slot layout: not the queues). */
  campaignScope(id: string): string {
    return `${this.campaign(id)}:`;
  }

  /** BullMQ's prefix for a campaign's queues: their keys become `<bullPrefix>:<queue>:...`, on the campaign's slot. */
  bullPrefixFor(id: string): string {
    return this.oneSlot ? `${this.prefix}:bull` : `${this.campaign(id)}:bull`;
  }

  /** Set of all campaign ids. */
  get campaigns(): string {
    return this.tagged('campaigns', '', 'campaigns');
  }

  /** Pub/sub channel for live updates (dashboard, CLI --wait, workers discovering new campaigns). Not a key. */
  get events(): string {
    return `${this.prefix}:events`;
  }

  /** Do-not-call numbers kept in Redis (a set of normalized numbers). */
  get suppression(): string {
    return this.tagged('suppression', '', 'suppression');
  }

  /** A throw-away set of an upload's preview (numbers seen), on a slot of its own. */
  preview(token: string): string {
    return this.tagged(`preview-${token}`, '', `preview:${token}`);
  }

  /** Hash: worker name → JSON { asterisk } of every worker that has run (who served which Asterisk). */
  get workers(): string {
    return this.tagged('workers', '', 'workers');
  }
  /** A worker's heartbeat: present (with a TTL) while it lives. On the registry's slot (read together by MGET). */
  alive(worker: string): string {
    return this.tagged('workers', `:alive:${worker}`, `alive:${worker}`);
  }

  /** The dashboard's per-install secret that signs its session cookies (created once, SET NX). */
  get dashboardSecret(): string {
    return this.tagged('dashboard', ':secret', 'dashboard:secret');
  }
  /** One dashboard login session (JSON, with a TTL): deleted by /logout. */
  session(id: string): string {
    return this.tagged('dashboard', `:session:${id}`, `dashboard:session:${id}`);
  }
  /** Stream of operator actions when no PostgreSQL is configured (capped, see AuditLog). */
  get audit(): string {
    return this.tagged('audit', '', 'audit');
  }

  /** Held (with a TTL) by the one process applying the retention period, so workers do not all sweep at once. */
  get retentionLock(): string {
    return this.tagged('retention-lock', '', 'retention-lock');
  }

  /**
   * Hash: `<asterisk>/<recording name>` → JSON { campaignId, since, tries, error } of recordings a delete could not
   * remove from their Asterisk; the retention sweep tries them again. Installation-wide: it outlives the campaign.
   */
  get recordingsToDelete(): string {
    return this.tagged('recordings', ':to-delete', 'recordings:to-delete');
  }
  /** Set of the campaign's recording names already deleted from Asterisk by `recordKeepDays`. */
  recordingsDeleted(id: string): string {
    return `${this.campaign(id)}:recordings-deleted`;
  }

  /** A trunk's next free originate slot, shared by every campaign dialing through it (see Pacer). */
  trunkPacer(name: string): string {
    return this.oneSlot ? `${this.prefix}:trunk:${name}:pacer` : `${this.prefix}:trunk:{${name}}:pacer`;
  }
  /** Sorted set of a trunk's channel leases (see ChannelLeases). */
  trunkChannels(name: string): string {
    return this.oneSlot ? `${this.prefix}:trunk:${name}:channels` : `${this.prefix}:trunk:{${name}}:channels`;
  }

  counters(id: string): string {
    return `${this.campaign(id)}:counters`;
  }
  /** Normalized numbers already accepted (dedupe while importing). */
  numbers(id: string): string {
    return `${this.campaign(id)}:numbers`;
  }
  /** Channel ids whose attempt result is stored (makes storing idempotent). */
  attemptIds(id: string): string {
    return `${this.campaign(id)}:attempt-ids`;
  }
  /** List of every attempt's record, JSON, in the order they ended. */
  attempts(id: string): string {
    return `${this.campaign(id)}:attempts`;
  }
  /** Hash: number → the number's final record (JSON). */
  finals(id: string): string {
    return `${this.campaign(id)}:finals`;
  }
  /** Hash: channelId → the call in flight (JSON: number, since, worker). */
  inflight(id: string): string {
    return `${this.campaign(id)}:inflight`;
  }
  /**
   * Hash: channelId → what a peer's app saw of that call until its end (JSON WitnessedEnd). Written only while the
   * call's in-flight mark is there and deleted with it when the result is stored: bounded by the calls in flight.
   */
  witnessed(id: string): string {
    return `${this.campaign(id)}:witnessed`;
  }
  /**
   * List of attempts and finals waiting for PostgreSQL (campaigns with history there): written by the same Lua
   * script that stores them, drained by the archiver, so an outage of PostgreSQL never stops dialing.
   */
  outbox(id: string): string {
    return `${this.campaign(id)}:outbox`;
  }
  /** Held by the one archiver draining this campaign's outbox (a token with a TTL). */
  archiverLock(id: string): string {
    return `${this.campaign(id)}:archiver`;
  }
  /** Held by the one worker feeding this campaign's hopper from PostgreSQL (its name, with a TTL). */
  feederLock(id: string): string {
    return `${this.campaign(id)}:feeder`;
  }
  /** The campaign's next free originate slot (ms on Redis's clock), shared by every worker. */
  pacer(id: string): string {
    return `${this.campaign(id)}:pacer`;
  }
  /** Hash: reason → what last made this campaign's calls wait (JSON HoldBack), for status and dashboard. */
  holdBacks(id: string): string {
    return `${this.campaign(id)}:holds`;
  }
  /** Hash of 10-second buckets of attempts and answers, for the dashboard's chart. */
  timeline(id: string): string {
    return `${this.campaign(id)}:timeline`;
  }
  /** Hash: hang-up cause label → calls (campaigns with history in PostgreSQL; the dashboard's causes table). */
  causes(id: string): string {
    return `${this.campaign(id)}:causes`;
  }
  /** Hash: epoch second → attempts that started then (campaigns with history in PostgreSQL; calls per second now). */
  starts(id: string): string {
    return `${this.campaign(id)}:starts`;
  }

  /** What the first request with one Idempotency-Key (its SHA-256, hex) was and got (POST /api/calls). */
  idempotency(hash: string): string {
    return this.oneSlot ? `${this.prefix}:idem:${hash}` : `${this.prefix}:idem:{${hash}}`;
  }

  dialQueue(id: string): string {
    return `dial-${id}`;
  }
  webhookQueue(id: string): string {
    return `webhook-${id}`;
  }
}
