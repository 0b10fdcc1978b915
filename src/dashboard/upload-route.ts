import { createReadStream } from 'node:fs';
import type { Request, RequestHandler, Response } from 'express';
import type { CampaignService } from '../campaign/campaign-service.js';
import type { Logger } from '../log.js';
import { HttpError, toHttpError } from './http-error.js';
import { spoolUpload } from './upload-spool.js';
import { peekFile } from './upload-preview.js';
import { MAX_LISTED_ERRORS } from './api/schemas.js';
import { UploadOptions as UploadOptionsSchema, UploadQuery } from './api/campaign-schemas.js';
import { parseRequest } from './api/validate.js';

/** What comes with an upload, as JSON: `{ name?, skipInvalid?, settings: { endpoint, cps, ... } }`. */
export interface UploadOptions {
  name?: string;
  skipInvalid: boolean;
  settings: Record<string, unknown>;
}

/**
 * `POST /api/campaigns[?preview=1]`: the CSV as a multipart `file` part with an `options` JSON field, or as a
 * `text/csv` body with `?options=<JSON>`. Spooled to a private temp file (the CSV is read twice: validate, then
 * enqueue), deleted afterwards whatever happens.
 */
export function uploadRoute(service: CampaignService, maxBytes: number, log: Logger): RequestHandler {
  return async (req: Request, res: Response) => {
    const q = parseRequest(UploadQuery, req.query, 'query');
    const preview = q.preview;
    // Options in the query are checked before the body is read, so a typo costs no upload.
    const queryOptions = q.options;
    if (queryOptions !== undefined) parseUploadOptions(queryOptions);
    const upload = await spoolUpload(req, { maxBytes });
    try {
      const text = upload.optionsText ?? queryOptions;
      if (text === undefined) throw new HttpError('BAD_ARGUMENT', 'options: required (JSON with at least settings.endpoint)');
      const o = parseUploadOptions(text);
      const open = () => createReadStream(upload.path);
      if (preview) {
        // The first rows and each column's use come first: a file without a number column still shows its header,
        // so the page can offer its columns to pick from.
        const peek = await peekFile(open, o.settings).catch(() => undefined);
        let c;
        try {
          c = await service.preview({ settings: o.settings, open });
        } catch (err) {
          const e = toHttpError(err);
          if (e.code === 'BAD_CSV' && peek?.header && !peek.columns) throw new HttpError('BAD_CSV', e.message, { ...e.details, header: peek.header });
          throw err;
        }
        res.locals.auditSkip = true;
        res.json({
          preview: true,
          rows: c.rows,
          accepted: c.accepted,
          rejected: c.rejected,
          suppressed: c.suppressed,
          duplicates: c.duplicates,
          errors: c.errors.slice(0, MAX_LISTED_ERRORS),
          ...(peek ?? {}),
        });
        return;
      }
      const name = o.name?.trim() || nameFromFile(upload.filename);
      const r = await service.create({ name, settings: o.settings, open, skipInvalid: o.skipInvalid });
      const counts = {
        rows: r.rows,
        accepted: r.accepted,
        rejected: r.rejected,
        suppressed: r.suppressed,
        duplicates: r.duplicates,
        errors: r.errors.slice(0, MAX_LISTED_ERRORS),
      };
      if (!r.created) {
        throw new HttpError('ROWS_REJECTED', `${r.rejected} bad row(s): nothing was enqueued (fix them, or accept only the good rows)`, counts);
      }
      log.info({ campaignId: r.id, name, accepted: r.accepted, bytes: upload.bytes }, 'campaign created from an upload');
      res.locals.campaignId = r.id;
      res.locals.auditDetail = { name, accepted: r.accepted, rejected: r.rejected };
      res.status(201).json({ id: r.id, created: true, ...counts });
    } finally {
      await upload.cleanup();
    }
  };
}

/** Checks the options JSON, naming the problem; settings themselves are checked by the service (parseSettings). */
export function parseUploadOptions(text: string): UploadOptions {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new HttpError('BAD_JSON', `options: not valid JSON (${(err as Error).message})`);
  }
  const o = parseRequest(UploadOptionsSchema, v, { field: 'options' });
  return { ...(o.name !== undefined ? { name: o.name } : {}), skipInvalid: o.skipInvalid === true, settings: o.settings };
}

/** A default campaign name from the browser's file name: only its base, letters and a few signs. */
function nameFromFile(filename: string | undefined): string {
  const base = (filename ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/\.[A-Za-z0-9]{1,5}$/, '')
    .replace(/[^\p{L}\p{N} ._-]+/gu, ' ')
    .trim()
    .slice(0, 60);
  return clean || 'upload';
}
