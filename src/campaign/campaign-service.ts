import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { BadArgumentError, DialerError } from '../errors.js';
import type { CampaignMeta } from '../store/campaign-store.js';
import { HistoryArchiver, type HistoryArchiverOptions } from '../store/history/history-archiver.js';
import { CampaignReads } from './campaign-reads.js';
import { archiveQueues } from './archive-queues.js';
import { copyContacts, type CopyContactsOptions, type CopyContactsResult } from './hopper/copy-contacts.js';
import { checkFileStart, enqueueContacts, previewContacts, type ImportCounts } from './import/import-contacts.js';
import type { RowError } from './import/contact-row.js';
import type { ContactsFormat } from './import/json-contacts.js';
import { endQueued, endWaiting } from './end-queued.js';
import { endedMessage, scheduleProblems, type CampaignSchedule } from '../policy/schedule.js';
import { parseSettings, type CampaignSettings } from '../policy/campaign-settings.js';
import { WebhookDestinationGuard } from '../webhook/destination-guard.js';
import { assertTakesContacts } from './takes-contacts.js';
import { DestinationRules } from '../policy/destinations.js';

export type { CampaignServiceOptions } from './campaign-service-options.js';
export type { CampaignStatus, QueueCounts } from './campaign-reads.js';

export interface CreateCampaignInput {
  name: string;
  settings: unknown;
  /** Opens the CSV (called once to validate and once to enqueue). */
  open: () => Readable;
  /** What `open` gives: CSV, a JSON array or NDJSON. @defaultValue 'csv' */
  format?: ContactsFormat;
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

/** What `add` did: the import's counts; `stored` is false when a strict upload was rejected (nothing added). */
export interface AddContactsResult extends ImportCounts {
  id: string;
  stored: boolean;
}

/** A schedule edit: a time sets it, `null` clears it, absent leaves it. */
export interface ScheduleChange {
  startAt?: string | null;
  endAt?: string | null;
}

/** Everything users do with campaigns; the CLI and the dashboard are thin layers over it. Reads: {@link CampaignReads}. */
export class CampaignService extends CampaignReads {
  private guard?: WebhookDestinationGuard;
  private rules?: DestinationRules;

  /** Where this installation may call (`allowedDestinations`, `blockedDestinations`): every import checks it. */
  get destinations(): DestinationRules {
    return (this.rules ??= new DestinationRules(this.opts.allowedDestinations, this.opts.blockedDestinations));
  }

  /** The webhook destination rules of this installation (`webhookAllowHosts`), for creation and each delivery. */
  get webhookGuard(): WebhookDestinationGuard {
    return (this.guard ??= new WebhookDestinationGuard(this.opts.webhookAllowHosts));
  }

  /** The archiver that moves this installation's history to PostgreSQL (start() it in a worker or `serve`). */
  historyArchiver(o: Omit<HistoryArchiverOptions, 'store' | 'history' | 'queues'> = {}): HistoryArchiver {
    const history = this.requireHistory('archiving');
    return new HistoryArchiver({ logger: this.log, ...o, store: this.store, history, queues: archiveQueues(this) });
  }

