import type { Disposition } from '../dialer/call-result.js';
import type { AttemptRecord } from '../report/summarize.js';
import { Keys, sentKey } from './keys.js';
import { causeLabel } from '../report/cause-label.js';
import { notDialedReason, type NotDialedReason } from '../report/not-dialed.js';
import { asAttemptRecord } from './history/history-rows.js';
import { parseSettings, type CampaignSettings } from '../policy/campaign-settings.js';
import { CHECK_FINISHED, MARK_ANSWERED, MARK_RINGING, MARK_SETTLED, PAUSE_IF_LIVE, RECORD_ATTEMPT, RECORD_FINAL_ONLY, SET_STATE } from './campaign-scripts.js';
import { ActivityNotices } from './activity-notices.js';
import { runLua, type RedisClient } from './lua-script.js';
import { CAMPAIGN_STATES, type CampaignCounters, type CampaignMeta, type CampaignState, type InflightCall, type PauseInfo } from './campaign-types.js';

export { CAMPAIGN_STATES, type CampaignCounters, type CampaignMeta, type CampaignState, type InflightCall, type PauseInfo } from './campaign-types.js';

/** Campaign metadata, counters and results in Redis. All reads treat stored data as untrusted. */
export class CampaignStore {
  private notices: ActivityNotices | undefined;

  constructor(
    readonly redis: RedisClient,
    readonly keys: Keys,
  ) {}

  async create(meta: Omit<CampaignMeta, 'state' | 'createdAt'> & { state?: CampaignState }): Promise<CampaignMeta> {
    const full: CampaignMeta = { ...meta, state: meta.state ?? 'running', createdAt: new Date().toISOString() };
    // The campaign's keys share a slot; the index of campaigns has its own, so it is a second step (listed once it exists).
    await this.redis
      .multi()
      .hset(this.keys.campaign(meta.id), {
        id: full.id,
        name: full.name,
        state: full.state,
        createdAt: full.createdAt,
        settings: JSON.stringify(full.settings),
        ...(full.history ? { history: full.history } : {}),
        ...(full.contacts ? { contacts: full.contacts } : {}),
      })
      .hset(this.keys.counters(meta.id), { total: 0, done: 0 })
      .exec();
    await this.redis.sadd(this.keys.campaigns, meta.id);
    return full;
  }

  async get(id: string): Promise<CampaignMeta | undefined> {
    const h = await this.redis.hgetall(this.keys.campaign(id));
    if (!h.id || !h.settings) return undefined;
    return {
      id: h.id,
      name: h.name ?? h.id,
      state: (CAMPAIGN_STATES.includes(h.state as CampaignState) ? h.state : 'running') as CampaignState,
      createdAt: h.createdAt ?? '',
      ...(h.finishedAt ? { finishedAt: h.finishedAt } : {}),
      ...(h.cancelledAt ? { cancelledAt: h.cancelledAt } : {}),
      ...(h.state === 'paused' && h.pausedReason
        ? { paused: { reason: h.pausedReason, by: h.pausedBy === 'breaker' ? 'breaker' : 'operator', at: h.pausedAt ?? '' } }
        : {}),
      ...pausedTime(h),
      settings: parseSettings(JSON.parse(h.settings)),
      ...(h.history === 'pg' ? { history: 'pg' as const } : {}),
      ...(h.contacts === 'pg' ? { contacts: 'pg' as const } : {}),
      ...(h.archivedAt ? { archivedAt: h.archivedAt } : {}),
    };
  }

  async ids(): Promise<string[]> {
    return (await this.redis.smembers(this.keys.campaigns)).sort();
  }

  /**
   * Ends the import (`importing` → `running`) or re-checks after a resume, and finishes the campaign if every
   * number is done. Returns the state now.
   */
  async settle(id: string, fromState: 'importing' | 'none' = 'none'): Promise<CampaignState> {
    return (await runLua(this.redis, CHECK_FINISHED, [this.keys.counters(id), this.keys.campaign(id)], [new Date().toISOString(), fromState])) as CampaignState;
  }

