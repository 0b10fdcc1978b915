import { Queue } from 'bullmq';
import type { RedisClient } from '../store/lua-script.js';
import { DialerError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { AttemptRecord } from '../report/summarize.js';
import { CampaignStore, type CampaignCounters, type CampaignMeta } from '../store/campaign-store.js';
import { Keys } from '../store/keys.js';
import type { HistoryStore, StoredCampaign } from '../store/history/history-store.js';
import type { CampaignServiceOptions } from './campaign-service-options.js';
import { ContactTable } from './hopper/contact-table.js';
import { HoldBacks, type HoldBack } from './pacing/hold-backs.js';
import { formatCallingWindow, isInsideWindow } from '../policy/calling-window.js';
import { schedulePhase } from '../policy/schedule.js';

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
  paused: number;
  prioritized: number;
}

export interface CampaignStatus extends CampaignMeta {
  counters: CampaignCounters;
  queue: QueueCounts;
  /** What keeps its calls waiting now (empty when nothing does, or when it is over). See {@link HoldBack}. */
  holdingBack: HoldBack[];
}

/**
 * With its list in PostgreSQL: numbers not fed to Redis yet (still in the `contacts` table). Each number without a
 * final result has at most one job in Redis (ready, running or delayed) or none yet, so no query is needed; a
 * list kept in Redis has none (undefined). The queue's counts alone would show only the hopper as waiting.
 */
export function notFedYet(s: Pick<CampaignStatus, 'contacts' | 'counters' | 'queue'>): number | undefined {
  if (s.contacts !== 'pg') return undefined;
  const q = s.queue;
  return Math.max(0, s.counters.total - s.counters.done - (q.waiting + q.paused + q.prioritized + q.active + q.delayed));
}

/**
 * What users read about campaigns (state, counts, results, search) and the cached BullMQ queues both reads and
 * commands use. {@link CampaignService} adds the commands; the CLI and the dashboard hold a CampaignService.
 */
export class CampaignReads {
  readonly store: CampaignStore;
  readonly keys: Keys;
  /** Campaign lists in PostgreSQL (with DATABASE_URL): what the hopper feeds from. */
  readonly contacts: ContactTable | undefined;
  protected readonly log: Logger;
  private readonly queues = new Map<string, Queue>();
  private readonly holdBacks: HoldBacks;

  constructor(protected readonly opts: CampaignServiceOptions) {
    this.keys = new Keys(opts.prefix);
    this.store = new CampaignStore(opts.redis, this.keys);
    this.holdBacks = new HoldBacks(opts.redis, this.keys);
    this.contacts = opts.history ? new ContactTable(opts.history.pool) : undefined;
    this.log = opts.logger ?? silentLogger;
  }

  get redis(): RedisClient {
    return this.opts.redis;
  }

  get history(): HistoryStore | undefined {
    return this.opts.history;
  }

  /** The BullMQ queue of a campaign's dial jobs (cached). */
  dialQueue(id: string): Queue {
    return this.queue(id, this.keys.dialQueue(id));
  }

  webhookQueue(id: string): Queue {
    return this.queue(id, this.keys.webhookQueue(id));
  }

  /** A campaign from Redis, or, once Redis forgot it, from its archived row in PostgreSQL. */
  async get(id: string): Promise<CampaignMeta> {
    const meta = (await this.store.get(id)) ?? (await this.opts.history?.campaign(id))?.meta;
    if (!meta) throw new DialerError('NOT_FOUND', `no campaign with id ${JSON.stringify(id)}`);
    return meta;
  }

  async status(id: string): Promise<CampaignStatus> {
    const meta = await this.store.get(id);
    if (!meta) {
      const stored = await this.opts.history?.campaign(id);
      if (!stored) throw new DialerError('NOT_FOUND', `no campaign with id ${JSON.stringify(id)}`);
      return archivedStatus(stored);
    }
    const [counters, queue] = await Promise.all([
      this.store.counters(id),
      meta.archivedAt ? this.store.queueAtArchive(id).then((q) => ({ ...NO_JOBS, ...q })) : this.queueCounts(id),
    ]);
    return { ...meta, counters, queue, holdingBack: await this.holdingBack(meta, counters) };
  }

