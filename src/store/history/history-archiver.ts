import { randomBytes } from 'node:crypto';
import { silentLogger, type Logger } from '../../log.js';
import type { CampaignStore } from '../campaign-store.js';
import { luaScript, runLua, type RedisClient } from '../lua-script.js';
import { OwnerLock } from '../owner-lock.js';
import type { HistoryStore } from './history-store.js';
import { asOutboxEntry, type OutboxEntry } from './history-rows.js';

/** What the archiver needs of a campaign's BullMQ queues (CampaignService provides it). */
export interface CampaignQueues {
  /** Jobs still to run or running (dial and webhook queues): a campaign with any keeps its Redis state. */
  pending(id: string): Promise<number>;
  /** The dial queue's counts, kept as the archived campaign's snapshot. */
  counts(id: string): Promise<Record<string, number>>;
  /** Deletes the campaign's queues and their finished jobs. */
  remove(id: string): Promise<void>;
}

export interface HistoryArchiverOptions {
  store: CampaignStore;
  history: HistoryStore;
  queues: CampaignQueues;
  /** Outbox entries written per transaction. @defaultValue 2000 */
  batchSize?: number;
  /** Pause when the outbox is empty, ms. @defaultValue 200 */
  idleMs?: number;
  /** Longest pause between tries while PostgreSQL is unreachable, ms (backs off from idleMs). @defaultValue 5000 */
  retryMaxMs?: number;
  /** How often finished campaigns are looked for, ms. @defaultValue 2000 */
  archiveEveryMs?: number;
  /** Deletes a finished campaign's per-attempt state and queues from Redis once its history is complete. @defaultValue true */
  purge?: boolean;
  /** A campaign's lock's time to live: another process takes over this long after this one died, ms. @defaultValue 15000 */
  lockTtlMs?: number;
  logger?: Logger;
}

/** Drops what was written, only while this archiver still holds the lock (else another may have written more). */
const ACK = luaScript(
  'ariDialerArchiverAck',
  2,
  `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('LTRIM', KEYS[2], ARGV[2], -1)
return 1
`,
);

/**
 * Moves call history from Redis to PostgreSQL. The campaign store's Lua scripts append each result to the
 * campaign's outbox list in the same step that stores it (on the campaign's slot); this drains each campaign's list
 * in batches (one transaction each, idempotent, so an entry written twice after a crash adds nothing) and trims what
 * was written. While PostgreSQL is down, entries wait in Redis and dialing goes on. One archiver at a time drains a
 * campaign, holding its lock; any worker or `serve` with DATABASE_URL runs one, and the next takes over when it dies.
 *
 * A finished (or cancelled) campaign whose every entry is written is then archived: its row in PostgreSQL gets the
 * counters and a snapshot, and its per-attempt state and queues leave Redis (counters, causes and
 * the timeline stay: a few hundred bytes).
 */
export class HistoryArchiver {
  private readonly o: Required<Omit<HistoryArchiverOptions, 'logger'>>;
  private readonly log: Logger;
  private readonly token = randomBytes(8).toString('hex');
  /** Each campaign's archiver lock, held under this archiver's token. */
  private readonly campaignLock: OwnerLock;
  private readonly known = new Set<string>();
  /** Campaigns whose lock this archiver may hold (released on stop). */
  private readonly locked = new Set<string>();
  private running?: Promise<void>;
  private stopping = false;
  private wake?: () => void;
  private failing = false;
  private lastArchiveCheck = 0;

  constructor(options: HistoryArchiverOptions) {
    this.o = {
      batchSize: 2000,
      idleMs: 200,
      retryMaxMs: 5000,
      archiveEveryMs: 2000,
      purge: true,
      lockTtlMs: 15_000,
      ...options,
    };
    for (const k of ['batchSize', 'idleMs', 'retryMaxMs', 'archiveEveryMs', 'lockTtlMs'] as const) {
      if (!(this.o[k] > 0)) throw new RangeError(`${k} must be greater than 0, got ${this.o[k]}`);
    }
    this.log = (options.logger ?? silentLogger).child({ component: 'history-archiver' });
    this.campaignLock = new OwnerLock(this.o.store.redis, this.token, this.o.lockTtlMs);
  }

  private get redis(): RedisClient {
    return this.o.store.redis;
  }

  /** Runs until stop(): drains the outbox and archives finished campaigns. */
  start(): void {
    if (this.running) return;
    this.stopping = false;
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
    await Promise.all([...this.locked].map((id) => this.campaignLock.release(this.o.store.keys.archiverLock(id)).catch(() => undefined)));
    this.locked.clear();
  }

  /** Entries waiting in the outboxes (all campaigns). */
  async pending(): Promise<number> {
    return (await this.outboxCounts()).reduce((a, [, n]) => a + n, 0);
  }

