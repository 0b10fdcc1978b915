import type { IncomingMessage } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import onHeaders from 'on-headers';
import type { Logger } from '../log.js';
import type { AuditAction, AuditEntry, AuditLog } from '../store/audit/audit-log.js';
import { parseSince } from '../store/audit/since.js';
import type { Identity } from './auth.js';
import { AuditQuery } from './api/audit-schemas.js';
import { badRequest, parseRequest } from './api/validate.js';

const CAMPAIGN_ID = /^[A-Za-z0-9_-]{1,100}$/;

/**
 * The dashboard's side of the audit record: each action route says what it is, and its outcome is read from the
 * answer once it is sent (2xx ok, 4xx refused, 5xx failed), so an action refused to a viewer is on record too.
 * A route adds `res.locals.campaignId` (a new campaign) and `res.locals.auditDetail` (plain facts, never secrets).
 */
export class DashboardAudit {
  constructor(
    private readonly audit: AuditLog,
    private readonly address: (req: IncomingMessage) => string,
    private readonly log: Logger,
  ) {}

  /**
   * Route middleware: records `action` as its answer's headers go out (on-headers), so the record's order is the order
   * the answers were given: a client that waits for one answer before its next request finds them in that order.
   */
  action(action: AuditAction): RequestHandler {
    return (req, res, next) => {
      let recorded = false;
      const record = () => {
        if (recorded || res.locals.auditSkip) return;
        recorded = true;
        const id = (res.locals.campaignId as string | undefined) ?? req.params.id;
        const status = res.statusCode;
        this.write({
          at: new Date().toISOString(),
          who: (res.locals.who as Identity | undefined)?.name ?? '-',
          from: this.address(req),
          via: 'web',
          action,
          ...(typeof id === 'string' && CAMPAIGN_ID.test(id) ? { campaignId: id } : {}),
          outcome: status < 400 ? 'ok' : status < 500 ? 'refused' : 'failed',
          ...(res.locals.auditDetail ? { detail: res.locals.auditDetail as AuditEntry['detail'] } : status >= 400 ? { detail: { status } } : {}),
        });
      };
      onHeaders(res, record);
      // And on 'close': a client that hangs up before any answer gets no headers, and its action (done, or refused)
      // must be on record all the same.
      res.once('close', record);
      next();
    };
  }

  /** A login, or a wrong token at any door (bounded by the guess throttle, so a flood cannot fill the record). */
  login(req: IncomingMessage, who: string, ok: boolean, via: string): void {
    this.write({
      at: new Date().toISOString(),
      who,
      from: this.address(req),
      via: 'web',
      action: ok ? 'login' : 'login.failed',
      outcome: ok ? 'ok' : 'refused',
      detail: { via },
    });
  }

  /** `GET /api/audit?campaign=&since=&limit=`: newest first (operators only: it names people and addresses). */
  list(): RequestHandler {
    return async (req: Request, res: Response) => {
      const q = parseRequest(AuditQuery, req.query, 'query');
      let since: number | undefined;
      try {
        since = q.since === undefined || q.since === '' ? undefined : parseSince(q.since);
      } catch (err) {
        throw badRequest([{ path: 'since', message: (err as Error).message.replace(/^since: /, '') }]);
      }
      const entries = await this.audit.list({ ...(q.campaign ? { campaignId: q.campaign } : {}), ...(since !== undefined ? { since } : {}), limit: q.limit });
      res.setHeader('Cache-Control', 'no-store');
      res.json({ entries });
    };
  }

  private write(e: AuditEntry): void {
    this.audit.record(e).catch((err: Error) => this.log.error({ err: err.message, action: e.action }, 'audit: could not record an action'));
  }
}
