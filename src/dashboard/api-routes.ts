import { json, Router, type Request, type Response } from 'express';
import type { CampaignService, ScheduleChange } from '../campaign/campaign-service.js';
import { deleteCampaign } from '../campaign/retention/delete-campaign.js';
import { DISPOSITIONS } from '../dialer/call-result.js';
import type { Logger } from '../log.js';
import { writeReport, type ReportFormat } from '../report/write-report.js';
import type { DeletableHistory } from '../store/deletable-history.js';
import { requireOperator, type Identity, type Role } from './auth.js';
import type { CampaignStats } from './campaign-stats.js';
import { campaignDetail } from './campaign-detail.js';
import { HttpError } from './http-error.js';
import { uploadRoute } from './upload-route.js';
import { contactsRoute } from './api/contacts-route.js';
import { callsRoutes } from './api/calls-route.js';
import { searchNumbers, type SearchFilters } from './number-search.js';
import { recordingRoute } from './api/recording-route.js';
import type { RecordingSources } from '../ari/recording-file.js';

export interface ApiRoutesOptions {
  service: CampaignService;
  stats: CampaignStats;
  maxUploadBytes: number;
  /** True when no token is configured (the page then hides the log-out button). */
  open: boolean;
  /** For deletes with `history=1`. */
  history?: DeletableHistory;
  /** Where each Asterisk's recordings are fetched from (by the results' `recording.asterisk`). @defaultValue none */
  recordings?: RecordingSources;
  log: Logger;
}

/** Campaign ids are `slug-hex` (campaignIdFor); anything else cannot name a campaign and is answered 404 early. */
const CAMPAIGN_ID = /^[A-Za-z0-9_-]{1,100}$/;

