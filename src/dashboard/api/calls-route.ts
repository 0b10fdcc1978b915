import { json, Router, type Request, type Response } from 'express';
import { callStatus } from '../../campaign/calls/call-status.js';
import { DuplicateCallError, placeCall } from '../../campaign/calls/call-now.js';
import type { CampaignService } from '../../campaign/campaign-service.js';
import { BadArgumentError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { IdempotencyStore } from '../../store/idempotency.js';
import type { DashboardAudit } from '../audit-routes.js';
import { requireOperator } from '../auth.js';
import { HttpError } from '../http-error.js';
import { CallRequest } from './schemas.js';
import { badRequest, parseRequest } from './validate.js';

/** Printable ASCII, as the IETF draft on Idempotency-Key and the APIs that use it (Stripe: up to 255) allow. */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
const CHANNEL_ID = /^[A-Za-z0-9._-]{1,140}$/;

export const callStatusUrl = (channelId: string): string => `/api/calls/${encodeURIComponent(channelId)}`;

/**
 * `POST /api/calls` (one call now, through a campaign; 202 with its channel id and status URL) and
 * `GET /api/calls/:channelId` (where it stands, then its result). An `Idempotency-Key` header makes a repeat of the
 * same request answer what the first got, never a second call; the same key with another body is 422.
 */
export function callsRoutes(service: CampaignService, log: Logger, audit: DashboardAudit): Router {
  const r = Router();
  const idempotency = new IdempotencyStore(service.redis, service.keys);

  r.post('/calls', audit.action('call.now'), requireOperator('placing a call'), json({ limit: '64kb' }), async (req: Request, res: Response) => {
    if (!req.is('application/json')) throw new HttpError('UNSUPPORTED_MEDIA_TYPE', 'send the call as JSON (Content-Type: application/json)');
    const body = parseRequest(CallRequest, req.body, 'body');
    const key = req.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))) {
      throw badRequest([{ path: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' }]);
    }
    const fp = IdempotencyStore.fingerprint(req.body);
    if (key !== undefined) {
      const c = await idempotency.claim(key, fp);
      if (c.kind === 'mismatch')
        throw new HttpError('IDEMPOTENCY_MISMATCH', 'this Idempotency-Key was used for a different request: use a new key for a new call');
      if (c.kind === 'pending')
        throw new HttpError('IDEMPOTENCY_IN_PROGRESS', 'the first request with this Idempotency-Key is still being handled: repeat it in a moment');
      if (c.kind === 'replay') {
        res.setHeader('Idempotent-Replayed', 'true');
        return void res.status(c.status).json(c.body);
      }
    }
    let answer: { status: number; body: Record<string, unknown> };
    try {
      const p = await placeCall(service, body);
      log.info({ campaignId: p.campaignId, channelId: p.channelId, created: p.campaignCreated }, 'call placed over the API');
      res.locals.campaignId = p.campaignId;
      res.locals.auditDetail = { channelId: p.channelId, campaignCreated: p.campaignCreated };
      answer = {
        status: 202,
        body: {
          channelId: p.channelId,
          campaignId: p.campaignId,
          number: p.number,
          state: 'queued',
          statusUrl: callStatusUrl(p.channelId),
          campaignCreated: p.campaignCreated,
        },
      };
    } catch (err) {
      if (key !== undefined) await idempotency.abandon(key);
      if (err instanceof DuplicateCallError)
        throw new HttpError('CONFLICT', err.message, { channelId: err.channelId, statusUrl: callStatusUrl(err.channelId) });
      if (err instanceof BadArgumentError) throw badRequest(problemsOf(err));
      throw err;
    }
    if (key !== undefined) await idempotency.complete(key, fp, answer.status, answer.body);
    res.setHeader('Location', String(answer.body.statusUrl));
    res.status(answer.status).json(answer.body);
  });

  r.get('/calls/:channelId', async (req: Request, res: Response) => {
    const id = req.params.channelId;
    const s = typeof id === 'string' && CHANNEL_ID.test(id) ? await callStatus(service, id) : undefined;
    if (!s) throw new HttpError('NOT_FOUND', `no call with channel id ${JSON.stringify(id)}`);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ ...s, ...(s.retry ? { retry: { ...s.retry, statusUrl: callStatusUrl(s.retry.channelId) } } : {}) });
  });

  return r;
}

/** The service's own checks named by path: `settings: cps: must be…; endpoint: required` → `$.settings.cps`, `$.settings.endpoint`. */
function problemsOf(err: BadArgumentError): Array<{ path: string; message: string }> {
  const rest = err.message.slice(err.argument.length + 2);
  // An {placeholder} of the endpoint template the call's variables do not fill.
  if (err.argument === 'endpoint') return [{ path: '$.variables', message: `the campaign's endpoint template needs it: ${rest}` }];
  if (err.argument !== 'settings') return [{ path: `$.${err.argument}`, message: rest }];
  return rest.split('; ').map((p) => {
    const m = /^([A-Za-z][\w.]*): (.*)$/.exec(p);
    return m ? { path: `$.settings.${m[1]}`, message: m[2]! } : { path: '$.settings', message: p };
  });
}
