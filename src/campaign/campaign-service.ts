import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DialerError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { AttemptRecord } from '../report/summarize.js';
import { CampaignStore, type CampaignCounters, type CampaignMeta } from '../store/campaign-store.js';
import { checkFileStart, enqueueContacts, previewContacts, type ImportCounts } from './import/import-contacts.js';
import { assertDialJobData, type DialJobData } from './job-data.js';
import { cancelledRecord } from './cancelled-record.js';
import { Keys } from '../store/keys.js';
import { parseSettings, type CampaignSettings } from './settings.js';
import type { RowError } from './import/contact-row.js';
import type { HistoryStore, StoredCampaign } from '../store/history/history-store.js';
import { HistoryArchiver, type CampaignQueues, type HistoryArchiverOptions } from '../store/history/history-archiver.js';
import { HoldBacks, type HoldBack } from './pacing/hold-backs.js';
import { formatCallingWindow, isInsideWindow } from './policy/calling-window.js';
import { endedMessage, scheduleGate, scheduleProblems, type CampaignSchedule } from './policy/schedule.js';
import { BadArgumentError } from '../errors.js';

export interface CampaignServiceOptions {
  /** A connection for commands (created with `maxRetriesPerRequest: null`, as BullMQ wants). */
  redis: Redis;
  /** Key prefix. @defaultValue '{ari-dialer}' */
  prefix?: string;
  /**
   * Call history in PostgreSQL (DATABASE_URL). With it, new campaigns send their attempts and finals there (through
   * the Redis outbox the archiver drains) and reads of them follow; without it, history stays in Redis.
   * @defaultValue none
   */
  history?: HistoryStore;
  logger?: Logger;
}

export interface CreateCampaignInput {
  name: string;
  settings: unknown;
  /** Opens the CSV (called once to validate and once to enqueue). */
  open: () => Readable;
  /** Accept the good rows and report the bad ones, instead of rejecting the whole upload. @defaultValue false */
  skipInvalid?: boolean;
  /** Numbers never to dial (normalized). */
  suppression?: Iterable<string>;
  onProgress?: (phase: 'validate' | 'enqueue', counts: ImportCounts) => void;
  onRejected?: (e: RowError) => void;
}

/** The import's counts (see ImportCounts), plus the new campaign's id when it was created. */
export interface CreateCampaignResult extends ImportCounts {
  /** Absent when the upload was rejected (nothing enqueued). */
  id?: string;
  created: boolean;
}

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

/** A schedule edit: a time sets it, `null` clears it, absent leaves it. */
export interface ScheduleChange {
  startAt?: string | null;
  endAt?: string | null;
}

/** Everything users do with campaigns; the CLI and the dashboard are thin layers over it. */
export class CampaignService {
  readonly store: CampaignStore;
  readonly keys: Keys;
  private readonly log: Logger;
  private readonly queues = new Map<string, Queue>();
  private readonly holdBacks: HoldBacks;

  constructor(private readonly opts: CampaignServiceOptions) {
    this.keys = new Keys(opts.prefix);
    this.store = new CampaignStore(opts.redis, this.keys);
    this.holdBacks = new HoldBacks(opts.redis, this.keys);
    this.log = opts.logger ?? silentLogger;
  }

  get redis(): Redis {
    return this.opts.redis;
  }

  get history(): HistoryStore | undefined {
    return this.opts.history;
  }

  /** The archiver that moves this installation's history to PostgreSQL (start() it in a worker or `serve`). */
  historyArchiver(o: Omit<HistoryArchiverOptions, 'store' | 'history' | 'queues'> = {}): HistoryArchiver {
    const history = this.requireHistory('archiving');
    return new HistoryArchiver({ logger: this.log, ...o, store: this.store, history, queues: this.queuesForArchive() });
  }

  /** The BullMQ queue of a campaign's dial jobs (cached). */
  dialQueue(id: string): Queue {
    return this.queue(this.keys.dialQueue(id));
  }

