import { z } from 'zod';
import { DISPOSITIONS } from '../../dialer/call-result.js';
import { CampaignSettingsInput, importCounts } from './schemas.js';

/** Schemas of the dashboard's campaign routes (list, upload, actions, results, search): see schemas.ts. */

/** `?x=1` / `?x=0`; absent or empty is false. */
const flag = (description: string) =>
  z
    .enum(['1', '0', 'true', 'false', ''], { error: 'must be 1 or 0' })
    .optional()
    .transform((v) => v === '1' || v === 'true')
    .meta({ description });

/** A whole number in the query, `dflt` when absent or empty. */
const wholeNumber = (min: number, max: number, dflt: number, description: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? dflt : /^\d{1,10}$/.test(v) ? Number(v) : NaN))
    .pipe(
      z
        .number({ error: `must be a whole number from ${min} to ${max}` })
        .int()
        .min(min, `must be at least ${min}`)
        .max(max, `must be at most ${max}`),
    )
    .meta({ description: `${description} (${min} to ${max}, default ${dflt}).` });

const disposition = z
  .union([z.enum(DISPOSITIONS), z.literal('')], { error: `must be one of ${DISPOSITIONS.join(', ')}` })
  .optional()
  .transform((v) => v || undefined)
  .meta({ description: 'Only attempts that ended so.' });

/** An ISO time with a zone (`2026-12-01T09:00:00Z`), as epoch ms; absent or empty: none. */
const isoTime = (description: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : /(Z|[+-]\d{2}:\d{2})$/.test(v) ? Date.parse(v) : NaN))
    .refine((t) => t === undefined || !Number.isNaN(t), 'must be an ISO time with a zone (e.g. 2026-12-01T09:00:00Z)')
    .meta({ description });

export const UploadQuery = z.strictObject({
  preview: flag('Check the file against the settings and report, creating nothing.'),
  options: z.string().optional().meta({ description: 'With a text/csv body: the UploadOptions as JSON.' }),
});

export const UploadOptions = z
  .strictObject({
    name: z.string().max(200).optional(),
    skipInvalid: z.boolean().optional(),
    settings: CampaignSettingsInput,
  })
  .meta({ id: 'UploadOptions', description: 'The `options` field of an upload (multipart), or `?options=<JSON>` with a text/csv body.' });

export const DeleteQuery = z.strictObject({
  confirm: z.string().optional().meta({ description: 'Required: the campaign id again: a stray DELETE, or one aimed at the wrong campaign, does nothing.' }),
  force: flag('Also when it is running or paused (its jobs are removed; calls in flight finish).'),
  history: flag('Also its history in PostgreSQL.'),
});

export const ReportQuery = z.strictObject({
  format: z.enum(['csv', 'json', 'ndjson']).default('csv'),
  attempts: flag("Every attempt, not only each number's final result."),
});

export const AttemptsQuery = z.strictObject({
  offset: wholeNumber(0, 10_000_000, 0, 'Skip this many, newest first'),
  limit: wholeNumber(1, 500, 50, 'At most this many'),
  disposition,
});

export const SearchQuery = z.strictObject({
  q: z
    .string({ error: 'required (a number, or a job id like campaign|number|a1)' })
    .trim()
    .min(1, 'required (a number, or a job id like campaign|number|a1)')
    .max(200, 'at most 200 characters'),
  disposition,
  from: isoTime('Attempts that ended at or after this time.'),
  to: isoTime('Attempts that ended before this time.'),
});

export const ScheduleRequest = z
  .strictObject({
    startAt: z.string().nullable().optional().meta({ description: 'ISO time with a zone; null (or "") clears it.' }),
    endAt: z.string().nullable().optional(),
  })
  .meta({ id: 'ScheduleRequest', examples: [{ startAt: '2026-12-01T09:00:00+01:00', endAt: null }] });

// Responses: the fields clients rely on; rows carry more (see docs/campaigns.md and the dashboard).
export const CampaignRow = z.looseObject({ id: z.string(), name: z.string(), state: z.string() }).meta({ id: 'CampaignRow' });
export const CampaignList = z.object({ campaigns: z.array(CampaignRow) }).meta({ id: 'CampaignList' });
export const CampaignOne = z.object({ campaign: CampaignRow }).meta({ id: 'CampaignOne' });
export const CampaignDetail = z.looseObject({ campaign: CampaignRow }).meta({ id: 'CampaignDetail' });
export const CampaignCreated = z.object({ id: z.string(), created: z.literal(true), ...importCounts }).meta({ id: 'CampaignCreated' });
export const UploadPreview = z.looseObject({ preview: z.literal(true), ...importCounts }).meta({ id: 'UploadPreview' });
export const Deleted = z.object({ deleted: z.looseObject({}) }).meta({ id: 'Deleted' });
export const AttemptsPage = z
  .object({ total: z.int(), offset: z.int(), limit: z.int(), disposition: z.enum(DISPOSITIONS).optional(), items: z.array(z.looseObject({})) })
  .meta({ id: 'AttemptsPage' });
export const Inflight = z.object({ now: z.string(), calls: z.array(z.looseObject({ channelId: z.string(), number: z.string() })) }).meta({ id: 'Inflight' });
export const Timeline = z
  .object({ bucketS: z.int(), buckets: z.array(z.object({ t: z.number(), attempts: z.int(), answered: z.int() })) })
  .meta({ id: 'Timeline' });
export const SearchResult = z.object({ query: z.string(), matched: z.int(), results: z.array(z.looseObject({})) }).meta({ id: 'SearchResult' });
export const WhoAmI = z
  .object({ role: z.enum(['viewer', 'operator']), name: z.string().optional(), open: z.boolean(), maxUploadBytes: z.int() })
  .meta({ id: 'WhoAmI' });
