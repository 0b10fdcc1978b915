import type { Readable } from 'node:stream';
import type { DestinationRules } from '../../policy/destinations.js';
import type { Queue } from 'bullmq';
import type { RedisClient } from '../../store/lua-script.js';
import { chooseCallerId } from '../../policy/caller-id.js';
import type { CampaignStore } from '../../store/campaign-store.js';
import { readContactsInBatches, type ReadContactsInBatchesOptions } from './contacts.js';
import { readJsonContactsInBatches, type ContactsFormat } from './json-contacts.js';
import { placeholderColumns } from '../../policy/endpoint-placeholders.js';
import type { ContactItem, ContactRow, RowError } from './contact-row.js';
import { dialJobId, type DialJobData } from '../job-data.js';
import type { CampaignSettings } from '../../policy/campaign-settings.js';
import { renderEndpoint } from '../../policy/campaign-settings.js';

/** How an import went. `errors` lists at most `maxErrors` bad rows; `rejected` counts them all. */
export interface ImportCounts {
  rows: number;
  accepted: number;
  rejected: number;
  suppressed: number;
  duplicates: number;
  errors: RowError[];
}

export interface ImportOptions {
  /** Opens the CSV; called once per pass (a strict import reads the file twice: validate, then enqueue). */
  open: () => Readable;
  /** What `open` gives: a CSV file, a JSON array or NDJSON (an API body). @defaultValue 'csv' */
  format?: ContactsFormat;
  batchSize?: number;
  /** Stop listing errors after this many (they are still counted). @defaultValue 1000 */
  maxErrors?: number;
  /** Where numbers may call (the installation's allowed/blockedDestinations): another is a row error. @defaultValue any */
  destinations?: DestinationRules;
  /** Numbers never to dial, in addition to the Redis-kept suppression list. */
  suppression?: ReadonlySet<string>;
  onProgress?: (c: ImportCounts) => void;
  /** Gets each rejected row (to write a file of rejects with --skip-invalid). */
  onRejected?: (e: RowError) => void;
}

export const newCounts = (): ImportCounts => ({ rows: 0, accepted: 0, rejected: 0, suppressed: 0, duplicates: 0, errors: [] });

/**
 * A validation pass: counts rows and bad rows without touching RedisClient queues. Duplicates and suppression are
 * counted against a scratch set so the preview says "9,812 to dial, 188 suppressed, 3 duplicates".
 */
export async function previewContacts(
  redis: RedisClient,
  suppressionKey: string,
  scratchKey: string,
  opts: ImportOptions,
  settings?: CampaignSettings,
): Promise<ImportCounts> {
  const counts = newCounts();
  try {
    for await (const batch of readBatches(opts, settings)) {
      const rows = goodRows(batch, counts, opts, settings);
      const fresh = await classify(redis, suppressionKey, scratchKey, rows, opts.suppression, counts);
      counts.accepted += fresh.length;
      opts.onProgress?.(counts);
    }
  } finally {
    await redis.del(scratchKey);
  }
  return counts;
}

/**
 * Reads the header and the first row only, so that a file unusable as a whole (no number column, too many columns,
 * not CSV) is refused before a campaign exists; --skip-invalid has no validation pass to catch it.
 */
export async function checkFileStart(opts: Pick<ImportOptions, 'open' | 'format'>, settings: CampaignSettings): Promise<void> {
  for await (const _batch of readBatches({ ...opts, batchSize: 1 }, settings)) return;
}

/** The enqueue pass: deduplicated, suppressed numbers dropped, one BullMQ job per number via addBulk. */
export async function enqueueContacts(
  store: CampaignStore,
  queue: Queue,
  campaignId: string,
  settings: CampaignSettings,
  opts: ImportOptions,
): Promise<ImportCounts> {
  const counts = newCounts();
  const { redis, keys } = store;
  for await (const batch of readBatches(opts, settings)) {
    const before = { ...counts };
    const rows = goodRows(batch, counts, opts, settings);
    const fresh = await classify(redis, keys.suppression, keys.numbers(campaignId), rows, opts.suppression, counts);
    if (fresh.length) {
      await queue.addBulk(
        fresh.map((row) => ({
          name: 'dial',
          data: jobData(campaignId, settings, row),
          opts: { jobId: dialJobId(campaignId, row.number, 1) },
        })),
      );
    }
    counts.accepted += fresh.length;
    await store.addImportCounts(campaignId, {
      total: fresh.length,
      rejected: counts.rejected - before.rejected,
      suppressed: counts.suppressed - before.suppressed,
      duplicates: counts.duplicates - before.duplicates,
    });
    opts.onProgress?.(counts);
  }
  return counts;
}

