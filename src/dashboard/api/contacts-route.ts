import { createReadStream } from 'node:fs';
import type { Request, RequestHandler, Response } from 'express';
import type { CampaignService } from '../../campaign/campaign-service.js';
import type { ContactsFormat } from '../../campaign/import/json-contacts.js';
import type { Logger } from '../../log.js';
import { HttpError } from '../http-error.js';
import { spoolUpload } from '../upload-spool.js';
import { ContactsQuery, MAX_LISTED_ERRORS } from './schemas.js';
import { parseRequest } from './validate.js';

/** Which format each content type is; anything else is 415 (a `text/plain` body is not taken: it is a "simple" type). */
export const CONTACTS_TYPES: Readonly<Record<string, ContactsFormat>> = {
  'text/csv': 'csv',
  'application/csv': 'csv',
  'application/json': 'json',
  'application/x-ndjson': 'ndjson',
  'application/ndjson': 'ndjson',
  'application/jsonl': 'ndjson',
};

/**
 * `POST /api/campaigns/:id/contacts[?skipInvalid=1]`: more numbers for a campaign, as a CSV, a JSON array or NDJSON
 * body (by Content-Type), through the import `campaign add` uses: the same checks, suppression, dedupe against the
 * campaign, and the same report. Strict unless `skipInvalid`: one bad row and nothing is added (422 naming every bad
 * line, and for JSON its path). The body is spooled to a private temp file first: a strict import reads it twice.
 */
export function contactsRoute(service: CampaignService, maxBytes: number, log: Logger, campaignId: (req: Request) => string): RequestHandler {
  return async (req: Request, res: Response) => {
    const id = campaignId(req);
    const q = parseRequest(ContactsQuery, req.query, 'query');
    const mime = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const format = CONTACTS_TYPES[mime];
    if (!format) {
      throw new HttpError(
        'UNSUPPORTED_MEDIA_TYPE',
        `send the contacts as text/csv, application/json (an array of objects) or application/x-ndjson, not ${mime || 'an untyped body'}`,
      );
    }
    await service.get(id); // 404 before the body is read
    const upload = await spoolUpload(req, { maxBytes, types: new Set([mime]) });
    try {
      const skipInvalid = q.skipInvalid === '1' || q.skipInvalid === 'true';
      const r = await service.add(id, { open: () => createReadStream(upload.path), format, skipInvalid });
      const counts = {
        rows: r.rows,
        accepted: r.accepted,
        rejected: r.rejected,
        suppressed: r.suppressed,
        duplicates: r.duplicates,
        errors: r.errors.slice(0, MAX_LISTED_ERRORS),
      };
      if (!r.stored)
        throw new HttpError(
          'ROWS_REJECTED',
          `${r.rejected} bad row(s): nothing was added (fix them, or send ?skipInvalid=1 to add only the good rows)`,
          counts,
        );
      log.info({ campaignId: id, format, added: r.accepted, bytes: upload.bytes }, 'contacts added over the API');
      res.locals.auditDetail = { added: r.accepted, rejected: r.rejected };
      res.json({ id, stored: true, ...counts });
    } finally {
      await upload.cleanup();
    }
  };
}