  /** Replaces the stored settings (already checked by parseSettings): the schedule edited while a campaign waits. */
  async updateSettings(id: string, settings: CampaignSettings): Promise<void> {
    await this.redis.hset(this.keys.campaign(id), 'settings', JSON.stringify(settings));
  }

  /**
   * Pauses a running (or importing) campaign, atomically: true only for the one caller that paused it, so a pause
   * several workers' breakers ask for at once is announced once. `paused` keeps why.
   */
  async pauseIfLive(id: string, paused?: PauseInfo): Promise<boolean> {
    const r = await runLua(this.redis, PAUSE_IF_LIVE, [this.keys.campaign(id)], [paused?.reason ?? '', paused?.by ?? '', paused?.at ?? '', String(Date.now())]);
    return r === 1;
  }

  /**
   * Sets a state other than paused (pausing is {@link pauseIfLive}'s): forgets why it was paused, adds the pause that
   * ends now to the campaign's paused time; `cancelled` notes when.
   */
  async setState(id: string, state: Exclude<CampaignState, 'paused'>): Promise<void> {
    const now = Date.now();
    await runLua(this.redis, SET_STATE, [this.keys.campaign(id)], [state, String(now), new Date(now).toISOString()]);
  }

  /** Adds to the import counters (called per batch, so a large import shows progress). */
  async addImportCounts(
    id: string,
    c: { total?: number; rejected?: number; suppressed?: number; duplicates?: number; done?: number; 'final:CANCELLED'?: number },
  ): Promise<void> {
    const m = this.redis.multi();
    for (const [k, v] of Object.entries(c)) if (v) m.hincrby(this.keys.counters(id), k, v);
    await m.exec();
  }

  async counters(id: string): Promise<CampaignCounters> {
    const [h, inflight] = await Promise.all([this.redis.hgetall(this.keys.counters(id)), this.redis.hlen(this.keys.inflight(id))]);
    const n = (k: string) => Number(h[k] ?? 0) || 0;
    const final: Partial<Record<Disposition, number>> = {};
    const attempt: Partial<Record<Disposition, number>> = {};
    const notDialed: Partial<Record<NotDialedReason, number>> = {};
    const finalAmd: Partial<Record<string, number>> = {};
    // Kept once: the total of attempts is the sum of the per-disposition counts.
    let attempts = 0;
    for (const [k, v] of Object.entries(h)) {
      if (k.startsWith('final:')) final[k.slice(6) as Disposition] = Number(v);
      else if (k.startsWith('attempt:')) attempts += attempt[k.slice(8) as Disposition] = Number(v) || 0;
      else if (k.startsWith('notDialed:')) notDialed[k.slice(10) as NotDialedReason] = Number(v);
      else if (k.startsWith('finalAmd:')) finalAmd[k.slice(9)] = Number(v);
    }
    return {
      total: n('total'),
      done: n('done'),
      attempts,
      inflight,
      rejected: n('rejected'),
      suppressed: n('suppressed'),
      duplicates: n('duplicates'),
      webhookDelivered: n('webhookDelivered'),
      webhookFailed: n('webhookFailed'),
      final,
      attempt,
      notDialed,
      finalAmd,
    };
  }

  async incrCounter(id: string, field: string, by = 1): Promise<void> {
    await this.redis.hincrby(this.keys.counters(id), field, by);
  }

  async markInflight(id: string, call: InflightCall): Promise<void> {
    await this.redis.hset(this.keys.inflight(id), call.channelId, JSON.stringify(call));
  }

  /** The in-flight mark says the callee's phone rings (only calls placed over HTTP ask for it: one script call). */
  async markRinging(id: string, channelId: string): Promise<void> {
    await runLua(this.redis, MARK_RINGING, [this.keys.inflight(id)], [channelId]);
  }

  /** The in-flight mark of one attempt: left behind when the worker running it died. */
  async markAnswered(id: string, channelId: string, at: string): Promise<void> {
    await runLua(this.redis, MARK_ANSWERED, [this.keys.inflight(id)], [channelId, at]);
  }