  webhookQueue(id: string): Queue {
    return this.queue(this.keys.webhookQueue(id));
  }

  /** Validates a CSV against settings without creating anything: the upload preview. */
  async preview(input: Omit<CreateCampaignInput, 'name'>): Promise<ImportCounts> {
    const settings = parseSettings(input.settings);
    const scratch = `${this.keys.prefix}:preview:${randomBytes(6).toString('hex')}`;
    return previewContacts(
      this.redis,
      this.keys.suppression,
      scratch,
      { open: input.open, suppression: toSet(input.suppression), onProgress: (c) => input.onProgress?.('validate', c) },
      settings,
    );
  }

  /**
   * Creates a campaign. Strict by default: the file is validated first and one bad row rejects the upload with
   * every bad line listed and nothing enqueued. With `skipInvalid`, good rows are taken and bad ones reported.
   */
  async create(input: CreateCampaignInput): Promise<CreateCampaignResult> {
    const settings = parseSettings(input.settings);
    const name = input.name.trim();
    if (!name) throw new DialerError('BAD_ARGUMENT', 'name: must not be empty');
    if (settings.endAt && Date.parse(settings.endAt) <= Date.now()) throw new BadArgumentError('endAt', `${settings.endAt} has already passed`);
    const suppression = toSet(input.suppression);
    if (!input.skipInvalid) {
      const check = await this.preview({ ...input, onRejected: undefined });
      if (check.rejected > 0) return { created: false, ...check };
    } else await checkFileStart(input, settings);
    const id = campaignIdFor(name);
    await this.store.create({ id, name, settings, state: 'importing', ...(this.opts.history ? { history: 'pg' as const } : {}) });
    await this.applyLimits(id, settings);
    await this.store.publish({ type: 'campaign', id, change: 'created' });
    this.log.info({ campaignId: id, name }, 'campaign created; importing');
    let counts: ImportCounts;
    try {
      counts = await enqueueContacts(this.store, this.dialQueue(id), id, settings, {
        open: input.open,
        suppression,
        onProgress: (c) => input.onProgress?.('enqueue', c),
        onRejected: input.onRejected,
      });
    } catch (err) {
      // Keep what was accepted: the campaign exists and dials it; the error names the line that broke the read.
      await this.store.settle(id, 'importing');
      throw err;
    }
    await this.store.settle(id, 'importing');
    await this.store.publish({ type: 'campaign', id, change: 'imported' });
    return { id, created: true, ...counts };
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
    if (meta.state === 'paused') out.push({ reason: 'paused', detail: meta.paused ? `paused by its ${meta.paused.by === 'breaker' ? 'circuit breaker' : 'operator'}: ${meta.paused.reason}` : 'paused by an operator', at });
    const gate = scheduleGate(s, now);
    if (gate.kind === 'before') out.push({ reason: 'schedule', detail: `starts at ${gate.startAt}`, at, waitMs: gate.waitMs });
    if (gate.kind === 'ended') out.push({ reason: 'schedule', detail: `ended at ${gate.endAt}`, at });
    if (s.window && !isInsideWindow(s.window, new Date(now))) out.push({ reason: 'window', detail: `outside the calling window ${formatCallingWindow(s.window)}`, at });
    if (counters.inflight >= s.maxConcurrent) out.push({ reason: 'concurrency', detail: `its own ${s.maxConcurrent} calls at once`, at });
    for (const h of await this.holdBacks.recent(meta.id, now)) if (!out.some((o) => o.reason === h.reason && h.reason !== 'breaker')) out.push(h);
    return out;
  }

