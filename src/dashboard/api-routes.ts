import { json, Router, type Request, type Response } from 'express';
import type { CampaignService, ScheduleChange } from '../campaign/campaign-service.js';
import { deleteCampaign } from '../campaign/retention/delete-campaign.js';
import type { Logger } from '../log.js';
import { writeReport, type ReportFormat } from '../report/write-report.js';
import type { DeletableHistory } from '../store/deletable-history.js';
import { requireOperator, type Identity, type Role } from './auth.js';
import type { CampaignStats } from './campaign-stats.js';
import { campaignDetail } from './campaign-detail.js';
import { HttpError } from './http-error.js';
import { uploadRoute } from './upload-route.js';
import { contactsRoute } from './api/contacts-route.js';
import { CAMPAIGN_ID_PATTERN } from './api/schemas.js';
import type { DashboardAudit } from './audit-routes.js';
import { callsRoutes } from './api/calls-route.js';
import { AttemptsQuery, DeleteQuery, ReportQuery, ScheduleRequest, SearchQuery } from './api/campaign-schemas.js';
import { openApiDocument } from './api/openapi.js';
import { parseRequest } from './api/validate.js';
import { searchNumbers, type SearchFilters } from './number-search.js';
import { recordingRoute } from './api/recording-route.js';
import type { RecordingSources } from '../ari/recording-file.js';

export interface ApiRoutesOptions {
  service: CampaignService;
  stats: CampaignStats;
  maxUploadBytes: number;
  /** True when no token is configured (the page then hides the log-out button). */
  open: boolean;
  /** Records each action (who, when, from where, what, the outcome). */
  audit: DashboardAudit;
  /** For deletes with `history=1`. */
  history?: DeletableHistory;
  /** Where each Asterisk's recordings are fetched from (by the results' `recording.asterisk`). @defaultValue none */
  recordings?: RecordingSources;
  log: Logger;
}

/** Campaign ids are `slug-hex` (campaignIdFor); anything else cannot name a campaign and is answered 404 early. */
const CAMPAIGN_ID = CAMPAIGN_ID_PATTERN;

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

  r.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });

  r.get('/campaigns', async (_req, res) => {
    const all = await service.list();
    res.json({ campaigns: await Promise.all(all.map((s) => stats.row(s))) });
  });

  const audited = o.audit.action.bind(o.audit);

  r.get('/audit', requireOperator('reading the audit record'), o.audit.list());

  r.post('/campaigns', audited('campaign.create'), requireOperator('uploading a campaign'), uploadRoute(service, o.maxUploadBytes, o.log));

  r.post(
    '/campaigns/:id/contacts',
    audited('campaign.add-contacts'),
    requireOperator('adding contacts'),
    contactsRoute(service, o.maxUploadBytes, o.log, campaignId),
  );

  r.get('/campaigns/:id', async (req, res) => {
    res.json(await campaignDetail(service, stats, campaignId(req)));
  });

  for (const verb of ['pause', 'resume', 'cancel'] as const) {
    r.post(`/campaigns/:id/${verb}`, audited(`campaign.${verb}`), requireOperator(`${verb} a campaign`), async (req, res) => {
      const id = campaignId(req);
      await service[verb](id);
      o.log.info({ campaignId: id, action: verb }, `campaign ${verb} from the dashboard`);
      res.json({ campaign: await stats.row(await service.status(id)) });
    });
  }

  // The confirmation is the id itself (`?confirm=<id>`): a stray DELETE, or one aimed at the wrong campaign, does nothing.
  r.delete('/campaigns/:id', audited('campaign.delete'), requireOperator('deleting a campaign'), async (req, res) => {
    const id = campaignId(req);
    const q = parseRequest(DeleteQuery, req.query, 'query');
    if (q.confirm !== id) throw new HttpError('BAD_ARGUMENT', `confirm: must repeat the campaign id (?confirm=${id}) to delete it`);
    const { force, history: withHistory } = q;
    if (withHistory && !o.history) throw new HttpError('BAD_ARGUMENT', 'history: no history store is configured, so there is no history to delete');
    const result = await deleteCampaign(service, id, { force, history: withHistory ? o.history : undefined, recordings: o.recordings, logger: o.log });
    o.log.info({ campaignId: id, action: 'delete', force, history: withHistory }, 'campaign deleted from the dashboard');
    res.locals.auditDetail = { force, history: withHistory };
    res.json({ deleted: result });
  });

  // Start and end while the campaign waits: `{ startAt?, endAt? }`, ISO times with a zone; null clears one.
  r.post('/campaigns/:id/schedule', audited('campaign.schedule'), requireOperator('schedule a campaign'), json({ limit: '4kb' }), async (req, res) => {
    const id = campaignId(req);
    const b = parseRequest(ScheduleRequest, req.body, 'body');
    const change: ScheduleChange = {};
    for (const k of ['startAt', 'endAt'] as const) if (b[k] !== undefined) change[k] = b[k] === '' ? null : b[k];
    await service.schedule(id, change);
    res.locals.auditDetail = { ...change };
    o.log.info({ campaignId: id, action: 'schedule', ...change }, 'campaign schedule changed from the dashboard');
    res.json({ campaign: await stats.row(await service.status(id)) });
  });

  r.get('/campaigns/:id/report', async (req: Request, res: Response) => {
    const id = campaignId(req);
    const { format, attempts } = parseRequest(ReportQuery, req.query, 'query');
    await service.get(id);
    res.setHeader('Content-Type', REPORT_TYPES[format]);
    res.setHeader('Content-Disposition', `attachment; filename="${id}-${attempts ? 'attempts' : 'final'}.${format}"`);
    res.setHeader('Cache-Control', 'no-store');
    await writeReport(service, id, { format, attempts }, res);
    res.end();
  });

  r.get('/campaigns/:id/attempts', async (req, res) => {
    const id = campaignId(req);
    const { offset, limit, disposition } = parseRequest(AttemptsQuery, req.query, 'query');
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

  r.use(callsRoutes(service, o.log, o.audit));

  r.get('/search', async (req, res) => {
    const { q, ...f } = parseRequest(SearchQuery, req.query, 'query');
    const filters: SearchFilters = {};
    if (f.disposition) filters.disposition = f.disposition;
    if (f.from !== undefined) filters.from = f.from;
    if (f.to !== undefined) filters.to = f.to;
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