  async inflightCall(id: string, channelId: string): Promise<InflightCall | undefined> {
    const v = await this.redis.hget(this.keys.inflight(id), channelId);
    return v ? parseJson<InflightCall>(v) : undefined;
  }

  async clearInflight(id: string, channelId: string): Promise<void> {
    await this.redis.hdel(this.keys.inflight(id), channelId);
  }

  async inflight(id: string): Promise<InflightCall[]> {
    const h = await this.redis.hgetall(this.keys.inflight(id));
    return Object.values(h).flatMap((v) => parseJson<InflightCall>(v) ?? []);
  }

  /** The stored record of an attempt, if this channel id already ended (a re-run must not dial again). */
  /**
   * Replaces a stored attempt by a small marker once its job is done with it (history in PostgreSQL: the record is
   * in the outbox). Only where the attempt is stored: a deleted or archived campaign gets nothing back.
   */
  async markSettled(id: string, channelId: string, rec: Pick<AttemptRecord, 'disposition' | 'final'>): Promise<void> {
    await runLua(this.redis, MARK_SETTLED, [this.keys.attemptIds(id)], [channelId, settledMarker(rec)]);
  }

  /**
   * What a run of an attempt finds when it starts, in one round trip: the attempt's stored result, or the in-flight
   * mark a run that died left. The mark is read first: storing a result deletes the mark in the same step, so a
   * result stored between the two reads (a takeover settling the call) shows as the result, never as neither.
   */
  async attemptFound(id: string, channelId: string): Promise<{ stored?: AttemptRecord; mark?: InflightCall }> {
    // Two commands sent back to back on one connection run in that order. Not a pipeline(): building one binds every
    // script defined on the connection (ours and BullMQ's), which cost this read ~3 % of a worker's CPU.
    const [mark, stored] = await Promise.all([this.redis.hget(this.keys.inflight(id), channelId), this.redis.hget(this.keys.attemptIds(id), channelId)]);
    const rec = stored ? parseJson<AttemptRecord>(stored) : undefined;
    if (rec) return { stored: rec };
    const m = mark ? parseJson<InflightCall>(mark) : undefined;
    return m ? { mark: m } : {};
  }

  async attemptByChannel(id: string, channelId: string): Promise<AttemptRecord | undefined> {
    const v = await this.redis.hget(this.keys.attemptIds(id), channelId);
    return v ? parseJson<AttemptRecord>(v) : undefined;
  }

  /**
   * Stores an attempt (idempotent by channel id). Returns false when it was already stored. `settled`: nothing is left
   * for the attempt's job to do after this (a final result and no webhook), so a campaign with history in PostgreSQL
   * keeps only the settled marker from the start.
   */
  async recordAttempt(rec: AttemptRecord, o: { settled?: boolean } = {}): Promise<boolean> {
    const bucket = Math.floor(Date.parse(rec.ended_at) / 10_000) * 10;
    const started = Date.parse(rec.created_at);
    const id = rec.campaignId;
    const k = this.keys;
    const res = await runLua(
      this.redis,
      RECORD_ATTEMPT,
      [
        k.attemptIds(id),
        k.attempts(id),
        k.counters(id),
        k.inflight(id),
        k.finals(id),
        k.campaign(id),
        k.timeline(id),
        k.outbox(id),
        k.causes(id),
        k.starts(id),
        k.witnessed(id),
      ],
      [
        rec.channel_id,
        JSON.stringify(rec),
        rec.disposition,
        rec.final ? '1' : '0',
        rec.number,
        rec.answered ? '1' : '0',
        String(bucket),
        new Date().toISOString(),
        causeLabel(rec),
        String(Math.max(0, Math.round((Number(rec.talk_s) || 0) * 1000))),
        Number.isNaN(started) ? '' : String(Math.floor(started / 1000)),
        o.settled ? settledMarker(rec) : '',
        rec.final && rec.answered && rec.amd_status ? rec.amd_status : '',
      ],
    );
    return res === 1;
  }