/** The list's checked rows in batches, whatever its format: every import reads through here. */
export function readBatches(
  opts: Pick<ImportOptions, 'open' | 'format' | 'batchSize' | 'destinations'>,
  settings: CampaignSettings | undefined,
): AsyncGenerator<ContactItem[]> {
  const format = opts.format ?? 'csv';
  return format === 'csv'
    ? readContactsInBatches(opts.open(), readOptions(opts, settings))
    : readJsonContactsInBatches(opts.open(), format, readOptions(opts, settings));
}

/** What the campaign's settings ask of the file: safe placeholder cells, a bounded number of channel variables. */
export function readOptions(opts: Pick<ImportOptions, 'batchSize' | 'destinations'>, s: CampaignSettings | undefined): ReadContactsInBatchesOptions {
  return {
    batchSize: opts.batchSize ?? 1000,
    ...(opts.destinations ? { destinations: opts.destinations } : {}),
    ...(s ? { rowOverrides: s.allowRowOverrides === true } : {}),
    ...(s
      ? { placeholderColumns: placeholderColumns(s.endpoint), maxChannelVars: s.maxChannelVars, ...(s.numberColumn ? { numberColumn: s.numberColumn } : {}) }
      : {}),
  };
}

export function jobData(campaignId: string, s: CampaignSettings, row: ContactRow): DialJobData {
  const callerId = chooseCallerId({ fixed: s.callerId, column: row.callerid, pool: s.callerIdPool, match: s.callerIdMatch }, row.line, row.number);
  const d: DialJobData = { campaignId, number: row.number, row: row.line, attempt: 1 };
  if (callerId) d.callerId = callerId;
  if (row.context) d.context = row.context;
  if (row.extension) d.extension = row.extension;
  if (row.priority) d.priority = row.priority;
  if (row.timeout) d.timeoutS = row.timeout;
  if (row.timezone) d.timezone = row.timezone;
  if (row.message) d.message = row.message;
  if (Object.keys(row.vars).length) d.vars = row.vars;
  return d;
}

/**
 * The rows of a batch that pass: each item counted, a bad row (or, with `settings`, one whose cells the endpoint
 * template cannot take) reported and left out. Every import (preview, Redis, PostgreSQL) checks rows here.
 */
export function goodRows(batch: readonly ContactItem[], counts: ImportCounts, opts: ImportOptions, settings?: CampaignSettings): ContactRow[] {
  const rows: ContactRow[] = [];
  for (const item of batch) {
    counts.rows++;
    if (item.kind === 'error') addError(counts, item.error, opts);
    else if (!settings || endpointOk(settings, item.row, counts, opts)) rows.push(item.row);
  }
  return rows;
}

/** A `{column}` in the endpoint template that this row cannot fill is that row's error. */
function endpointOk(s: CampaignSettings, row: ContactRow, counts: ImportCounts, opts: ImportOptions): boolean {
  try {
    renderEndpoint(s.endpoint, row.number, row.vars);
    return true;
  } catch (e) {
    addError(counts, { line: row.line, reason: (e as Error).message }, opts);
    return false;
  }
}

function addError(counts: ImportCounts, e: RowError, opts: ImportOptions): void {
  counts.rejected++;
  if (counts.errors.length < (opts.maxErrors ?? 1000)) counts.errors.push(e);
  opts.onRejected?.(e);
}

/** Drops suppressed numbers and numbers already seen (SADD answers 0 for those), keeping file order. */
async function classify(
  redis: RedisClient,
  suppressionKey: string,
  seenKey: string,
  rows: ContactRow[],
  suppression: ReadonlySet<string> | undefined,
  counts: ImportCounts,
): Promise<ContactRow[]> {
  const candidates = await unsuppressed(redis, suppressionKey, rows, suppression, counts);
  if (!candidates.length) return candidates;
  const m = redis.multi();
  for (const row of candidates) m.sadd(seenKey, row.number);
  const added = (await m.exec()) ?? [];
  const fresh: ContactRow[] = [];
  candidates.forEach((row, i) => {
    if (added[i]?.[1] === 1) fresh.push(row);
    else counts.duplicates++;
  });
  return fresh;
}

/**
 * Drops (and counts) numbers on the Redis-kept do-not-call list or the upload's own, keeping file order. No
 * `suppressionKey`: the Redis list is known to be empty (no lookup).
 */
export async function unsuppressed(
  redis: RedisClient,
  suppressionKey: string | undefined,
  rows: ContactRow[],
  suppression: ReadonlySet<string> | undefined,
  counts: ImportCounts,
): Promise<ContactRow[]> {
  if (!rows.length || (!suppressionKey && !suppression?.size)) return rows;
  const listed = suppressionKey ? await redis.smismember(suppressionKey, ...rows.map((r) => r.number)) : [];
  return rows.filter((row, i) => {
    if (listed[i] === 1 || suppression?.has(row.number)) {
      counts.suppressed++;
      return false;
    }
    return true;
  });
}