  /**
   * Sets or clears a campaign's start and end while it has not ended. The end must be in the future. Moving the
   * start earlier wakes the jobs that wait for the old one (only before anything was dialed: afterwards the
   * delayed jobs are retries, which must keep their own time).
   */
  async schedule(id: string, change: ScheduleChange): Promise<CampaignMeta> {
    const meta = await this.get(id);
    if (meta.state === 'finished' || meta.state === 'cancelled') throw new BadArgumentError('schedule', `campaign ${id} is ${meta.state}; nothing left to schedule`);
    const before = meta.settings;
    if (before.endAt && Date.now() >= Date.parse(before.endAt)) throw new BadArgumentError('schedule', `campaign ${id} ended at ${before.endAt}; its numbers are ended`);
    const next: CampaignSchedule = { startAt: before.startAt, endAt: before.endAt };
    for (const k of ['startAt', 'endAt'] as const) {
      const v = change[k];
      if (v === null) delete next[k];
      else if (v !== undefined) next[k] = typeof v === 'string' ? v.trim() : v;
    }
    const problems = scheduleProblems(next);
    if (!problems.length && next.endAt && Date.parse(next.endAt) <= Date.now()) problems.push(`endAt: ${next.endAt} has already passed`);
    if (problems.length) throw new BadArgumentError('schedule', problems.join('; '));
    const settings = { ...before };
    delete settings.startAt;
    delete settings.endAt;
    await this.store.updateSettings(id, parseSettings({ ...settings, ...next }));
    const startMs = (x?: string) => (x ? Date.parse(x) : -Infinity);
    if (startMs(next.startAt) < startMs(before.startAt) && (await this.store.counters(id)).attempts === 0) await this.dialQueue(id).promoteJobs();
    await this.store.publish({ type: 'campaign', id, change: 'scheduled' });
    this.log.info({ campaignId: id, startAt: next.startAt ?? null, endAt: next.endAt ?? null }, 'campaign schedule changed');
    return this.get(id);
  }