  /**
   * Every campaign's outbox length, asked all at once: the idle loop reads them every `idleMs`, and one round trip
   * per campaign in turn would grow with the campaigns kept (on a cluster each goes to its campaign's slot).
   */
  private async outboxCounts(): Promise<Array<[id: string, entries: number]>> {
    const ids = await this.o.store.ids();
    const n = await Promise.all(ids.map((id) => this.o.store.outboxCount(id)));
    return ids.map((id, i) => [id, n[i]!]);
  }

  /**
   * Writes batches until every campaign's outbox is empty. Returns how many entries were written, or undefined when
   * there were entries but other processes held every lock. Throws when PostgreSQL fails (the entries stay in Redis).
   */
  async drain(): Promise<number | undefined> {
    let written = 0;
    let lockedOut = false;
    for (const [id, entries] of await this.outboxCounts()) {
      if (this.stopping) break;
      if (entries === 0) continue;
      const n = await this.drainCampaign(id);
      if (n === undefined) lockedOut = true;
      else written += n;
    }
    return lockedOut && written === 0 ? undefined : written;
  }

  /** Writes one campaign's outbox in batches while this archiver holds its lock. */
  private async drainCampaign(id: string): Promise<number | undefined> {
    let written = 0;
    for (let first = true; ; first = false) {
      if (!(await this.lock(id))) return first ? undefined : written;
      const n = await this.writeBatch(id);
      written += n;
      if (n < this.o.batchSize) return written;
    }
  }

  /** Archives every finished campaign whose history is complete in PostgreSQL. Returns their ids. */
  async archiveFinished(): Promise<string[]> {
    const done: string[] = [];
    for (const id of await this.o.store.ids()) {
      if (this.stopping) break;
      if (await this.archiveOne(id)) done.push(id);
    }
    return done;
  }

  private async loop(): Promise<void> {
    let delay = this.o.idleMs;
    while (!this.stopping) {
      try {
        const n = await this.drain();
        if (this.failing) this.log.info('PostgreSQL is back: writing the call history that waited in Redis');
        this.failing = false;
        delay = this.o.idleMs;
        if (Date.now() - this.lastArchiveCheck >= this.o.archiveEveryMs && n !== undefined) {
          this.lastArchiveCheck = Date.now();
          await this.archiveFinished();
        }
        if (n !== undefined && n >= this.o.batchSize) continue;
      } catch (err) {
        if (!this.failing) this.log.warn({ err }, 'cannot write call history to PostgreSQL: results wait in Redis, dialing goes on');
        this.failing = true;
        delay = Math.min(this.o.retryMaxMs, delay * 2);
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  private async lock(id: string): Promise<boolean> {
    const held = await this.campaignLock.hold(this.o.store.keys.archiverLock(id));
    if (held) this.locked.add(id);
    return held;
  }

  private async writeBatch(id: string): Promise<number> {
    const keys = this.o.store.keys;
    const raw = await this.redis.lrange(keys.outbox(id), 0, this.o.batchSize - 1);
    if (!raw.length) return 0;
    const entries: OutboxEntry[] = [];
    for (const v of raw) {
      const e = asOutboxEntry(v);
      if (!e || e.r.campaignId !== id) {
        this.log.error({ campaignId: id, entry: v.slice(0, 200) }, 'outbox entry is not a call record of this campaign: dropped');
        continue;
      }
      entries.push(e);
    }
    await this.ensureCampaign(id);
    await this.o.history.write(entries);
    const ok = await runLua(this.redis, ACK, [keys.archiverLock(id), keys.outbox(id)], [this.token, String(raw.length)]);
    // Lost the lock while writing: the rows are in (idempotent), the next holder writes them again harmlessly.
    if (ok !== 1) return 0;
    return raw.length;
  }

  /** The campaign's row exists before its attempts do, so SQL users can join at once. */
  private async ensureCampaign(id: string): Promise<void> {
    if (this.known.has(id)) return;
    const meta = await this.o.store.get(id);
    if (meta) await this.o.history.saveCampaign(meta);
    this.known.add(id);
  }

  private async archiveOne(id: string): Promise<boolean> {
    const store = this.o.store;
    const meta = await store.get(id);
    if (!meta || meta.history !== 'pg' || meta.archivedAt) return false;
    if (meta.state !== 'finished' && meta.state !== 'cancelled') return false;
    const counters = await store.counters(id);
    if (counters.inflight > 0 || (await store.outboxCount(id)) > 0) return false;
    if ((await this.o.queues.pending(id)) > 0) return false;
    // A list in PostgreSQL: a cancel still ending its contacts, or a final on its way, is not over yet.
    if (meta.contacts === 'pg' && (await this.o.history.contactsOpen(id))) return false;
    const queue = await this.o.queues.counts(id);
    const causes = await store.causesTable(id);
    const archivedAt = new Date().toISOString();
    await this.o.history.saveCampaign(meta, { counters, queue, causes }, archivedAt);
    if (this.o.purge) {
      await this.o.queues.remove(id);
      await store.dropAttemptState(id, { archivedAt, queue });
    }
    this.log.info({ campaignId: id, attempts: counters.attempts, numbers: counters.total }, 'campaign archived: its history is in PostgreSQL');
    return true;
  }
}