  /** Validates a CSV against settings without creating anything: the upload preview. */
  async preview(input: Omit<CreateCampaignInput, 'name'>): Promise<ImportCounts> {
    const settings = parseSettings(input.settings);
    if (settings.webhook) await this.webhookGuard.check(settings.webhook.url);
    // A list bound for PostgreSQL is checked there (a scratch set in Redis would hold every number of it).
    if (this.contacts) return withoutStored(await this.copyList(campaignIdFor('preview'), settings, input, 'preview'));
    const scratch = `${this.keys.prefix}:preview:${randomBytes(6).toString('hex')}`;
    return previewContacts(
      this.redis,
      this.keys.suppression,
      scratch,
      {
        open: input.open,
        format: input.format,
        destinations: this.destinations,
        suppression: toSet(input.suppression),
        onProgress: (c) => input.onProgress?.('validate', c),
      },
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
    if (settings.webhook) await this.webhookGuard.check(settings.webhook.url);
    if (this.contacts) return this.createInPostgres(name, settings, input);
    const rejected = await this.rejectedUpload(input, settings);
    if (rejected) return { created: false, ...rejected };
    const id = campaignIdFor(name);
    await this.store.create({ id, name, settings, state: 'importing', ...(this.opts.history ? { history: 'pg' as const } : {}) });
    await this.applyLimits(id, settings);
    await this.store.publish({ type: 'campaign', id, change: 'created' });
    this.log.info({ campaignId: id, name }, 'campaign created; importing');
    let counts: ImportCounts;
    try {
      counts = await this.enqueue(id, settings, input);
    } catch (err) {
      // Keep what was accepted: the campaign exists and dials it; the error names the line that broke the read.
      await this.store.settle(id, 'importing');
      throw err;
    }
    await this.store.settle(id, 'importing');
    await this.store.publish({ type: 'campaign', id, change: 'imported' });
    return { id, created: true, ...counts };
  }

  /**
   * A campaign whose list goes to PostgreSQL (DATABASE_URL): one pass over the file, COPY into `contacts` in one
   * transaction (see copyContacts), and the campaign exists in Redis only once its rows are committed. Workers then
   * feed its hopper from there.
   */
  private async createInPostgres(name: string, settings: CampaignSettings, input: CreateCampaignInput): Promise<CreateCampaignResult> {
    const id = campaignIdFor(name);
    const counts = await this.copyList(id, settings, input, undefined, true);
    if (!counts.stored) return { created: false, ...withoutStored(counts) };
    await this.store.create({ id, name, settings, state: 'importing', history: 'pg', contacts: 'pg' });
    await this.applyLimits(id, settings);
    await this.store.addImportCounts(id, { total: counts.accepted, rejected: counts.rejected, suppressed: counts.suppressed, duplicates: counts.duplicates });
    await this.store.publish({ type: 'campaign', id, change: 'created' });
    await this.store.settle(id, 'importing');
    await this.store.publish({ type: 'campaign', id, change: 'imported' });
    this.log.info({ campaignId: id, name, contacts: counts.accepted }, 'campaign created; its list is in PostgreSQL');
    return { id, created: true, ...withoutStored(counts) };
  }

  /** A list into PostgreSQL; strict unless the input says skipInvalid (or this is a preview). */
  private copyList(
    id: string,
    settings: CampaignSettings,
    input: Omit<CreateCampaignInput, 'name' | 'settings'>,
    mode: CopyContactsOptions['mode'] = input.skipInvalid ? 'skip-invalid' : 'strict',
    fresh = false,
  ) {
    return copyContacts({
      pool: this.contacts!.pool,
      redis: this.redis,
      suppressionKey: this.keys.suppression,
      campaignId: id,
      settings,
      mode,
      fresh,
      open: input.open,
      format: input.format,
      destinations: this.destinations,
      suppression: toSet(input.suppression),
      onProgress: (c) => input.onProgress?.('enqueue', c),
      ...(mode === 'skip-invalid' && input.onRejected ? { onRejected: input.onRejected } : {}),
    });
  }

  /**
   * Adds contacts to a campaign that is running, paused, importing or waiting for its start, with the same checks
   * and report as an upload, deduplicated against the numbers it already has. A finished campaign runs again until
   * they are done; a cancelled one takes none.
   */
  async add(id: string, input: Omit<CreateCampaignInput, 'name' | 'settings'>): Promise<AddContactsResult> {
    const meta = await this.get(id);
    assertTakesContacts(meta);
    const s = meta.settings;
    let counts: ImportCounts;
    if (meta.contacts === 'pg') {
      if (!this.contacts) throw new DialerError('HISTORY', `campaign ${id} keeps its list in PostgreSQL: set DATABASE_URL to add to it`);
      const r = await this.copyList(id, s, input);
      if (!r.stored) return { id, stored: false, ...withoutStored(r) };
      counts = withoutStored(r);
      await this.store.addImportCounts(id, { total: counts.accepted, rejected: counts.rejected, suppressed: counts.suppressed, duplicates: counts.duplicates });
    } else {
      const rejected = await this.rejectedUpload({ ...input, settings: s }, s);
      if (rejected) return { id, stored: false, ...rejected };
      counts = await this.enqueue(id, s, input);
    }
    await this.contactsAdded(id, counts.accepted);
    this.log.info({ campaignId: id, added: counts.accepted }, 'contacts added');
    return { id, stored: true, ...counts };
  }

  /** After numbers were added (a list, one call): a finished campaign runs again until they are done. */
  async contactsAdded(id: string, added: number): Promise<void> {
    if (added > 0 && (await this.store.get(id))?.state === 'finished') await this.store.setState(id, 'running');
    await this.store.publish({ type: 'campaign', id, change: 'contacts-added', added });
  }

  /**
   * A campaign with an empty list under the id given (POST /api/calls names one), running: created once whoever asks
   * first (a claim in Redis; the others wait for it). False when it existed already; its settings are then its own.
   */
  async createNamed(id: string, settingsInput: unknown): Promise<boolean> {
    if (await this.store.get(id)) return false;
    const settings = parseSettings(settingsInput);
    if (settings.webhook) await this.webhookGuard.check(settings.webhook.url);
    if ((await this.redis.set(`${this.keys.campaign(id)}:creating`, '1', 'PX', 10_000, 'NX')) !== 'OK') {
      for (let waited = 0; !(await this.store.get(id)); waited += 20) {
        if (waited > 10_000) throw new DialerError('CAMPAIGN_ACTIVE', `campaign ${id} is being created by another request; try again`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return false;
    }
    const inPg = this.contacts ? { history: 'pg' as const, contacts: 'pg' as const } : this.opts.history ? { history: 'pg' as const } : {};
    await this.store.create({ id, name: id, settings, state: 'running', ...inPg });
    await this.applyLimits(id, settings);
    await this.store.publish({ type: 'campaign', id, change: 'created' });
    this.log.info({ campaignId: id }, 'campaign created for calls over HTTP');
    return true;
  }

  /**
   * A list bound for Redis, checked before anything of it is stored: strict, the whole file (its counts are
   * returned when a row is bad: nothing is to be added); with skipInvalid, only its start (a file unusable as a whole).
   */
  private async rejectedUpload(input: Omit<CreateCampaignInput, 'name'>, settings: CampaignSettings): Promise<ImportCounts | undefined> {
    if (input.skipInvalid) {
      await checkFileStart(input, settings);
      return undefined;
    }
    const check = await this.preview({ ...input, onRejected: undefined });
    return check.rejected > 0 ? check : undefined;
  }

  /** The enqueue pass of a list kept in Redis: a job per new number. */
  private enqueue(id: string, settings: CampaignSettings, input: Omit<CreateCampaignInput, 'name' | 'settings'>): Promise<ImportCounts> {
    return enqueueContacts(this.store, this.dialQueue(id), id, settings, {
      open: input.open,
      format: input.format,
      destinations: this.destinations,
      suppression: toSet(input.suppression),
      onProgress: (c) => input.onProgress?.('enqueue', c),
      onRejected: input.onRejected,
    });
  }

  /**
   * Sets or clears a campaign's start and end while it has not ended. The end must be in the future. Moving the
   * start earlier wakes the jobs that wait for the old one (only before anything was dialed: afterwards the
   * delayed jobs are retries, which must keep their own time).
   */
  async schedule(id: string, change: ScheduleChange): Promise<CampaignMeta> {
    const meta = await this.get(id);
    if (meta.state === 'finished' || meta.state === 'cancelled')
      throw new BadArgumentError('schedule', `campaign ${id} is ${meta.state}; nothing left to schedule`);
    const before = meta.settings;
    if (before.endAt && Date.now() >= Date.parse(before.endAt))
      throw new BadArgumentError('schedule', `campaign ${id} ended at ${before.endAt}; its numbers are ended`);
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
    const ended = await endQueued(this.dialQueue(id), this.store, meta, (d) => endedMessage(endAt, d.attempt > 1));
    return ended + (await endWaiting(this.contacts, this.store, id, meta, endedMessage(endAt, false)));
  }

  /**
   * What cancel does to what is left, again: the hopper feeder calls it when it finds jobs or waiting contacts of a
   * cancelled campaign (fed in the instant of the cancel). Idempotent.
   */
  async endCancelled(id: string): Promise<number> {
    const meta = await this.get(id);
    if (meta.state !== 'cancelled') return 0;
    return (await endQueued(this.dialQueue(id), this.store, meta)) + (await endWaiting(this.contacts, this.store, id, meta));
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
    await endQueued(this.dialQueue(id), this.store, meta);
    await endWaiting(this.contacts, this.store, id, meta);
    await this.store.publish({ type: 'campaign', id, change: 'cancelled' });
    return this.get(id);
  }

  /**
   * Concurrency lives in Redis (BullMQ's global concurrency: at most maxConcurrent dial jobs active over every
   * worker). Calls per second are paced per originate by the Pacer (src/campaign/pacing/pacer.ts), also in Redis.
   */
  private async applyLimits(id: string, s: CampaignSettings): Promise<void> {
    await this.dialQueue(id).setGlobalConcurrency(s.maxConcurrent);
    if (s.webhook) await this.webhookQueue(id).setGlobalRateLimit(1, Math.max(1, Math.round(1000 / s.webhook.ratePerSecond)));
  }
}

const withoutStored = ({ stored: _s, ...c }: CopyContactsResult): ImportCounts => c;

const toSet = (it: Iterable<string> | undefined): ReadonlySet<string> | undefined => (it ? new Set(it) : undefined);

/** `spring-sale-k3x9a2`: readable, unique, safe in keys, queue names, channel ids and URLs. */
export function campaignIdFor(name: string): string {
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 24) || 'campaign';
  return `${slug}-${randomBytes(4).toString('hex')}`;
}