  /**
   * The end time passed: every number still queued ends CANCELLED "campaign ended at …" (calls in flight finish;
   * a job a worker holds is ended by that worker). Returns how many were ended here.
   */
  async endBySchedule(id: string): Promise<number> {
    const meta = await this.get(id);
    const endAt = meta.settings.endAt;
    if (!endAt || Date.now() < Date.parse(endAt)) return 0;
    return this.endQueued(id, meta, (d) => endedMessage(endAt, d.attempt > 1));
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

  /**
   * Stops new originates at once (BullMQ pauses the queue for every worker); calls in flight finish. `why` records a
   * pause that is not an operator's plain one (a circuit breaker's, with its reason), shown by status and dashboard.
   */
  async pause(id: string, why?: { reason: string; by: 'breaker' | 'operator' }): Promise<CampaignMeta> {
    await this.pauseNow(id, why);
    return this.get(id);
  }

  /** Like {@link pause}; true only for the caller that paused it (a campaign already paused or over stays as it is). */
  async pauseNow(id: string, why?: { reason: string; by: 'breaker' | 'operator' }): Promise<boolean> {
    await this.get(id);
    // The state first: a job already fetched sees "paused" before its originate and goes back to the queue.
    if (!(await this.store.pauseIfLive(id, why ? { ...why, at: new Date().toISOString() } : undefined))) return false;
    await this.dialQueue(id).pause();
    await this.store.publish({ type: 'campaign', id, change: 'paused', ...(why ? { reason: why.reason } : {}) });
    return true;
  }

  async resume(id: string): Promise<CampaignMeta> {
    const meta = await this.get(id);
    if (meta.state === 'paused') {
      await this.store.setState(id, 'running');
      await this.dialQueue(id).resume();
      await this.store.settle(id);
      await this.store.publish({ type: 'campaign', id, change: 'resumed' });
    }
    return this.get(id);
  }

  /** Stops dialing; numbers never (or never again) dialed get a final CANCELLED. Calls in flight finish. */
  async cancel(id: string): Promise<CampaignMeta> {
    const meta = await this.get(id);
    if (meta.state === 'finished' || meta.state === 'cancelled') return meta;
    await this.store.setState(id, 'cancelled');
    await this.dialQueue(id).pause();
    await this.endQueued(id, meta);
    await this.store.publish({ type: 'campaign', id, change: 'cancelled' });
    return this.get(id);
  }

  /** Removes every queued dial job and gives its number a final CANCELLED saying why. */
  private async endQueued(id: string, meta: CampaignMeta, message?: (d: DialJobData) => string): Promise<number> {
    const queue = this.dialQueue(id);
    let ended = 0;
    for (;;) {
      const jobs = await queue.getJobs(['waiting', 'paused', 'delayed', 'prioritized'], 0, 499);
      if (!jobs.length) break;
      let removed = 0;
      for (const job of jobs) {
        const data = assertDialJobData(job.data);
        try {
          await job.remove();
        } catch {
          // Taken by a worker meanwhile: that worker records its result (and sees the cancelled state or the end).
          continue;
        }
        removed++;
        if (await this.store.recordFinalOnly(cancelledRecord(data, meta.settings.endpoint, Date.now(), message?.(data)))) ended++;
      }
      if (!removed) break;
    }
    return ended;
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
    const items = await this.requireHistory('reading its results').latestAttempts(id, { offset, limit, ...(opts.disposition ? { disposition: opts.disposition } : {}) });
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
    const fromHistory = this.opts.history ? await this.opts.history.searchNumber(number, only) : new Map<string, { final?: AttemptRecord; attempts: AttemptRecord[] }>();
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
  private async inHistory(id: string): Promise<boolean> {
    const h = await this.redis.hget(this.keys.campaign(id), 'history');
    if (h === 'pg') return true;
    if (h !== null || !this.opts.history) return false;
    // Not in Redis at all: archived and forgotten there, if PostgreSQL knows it.
    return (await this.opts.history.campaign(id)) !== undefined;
  }

  private requireHistory(doing: string): HistoryStore {
    if (!this.opts.history) {
      throw new DialerError('HISTORY', `this campaign's history is in PostgreSQL: set DATABASE_URL (or databaseUrl in the config file) for ${doing}`);
    }
    return this.opts.history;
  }

  private queuesForArchive(): CampaignQueues {
    return {
      pending: async (id) => {
        const [d, w] = await Promise.all([
          this.dialQueue(id).getJobCounts('waiting', 'active', 'delayed', 'paused', 'prioritized', 'waiting-children'),
          this.webhookQueue(id).getJobCounts('waiting', 'active', 'delayed', 'paused', 'prioritized', 'waiting-children'),
        ]);
        return [...Object.values(d), ...Object.values(w)].reduce((a, b) => a + b, 0);
      },
      counts: async (id) => ({ ...(await this.queueCounts(id)) }),
      remove: async (id) => {
        await this.dialQueue(id).obliterate({ force: true });
        await this.webhookQueue(id).obliterate({ force: true });
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    this.queues.clear();
  }

  /**
   * Concurrency lives in Redis (BullMQ's global concurrency: at most maxConcurrent dial jobs active over every
   * worker). Calls per second are paced per originate by the Pacer (src/campaign/pacing/pacer.ts), also in Redis.
   */
  private async applyLimits(id: string, s: CampaignSettings): Promise<void> {
    await this.dialQueue(id).setGlobalConcurrency(s.maxConcurrent);
    if (s.webhook) await this.webhookQueue(id).setGlobalRateLimit(1, Math.max(1, Math.round(1000 / s.webhook.ratePerSecond)));
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.redis, prefix: this.keys.bullPrefix, streams: { events: { maxLen: QUEUE_EVENTS_MAX_LEN } } });
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
  total: 0, done: 0, attempts: 0, inflight: 0, rejected: 0, suppressed: 0, duplicates: 0, webhookDelivered: 0, webhookFailed: 0, final: {}, attempt: {},
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

const toSet = (it: Iterable<string> | undefined): ReadonlySet<string> | undefined => (it ? new Set(it) : undefined);

/** `spring-sale-k3x9a2`: readable, unique, safe in keys, queue names, channel ids and URLs. */
export function campaignIdFor(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24) || 'campaign';
  return `${slug}-${randomBytes(4).toString('hex')}`;
}