  /** A final result without a call (cancelled before dialing). Idempotent by number. */
  async recordFinalOnly(rec: AttemptRecord): Promise<boolean> {
    const k = this.keys;
    const id = rec.campaignId;
    const res = await runLua(
      this.redis,
      RECORD_FINAL_ONLY,
      [k.finals(id), k.counters(id), k.campaign(id), k.outbox(id)],
      [rec.number, JSON.stringify(rec), rec.disposition, new Date().toISOString(), notDialedReason(rec) ?? ''],
    );
    return res === 1;
  }

  /** Every number's final record, streamed with HSCAN (memory flat for big campaigns). */
  async *finals(id: string): AsyncGenerator<AttemptRecord> {
    let cursor = '0';
    do {
      const [next, kv] = await this.redis.hscan(this.keys.finals(id), cursor, 'COUNT', 1000);
      cursor = next;
      for (let i = 1; i < kv.length; i += 2) {
        const rec = asAttemptRecord(parseJson<unknown>(kv[i] as string));
        if (rec) yield rec;
      }
    } while (cursor !== '0');
  }

  async finalFor(id: string, number: string): Promise<AttemptRecord | undefined> {
    const v = await this.redis.hget(this.keys.finals(id), number);
    return v ? asAttemptRecord(parseJson<unknown>(v)) : undefined;
  }

  /** Every attempt in the order they ended, streamed in pages. */
  async *attempts(id: string, pageSize = 1000): AsyncGenerator<AttemptRecord> {
    for (let start = 0; ; start += pageSize) {
      const page = await this.redis.lrange(this.keys.attempts(id), start, start + pageSize - 1);
      for (const v of page) {
        const rec = parseJson<AttemptRecord>(v);
        if (rec) yield rec;
      }
      if (page.length < pageSize) return;
    }
  }

  /** A page of the latest attempts, newest first, optionally only one disposition. */
  async latestAttempts(id: string, opts: { offset?: number; limit?: number; disposition?: string } = {}): Promise<{ total: number; items: AttemptRecord[] }> {
    const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
    const offset = Math.max(opts.offset ?? 0, 0);
    if (!opts.disposition) {
      const total = await this.redis.llen(this.keys.attempts(id));
      const raw = await this.redis.lrange(this.keys.attempts(id), -(offset + limit), -(offset + 1));
      return { total, items: raw.reverse().flatMap((v) => parseJson<AttemptRecord>(v) ?? []) };
    }
    const items: AttemptRecord[] = [];
    let matched = 0;
    // Filtered paging walks the list from the newest end in chunks; bounded by the page it has to fill.
    const len = await this.redis.llen(this.keys.attempts(id));
    for (let end = len - 1; end >= 0; end -= 1000) {
      const raw = await this.redis.lrange(this.keys.attempts(id), Math.max(0, end - 999), end);
      for (const v of raw.reverse()) {
        const rec = parseJson<AttemptRecord>(v);
        if (!rec || rec.disposition !== opts.disposition) continue;
        if (matched++ >= offset && items.length < limit) items.push(rec);
      }
    }
    return { total: matched, items };
  }

  /** Attempts and answers per 10-second bucket, oldest first. */
  async timeline(id: string): Promise<Array<{ t: number; attempts: number; answered: number }>> {
    const h = await this.redis.hgetall(this.keys.timeline(id));
    const by = new Map<number, { t: number; attempts: number; answered: number }>();
    for (const [k, v] of Object.entries(h)) {
      const [t, kind] = k.split(':');
      const b = by.get(Number(t)) ?? { t: Number(t), attempts: 0, answered: 0 };
      if (kind === 'a') b.attempts = Number(v);
      else b.answered = Number(v);
      by.set(b.t, b);
    }
    return [...by.values()].sort((a, b) => a.t - b.t);
  }

  /** Outbox entries of this campaign not yet written to PostgreSQL. */
  async outboxCount(id: string): Promise<number> {
    return this.redis.llen(this.keys.outbox(id));
  }

