import type { CampaignService, CampaignStatus } from '../campaign/campaign-service.js';
import type { CampaignSettings } from '../policy/campaign-settings.js';
import type { AttemptRecord } from '../report/summarize.js';
import { causeLabel } from '../report/cause-label.js';
import { AfterAnswerSummaryBuilder, type CapturedSummary, type MessageSummary } from '../report/summarize-after-answer.js';
import { campaignFigures, type CampaignFigures } from './campaign-figures.js';

/** A campaign as the list shows it: everything the row needs, nothing secret. Rates are in CampaignFigures. */
export interface CampaignRow extends CampaignFigures {
  id: string;
  name: string;
  state: CampaignStatus['state'];
  /** Why it is paused, when its circuit breaker paused it (or an operator gave a reason). */
  paused?: CampaignStatus['paused'];
  createdAt: string;
  finishedAt?: string;
  total: number;
  done: number;
  /** done / total, 0..1 (1 for an empty finished campaign). */
  progress: number;
  attempts: number;
  /** Numbers whose final result is ANSWERED (people and machines). */
  answered: number;
  /** Average talk time of answered calls (ACD), seconds. */
  acdS: number;
  /** Calls started over the last {@link CPS_WINDOW_MS}, per second. */
  cpsNow: number;
  inflight: number;
  rejected: number;
  suppressed: number;
  duplicates: number;
  queue: CampaignStatus['queue'];
  /** What keeps its calls waiting now: its own cps, a trunk's, the window, the schedule, a breaker (see HoldBack). */
  holdingBack: CampaignStatus['holdingBack'];
  settings: PublicSettings;
  /** The message's figures so far (press rate per key, opt-out rate, mean heard), for a campaign with a message. */
  message?: MessageSummary;
  /** Each captured variable's values so far (count and share), for a campaign with `capture`. */
  captured?: Record<string, CapturedSummary>;
}

/** Settings as the page may see them: a webhook's signing secret never leaves the server. */
export type PublicSettings = Omit<CampaignSettings, 'webhook'> & { webhook?: { url: string; ratePerSecond: number; attempts: number; signed: boolean } };

export const CPS_WINDOW_MS = 10_000;
/** Records read per refresh: a huge backlog is caught up over a few refreshes instead of blocking one. */
const SCAN_BUDGET = 20_000;
const PAGE = 1000;

interface Tally {
  /** Records read: the index in the Redis attempts list, or the last `seq` read from PostgreSQL. */
  scanned: number;
  answeredCalls: number;
  answeredTalkMs: number;
  causes: Map<string, number>;
  /** Start times (ms) of recent attempts, for the calls-per-second figure. */
  recentStarts: number[];
  /** Keys, flows and opt-outs of the message, counted as records are read. */
  after?: AfterAnswerSummaryBuilder;
}

/**
 * Figures the store does not count (ACD, causes, calls per second now), built by reading each campaign's
 * append-only attempts list once, incrementally: every refresh reads only what was added since the last one.
 */
export class CampaignStats {
  private readonly tallies = new Map<string, Tally>();
  private readonly pending = new Map<string, Promise<Tally>>();

  constructor(
    private readonly service: CampaignService,
    private readonly now: () => number = Date.now,
  ) {}

  async row(status: CampaignStatus): Promise<CampaignRow> {
    const t = status.history === 'pg' ? await this.fromCounters(status) : await this.catchUp(status.id, () => this.read(status.id));
    const c = status.counters;
    const live = status.state === 'running' || status.state === 'importing';
    const since = this.now() - CPS_WINDOW_MS;
    let starts = t.recentStarts.filter((ms) => ms >= since).length;
    if (live && c.inflight > 0) {
      for (const call of await this.service.store.inflight(status.id)) if (Date.parse(call.since) >= since) starts++;
    }
    const answered = c.final.ANSWERED ?? 0;
    const row: CampaignRow = {
      ...campaignFigures(status, this.now()),
      id: status.id,
      name: status.name,
      state: status.state,
      ...(status.paused ? { paused: status.paused } : {}),
      createdAt: status.createdAt,
      total: c.total,
      done: c.done,
      progress: c.total > 0 ? Math.min(1, c.done / c.total) : status.state === 'finished' ? 1 : 0,
      attempts: c.attempts,
      answered,
      acdS: t.answeredCalls > 0 ? Math.round(t.answeredTalkMs / t.answeredCalls) / 1000 : 0,
      cpsNow: live ? Math.round((starts / (CPS_WINDOW_MS / 1000)) * 10) / 10 : 0,
      inflight: c.inflight,
      rejected: c.rejected,
      suppressed: c.suppressed,
      duplicates: c.duplicates,
      queue: status.queue,
      holdingBack: status.holdingBack,
      settings: publicSettings(status.settings),
    };
    if (status.finishedAt) row.finishedAt = status.finishedAt;
    const message = t.after?.message();
    if (message) row.message = message;
    const captured = t.after?.capturedValues();
    if (captured) row.captured = captured;
    return row;
  }