  /**
   * What keeps a campaign's calls waiting: what its settings say now (paused, before its start, outside its window,
   * at its maxConcurrent) and what workers noted while waiting (its own cps, a trunk's cps or channels, a breaker,
   * Asterisk away; see HoldBacks).
   */
  private async holdingBack(meta: CampaignMeta, counters: CampaignCounters, now = Date.now()): Promise<HoldBack[]> {
    if (meta.state === 'finished' || meta.state === 'cancelled') return [];
    const at = new Date(now).toISOString();
    const s = meta.settings;
    const out: HoldBack[] = [];
    if (meta.state === 'paused')
      out.push({
        reason: 'paused',
        detail: meta.paused ? `paused by its ${meta.paused.by === 'breaker' ? 'circuit breaker' : 'operator'}: ${meta.paused.reason}` : 'paused by an operator',
        at,
      });
    const gate = schedulePhase(s, now);
    if (gate.kind === 'before') out.push({ reason: 'schedule', detail: `starts at ${gate.startAt}`, at, waitMs: gate.waitMs });
    if (gate.kind === 'ended') out.push({ reason: 'schedule', detail: `ended at ${gate.endAt}`, at });
    if (s.window && !isInsideWindow(s.window, new Date(now)))
      out.push({ reason: 'window', detail: `outside the calling window ${formatCallingWindow(s.window)}`, at });
    if (counters.inflight >= s.maxConcurrent) out.push({ reason: 'concurrency', detail: `its own ${s.maxConcurrent} calls at once`, at });
    for (const h of await this.holdBacks.recent(meta.id, now)) if (!out.some((o) => o.reason === h.reason && h.reason !== 'breaker')) out.push(h);
    return out;
  }

  /** Every campaign, newest first: those in Redis, and those only PostgreSQL still knows. */
  async list(): Promise<CampaignStatus[]> {
    const ids = await this.store.ids();
    const all = await Promise.all(ids.map((id) => this.status(id).catch(() => undefined)));
    const live = all.filter((s): s is CampaignStatus => s !== undefined);
    if (this.opts.history) {
      const inRedis = new Set(ids);
      for (const c of await this.opts.history.campaigns()) if (!inRedis.has(c.meta.id) && c.archivedAt) live.push(archivedStatus(c));
    }
    return live.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  /** Final records (one per number), streamed from where the campaign's history lives. */
  async *finals(id: string): AsyncGenerator<AttemptRecord> {
    if (await this.inHistory(id)) yield* this.requireHistory('reading its results').finals(id);
    else yield* this.store.finals(id);
  }

  /** Every attempt in the order they ended, streamed from where the campaign's history lives. */
  async *attempts(id: string): AsyncGenerator<AttemptRecord> {
    if (await this.inHistory(id)) yield* this.requireHistory('reading its results').attempts(id);
    else yield* this.store.attempts(id);
  }

  /** A page of the latest attempts, newest first, optionally only one disposition. */
  async latestAttempts(id: string, opts: { offset?: number; limit?: number; disposition?: string } = {}): Promise<{ total: number; items: AttemptRecord[] }> {
    if (!(await this.inHistory(id))) return this.store.latestAttempts(id, opts);
    const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
    const offset = Math.max(opts.offset ?? 0, 0);
    // The total comes from the counters (the same figure, without counting a million rows).
    const counters = (await this.redis.exists(this.keys.campaign(id)))
      ? await this.store.counters(id)
      : (await this.opts.history?.campaign(id))?.snapshot.counters;
    const total = opts.disposition ? (counters?.attempt[opts.disposition as keyof typeof counters.attempt] ?? 0) : (counters?.attempts ?? 0);
    const items = await this.requireHistory('reading its results').latestAttempts(id, {
      offset,
      limit,
      ...(opts.disposition ? { disposition: opts.disposition } : {}),
    });
    return { total, items };
  }

  /** Finds a number (or a BullMQ job id `campaign|number|aN`) across campaigns: every attempt of it. */
  async search(query: string): Promise<Array<{ campaignId: string; number: string; final?: AttemptRecord; attempts: AttemptRecord[] }>> {
    const q = query.trim();
    const fromJobId = q.split('|');
    const number = (fromJobId.length === 3 ? fromJobId[1]! : q).replace(/[\s().-]/g, '');
    const only = fromJobId.length === 3 ? [fromJobId[0]!] : undefined;
    const inRedis = only ?? (await this.campaignsHolding(number));
    // PostgreSQL answers for every campaign with history there (archived ones are no longer in the Redis index).
    const fromHistory = this.opts.history
      ? await this.opts.history.searchNumber(number, only)
      : new Map<string, { final?: AttemptRecord; attempts: AttemptRecord[] }>();
    const out = [];
    for (const campaignId of [...new Set([...inRedis, ...fromHistory.keys()])].sort()) {
      if (await this.inHistory(campaignId)) {
        const h = fromHistory.get(campaignId);
        out.push({ campaignId, number, final: h?.final, attempts: h?.attempts ?? [] });
        continue;
      }
      const attempts: AttemptRecord[] = [];
      for await (const a of this.store.attempts(campaignId)) if (a.number === number) attempts.push(a);
      out.push({ campaignId, number, final: await this.store.finalFor(campaignId, number), attempts });
    }
    return out;
  }

  /**
   * Campaigns in Redis whose numbers include `number`: one SISMEMBER per campaign in one round trip. Each campaign's
   * own number set (kept to drop duplicates at import) answers, so no key per number is kept for search (that index
   * cost ~230 bytes of Redis per number).
   */
  private async campaignsHolding(number: string): Promise<string[]> {
    const ids = await this.store.ids();
    if (ids.length === 0) return [];
    const p = this.redis.pipeline();
    for (const id of ids) p.sismember(this.keys.numbers(id), number);
    const res = (await p.exec()) ?? [];
    return ids.filter((_, i) => res[i]?.[1] === 1);
  }

  async queueCounts(id: string): Promise<QueueCounts> {
    const c = await this.dialQueue(id).getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'paused', 'prioritized');
    return {
      waiting: c.waiting ?? 0,
      active: c.active ?? 0,
      delayed: c.delayed ?? 0,
      completed: c.completed ?? 0,
      failed: c.failed ?? 0,
      paused: c.paused ?? 0,
      prioritized: c.prioritized ?? 0,
    };
  }