  /** Answered calls and their talk time, counted as they end (campaigns with history in PostgreSQL). */
  async answeredTalk(id: string): Promise<{ calls: number; talkMs: number }> {
    const [calls, talkMs] = await this.redis.hmget(this.keys.counters(id), 'answeredCalls', 'answeredTalkMs');
    return { calls: Number(calls) || 0, talkMs: Number(talkMs) || 0 };
  }

  /** Hang-up causes counted as calls end (campaigns with history in PostgreSQL), most frequent first. */
  async causesTable(id: string): Promise<Array<{ cause: string; count: number }>> {
    const h = await this.redis.hgetall(this.keys.causes(id));
    return Object.entries(h)
      .map(([cause, n]) => ({ cause, count: Number(n) || 0 }))
      .sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause));
  }

  /** Attempts (already ended) that started at or after `sinceMs` (campaigns with history in PostgreSQL). */
  async startsSince(id: string, sinceMs: number, nowMs: number): Promise<number> {
    const from = Math.floor(sinceMs / 1000);
    const to = Math.floor(nowMs / 1000);
    if (to < from) return 0;
    const fields = Array.from({ length: Math.min(to - from + 1, 120) }, (_, i) => String(from + i));
    const vals = await this.redis.hmget(this.keys.starts(id), ...fields);
    return vals.reduce((sum, v) => sum + (Number(v) || 0), 0);
  }

  /**
   * Forgets a finished campaign's per-attempt state once its history is in PostgreSQL: stored attempts, finals,
   * the dedupe set (which search reads; PostgreSQL answers then), in-flight marks, pacer (its sent list too) and starts. The campaign's
   * hash, counters, causes and timeline stay (a few hundred bytes); `archivedAt` and the queue's counts are added.
   */
  async dropAttemptState(id: string, o: { archivedAt: string; queue: Record<string, number> }): Promise<void> {
    await this.redis
      .multi()
      .del(
        this.keys.attemptIds(id),
        this.keys.attempts(id),
        this.keys.finals(id),
        this.keys.numbers(id),
        this.keys.inflight(id),
        this.keys.witnessed(id),
        this.keys.pacer(id),
        sentKey(this.keys.pacer(id)),
        this.keys.starts(id),
      )
      .hset(this.keys.campaign(id), { archivedAt: o.archivedAt, queueAtArchive: JSON.stringify(o.queue) })
      .exec();
  }

  /** The dial queue's counts kept when the campaign was archived (its queue is gone then). */
  async queueAtArchive(id: string): Promise<Record<string, number> | undefined> {
    const v = await this.redis.hget(this.keys.campaign(id), 'queueAtArchive');
    const o = v ? parseJson<unknown>(v) : undefined;
    return o && typeof o === 'object' ? (o as Record<string, number>) : undefined;
  }

  /** A campaign event (created, paused, …): published at once. */
  async publish(event: Record<string, unknown>): Promise<void> {
    await this.redis.publish(this.keys.events, JSON.stringify(event));
  }

  /**
   * A call started or ended in this campaign: pages showing it refresh. Coalesced (see ActivityNotices): one message
   * per campaign per interval from this process, not one per call.
   */
  noteActivity(id: string): void {
    this.notices ??= new ActivityNotices((event) => this.publish(event));
    this.notices.note(id);
  }
}

/** What a settled attempt leaves in Redis: enough for a re-run to know nothing is left to do. */
const settledMarker = (rec: Pick<AttemptRecord, 'disposition' | 'final'>): string =>
  JSON.stringify({ settled: true, disposition: rec.disposition, final: rec.final });

function parseJson<T>(v: string): T | undefined {
  try {
    return JSON.parse(v) as T;
  } catch {
    return undefined;
  }
}

/** The campaign hash's paused time (see CampaignMeta.pausedTime). */
function pausedTime(h: Record<string, string>): Pick<CampaignMeta, 'pausedTime'> {
  const ms = Number(h.pausedMs ?? 0);
  const since = h.state === 'paused' && h.pausedSince ? new Date(Number(h.pausedSince)).toISOString() : undefined;
  if (!(ms > 0) && !since) return {};
  return { pausedTime: { ms: ms > 0 ? ms : 0, ...(since ? { since } : {}) } };
}