const REPORT_TYPES: Record<ReportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** The JSON API under /api. Authentication happened before; actions that change things need the operator role. */
export function apiRoutes(o: ApiRoutesOptions): Router {
  const { service, stats } = o;
  const r = Router();

  r.get('/whoami', (_req, res) => {
    res.json({ role: res.locals.role as Role, name: (res.locals.who as Identity).name, open: o.open, maxUploadBytes: o.maxUploadBytes });
  });

  r.get('/campaigns', async (_req, res) => {
    const all = await service.list();
    res.json({ campaigns: await Promise.all(all.map((s) => stats.row(s))) });
  });

  r.post('/campaigns', requireOperator('uploading a campaign'), uploadRoute(service, o.maxUploadBytes, o.log));

  r.post('/campaigns/:id/contacts', requireOperator('adding contacts'), contactsRoute(service, o.maxUploadBytes, o.log, campaignId));

  r.get('/campaigns/:id', async (req, res) => {
    res.json(await campaignDetail(service, stats, campaignId(req)));
  });

  for (const verb of ['pause', 'resume', 'cancel'] as const) {
    r.post(`/campaigns/:id/${verb}`, requireOperator(`${verb} a campaign`), async (req, res) => {
      const id = campaignId(req);
      await service[verb](id);
      o.log.info({ campaignId: id, action: verb }, `campaign ${verb} from the dashboard`);
      res.json({ campaign: await stats.row(await service.status(id)) });
    });
  }

  // The confirmation is the id itself (`?confirm=<id>`): a stray DELETE, or one aimed at the wrong campaign, does nothing.
  r.delete('/campaigns/:id', requireOperator('deleting a campaign'), async (req, res) => {
    const id = campaignId(req);
    if (req.query.confirm !== id) throw new HttpError('BAD_ARGUMENT', `confirm: must repeat the campaign id (?confirm=${id}) to delete it`);
    const force = flag(req.query.force, 'force');
    const withHistory = flag(req.query.history, 'history');
    if (withHistory && !o.history) throw new HttpError('BAD_ARGUMENT', 'history: no history store is configured, so there is no history to delete');
    const result = await deleteCampaign(service, id, { force, history: withHistory ? o.history : undefined, logger: o.log });
    o.log.info({ campaignId: id, action: 'delete', force, history: withHistory }, 'campaign deleted from the dashboard');
    res.json({ deleted: result });
  });

  // Start and end while the campaign waits: `{ startAt?, endAt? }`, ISO times with a zone; null clears one.
  r.post('/campaigns/:id/schedule', requireOperator('schedule a campaign'), json({ limit: '4kb' }), async (req, res) => {
    const id = campaignId(req);
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError('BAD_ARGUMENT', 'body: must be JSON like {"startAt": "2026-12-01T09:00:00+01:00", "endAt": null}');
    const b = body as Record<string, unknown>;
    const unknownKeys = Object.keys(b).filter((k) => k !== 'startAt' && k !== 'endAt');
    if (unknownKeys.length) throw new HttpError('BAD_ARGUMENT', `${unknownKeys[0]}: unknown field (give startAt and/or endAt)`);
    const change: ScheduleChange = {};
    for (const k of ['startAt', 'endAt'] as const) {
      const v = b[k];
      if (v === undefined) continue;
      if (v !== null && typeof v !== 'string') throw new HttpError('BAD_ARGUMENT', `${k}: must be an ISO time with a zone, or null to clear it`);
      change[k] = v === '' ? null : v;
    }
    await service.schedule(id, change);
    o.log.info({ campaignId: id, action: 'schedule', ...change }, 'campaign schedule changed from the dashboard');
    res.json({ campaign: await stats.row(await service.status(id)) });
  });

  r.get('/campaigns/:id/report', async (req: Request, res: Response) => {
    const id = campaignId(req);
    const format = oneOf(req.query.format ?? 'csv', ['csv', 'json', 'ndjson'] as const, 'format');
    const attempts = flag(req.query.attempts, 'attempts');
    await service.get(id);
    res.setHeader('Content-Type', REPORT_TYPES[format]);
    res.setHeader('Content-Disposition', `attachment; filename="${id}-${attempts ? 'attempts' : 'final'}.${format}"`);
    res.setHeader('Cache-Control', 'no-store');
    await writeReport(service, id, { format, attempts }, res);
    res.end();
  });

  r.get('/campaigns/:id/attempts', async (req, res) => {
    const id = campaignId(req);
    const offset = int(req.query.offset, 'offset', 0, 0, 10_000_000);
    const limit = int(req.query.limit, 'limit', 50, 1, 500);
    const d = req.query.disposition;
    const disposition = d === undefined || d === '' ? undefined : oneOf(d, DISPOSITIONS, 'disposition');
    await service.get(id);
    const page = await service.latestAttempts(id, { offset, limit, ...(disposition ? { disposition } : {}) });
    res.json({ total: page.total, offset, limit, ...(disposition ? { disposition } : {}), items: page.items });
  });

  r.get('/campaigns/:id/attempts/:channelId/recording', recordingRoute(service, o.recordings, o.log, campaignId));

  r.get('/campaigns/:id/inflight', async (req, res) => {
    const id = campaignId(req);
    await service.get(id);
    res.json({ now: new Date().toISOString(), calls: await service.store.inflight(id) });
  });

  r.get('/campaigns/:id/timeline', async (req, res) => {
    const id = campaignId(req);
    await service.get(id);
    res.json({ bucketS: 10, buckets: await service.store.timeline(id) });
  });

  r.use(callsRoutes(service, o.log));

  r.get('/search', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    if (!q) throw new HttpError('BAD_ARGUMENT', 'q: required (a number, or a job id like campaign|number|a1)');
    if (q.length > 200) throw new HttpError('BAD_ARGUMENT', 'q: at most 200 characters');
    const filters: SearchFilters = {};
    const d = req.query.disposition;
    if (d !== undefined && d !== '') filters.disposition = oneOf(d, DISPOSITIONS, 'disposition');
    for (const k of ['from', 'to'] as const) {
      const v = req.query[k];
      if (v === undefined || v === '') continue;
      const t = typeof v === 'string' && /(Z|[+-]\d{2}:\d{2})$/.test(v) ? Date.parse(v) : NaN;
      if (Number.isNaN(t)) throw new HttpError('BAD_ARGUMENT', `${k}: must be an ISO time with a zone (e.g. 2026-12-01T09:00:00Z), got ${JSON.stringify(v)}`);
      filters[k] = t;
    }
    const { matched, results } = await searchNumbers(service, q, filters);
    res.json({ query: q, matched, results });
  });

  r.use((_req, _res) => {
    throw new HttpError('NOT_FOUND', 'no such API endpoint');
  });
  return r;
}

function campaignId(req: Request): string {
  const id = req.params.id;
  if (typeof id !== 'string' || !CAMPAIGN_ID.test(id)) throw new HttpError('NOT_FOUND', `no campaign with id ${JSON.stringify(id)}`);
  return id;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], name: string): T {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
  throw new HttpError('BAD_ARGUMENT', `${name}: must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
}

function int(v: unknown, name: string, dflt: number, min: number, max: number): number {
  if (v === undefined || v === '') return dflt;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new HttpError('BAD_ARGUMENT', `${name}: must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

function flag(v: unknown, name: string): boolean {
  if (v === undefined || v === '' || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  throw new HttpError('BAD_ARGUMENT', `${name}: must be 1 or 0, got ${JSON.stringify(v)}`);
}