  /** Hang-up causes of every call so far, most frequent first. */
  async causes(id: string): Promise<Array<{ cause: string; count: number }>> {
    if ((await this.service.redis.hget(this.service.keys.campaign(id), 'history')) === 'pg') return this.service.store.causesTable(id);
    if (!(await this.service.redis.exists(this.service.keys.campaign(id))) && this.service.history) {
      return (await this.service.history.campaign(id))?.snapshot.causes ?? [];
    }
    const t = await this.catchUp(id, () => this.read(id));
    return [...t.causes].map(([cause, count]) => ({ cause, count })).sort((a, b) => b.count - a.count || a.cause.localeCompare(b.cause));
  }

  /**
   * A campaign with history in PostgreSQL keeps no attempts list in Redis: its Lua script counts answered calls,
   * talk time and starts per second as they end, so these figures cost no scan (and survive its archiving). What
   * happened after the answer (keys, the message's flows, opt-outs, captured values) is read on from its archived
   * attempts, as the report reads them; behind by the archiver's batch, and as it was while PostgreSQL is down.
   */
  private async fromCounters(status: CampaignStatus): Promise<Tally> {
    const { id, settings } = status;
    const history = this.service.history;
    const after = history && (settings.message || settings.capture) ? (await this.catchUp(id, () => this.readHistory(id, history))).after : undefined;
    const store = this.service.store;
    if (!(await this.service.redis.exists(this.service.keys.campaign(id)))) {
      return { ...emptyTally(), ...(after ? { after } : {}) };
    }
    const now = this.now();
    const [talk, starts] = await Promise.all([store.answeredTalk(id), store.startsSince(id, now - CPS_WINDOW_MS, now)]);
    // Only the count matters below: stand-ins at "now" for the attempts that started in the window.
    return {
      scanned: 0,
      answeredCalls: talk.calls,
      answeredTalkMs: talk.talkMs,
      causes: new Map(),
      recentStarts: new Array<number>(starts).fill(now),
      ...(after ? { after } : {}),
    };
  }

  forget(id: string): void {
    this.tallies.delete(id);
  }

  /** One catch-up per campaign at a time: two overlapping reads of the same range would count it twice. */
  private catchUp(id: string, read: () => Promise<Tally>): Promise<Tally> {
    let p = this.pending.get(id);
    if (!p) {
      p = read().finally(() => this.pending.delete(id));
      this.pending.set(id, p);
    }
    return p;
  }

  private tally(id: string): Tally {
    let t = this.tallies.get(id);
    if (!t) this.tallies.set(id, (t = emptyTally()));
    return t;
  }

  /** Reads on from the last archived attempt counted; keeps the figures so far when PostgreSQL does not answer. */
  private async readHistory(id: string, history: NonNullable<CampaignService['history']>): Promise<Tally> {
    const t = this.tally(id);
    try {
      for (let budget = SCAN_BUDGET; budget > 0; budget -= PAGE) {
        const rows = await history.attemptsAfter(id, t.scanned, PAGE);
        for (const { seq, record } of rows) {
          t.scanned = seq;
          if (record) addAfter(t, record);
        }
        if (rows.length < PAGE) break;
      }
    } catch {
      // The page shows the figures so far; the next refresh reads on from where this one stopped.
    }
    return t;
  }

  private async read(id: string): Promise<Tally> {
    const t = this.tally(id);
    const key = this.service.keys.attempts(id);
    const since = this.now() - CPS_WINDOW_MS;
    for (let budget = SCAN_BUDGET; budget > 0; budget -= PAGE) {
      const raw = await this.service.redis.lrange(key, t.scanned, t.scanned + PAGE - 1);
      t.scanned += raw.length;
      for (const v of raw) add(t, v, since);
      if (raw.length < PAGE) break;
    }
    t.recentStarts = t.recentStarts.filter((ms) => ms >= since);
    return t;
  }
}

function add(t: Tally, raw: string, since: number): void {
  let rec: Partial<AttemptRecord>;
  try {
    rec = JSON.parse(raw) as Partial<AttemptRecord>;
  } catch {
    return;
  }
  if (typeof rec !== 'object' || rec === null) return;
  if (rec.answered === true) {
    t.answeredCalls++;
    if (typeof rec.talk_s === 'number' && rec.talk_s > 0) t.answeredTalkMs += Math.round(rec.talk_s * 1000);
  }
  if (rec.channel_id) {
    addAfter(t, rec as AttemptRecord);
    const label = causeLabel(rec);
    t.causes.set(label, (t.causes.get(label) ?? 0) + 1);
  }
  const started = typeof rec.created_at === 'string' ? Date.parse(rec.created_at) : NaN;
  if (started >= since) t.recentStarts.push(started);
}

const emptyTally = (): Tally => ({ scanned: 0, answeredCalls: 0, answeredTalkMs: 0, causes: new Map(), recentStarts: [] });

/** Keys, the message's flow and captured values: counted by the report's own builder, so page and report agree. */
function addAfter(t: Tally, rec: AttemptRecord): void {
  if (rec.flow !== undefined || rec.captured !== undefined) (t.after ??= new AfterAnswerSummaryBuilder()).add(rec);
}

export function publicSettings(s: CampaignSettings): PublicSettings {
  const { webhook, ...rest } = s;
  return webhook
    ? {
        ...rest,
        webhook: { url: withoutUserinfo(webhook.url), ratePerSecond: webhook.ratePerSecond, attempts: webhook.attempts, signed: Boolean(webhook.secret) },
      }
    : rest;
}

/** A webhook URL may carry a password in its userinfo: the page gets the URL without it. */
function withoutUserinfo(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '';
  }
}