  /** Closes and forgets the cached queues named (a deleted campaign's: a later use would open them afresh). */
  async closeQueues(names: readonly string[]): Promise<void> {
    await Promise.all(
      names.map(async (name) => {
        const q = this.queues.get(name);
        this.queues.delete(name);
        await q?.close();
      }),
    );
  }

  /** Whether a campaign's attempts and finals are read from PostgreSQL. */
  protected async inHistory(id: string): Promise<boolean> {
    const h = await this.redis.hget(this.keys.campaign(id), 'history');
    if (h === 'pg') return true;
    if (h !== null || !this.opts.history) return false;
    // Not in Redis at all: archived and forgotten there, if PostgreSQL knows it.
    return (await this.opts.history.campaign(id)) !== undefined;
  }

  protected requireHistory(doing: string): HistoryStore {
    if (!this.opts.history) {
      throw new DialerError('HISTORY', `this campaign's history is in PostgreSQL: set DATABASE_URL (or databaseUrl in the config file) for ${doing}`);
    }
    return this.opts.history;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }

  private queue(id: string, name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.redis, prefix: this.keys.bullPrefixFor(id), streams: { events: { maxLen: QUEUE_EVENTS_MAX_LEN } } });
      this.queues.set(name, q);
    }
    return q;
  }
}

/**
 * BullMQ's events stream per queue keeps 10,000 entries by default (~1 MB per campaign queue, ~500 bytes per number
 * of a 2,000-number campaign); nothing of ours reads it (no QueueEvents), bull-board does not need it.
 */
const QUEUE_EVENTS_MAX_LEN = 1000;

const NO_JOBS: QueueCounts = { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0, paused: 0, prioritized: 0 };

const NO_COUNTERS: CampaignCounters = {
  total: 0,
  done: 0,
  attempts: 0,
  inflight: 0,
  rejected: 0,
  suppressed: 0,
  duplicates: 0,
  webhookDelivered: 0,
  webhookFailed: 0,
  final: {},
  attempt: {},
};

/** The status of a campaign only PostgreSQL still knows, from the snapshot kept when it was archived. */
function archivedStatus(c: StoredCampaign): CampaignStatus {
  return {
    ...c.meta,
    history: 'pg',
    ...(c.archivedAt ? { archivedAt: c.archivedAt } : {}),
    counters: { ...NO_COUNTERS, ...c.snapshot.counters, inflight: 0 },
    queue: { ...NO_JOBS, ...c.snapshot.queue },
    holdingBack: [],
  };
}
