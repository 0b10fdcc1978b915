import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { AriAuthError, AriUnreachableError, isAriHttpError } from '../../ari/errors.js';
import { openRecordingFile, type RecordingFile, type RecordingSources } from '../../ari/recording-file.js';
import type { CampaignService } from '../../campaign/campaign-service.js';
import { recordingFormat } from '../../dialer/recording/recording-formats.js';
import { parseRecordingInfo, type RecordingInfo } from '../../dialer/recording/recording-info.js';
import type { Logger } from '../../log.js';
import { HttpError } from '../http-error.js';
import { parseRange, sliceBytes } from './byte-range.js';

const CHANNEL_ID = /^[A-Za-z0-9._-]{1,140}$/;

/**
 * `GET /api/campaigns/:id/attempts/:channelId/recording`: the attempt's recording, streamed from the Asterisk that
 * made it (the result's `asterisk` names its config entry; its credentials stay in this process). Asterisk answers
 * every request with the whole file (main/http.c ast_http_send has no 206), so a `Range` is honoured here: 206 with
 * Content-Range and only those bytes, 416 for a range past the end. Viewers may listen: it changes nothing.
 */
export function recordingRoute(service: CampaignService, sources: RecordingSources | undefined, log: Logger, campaignId: (req: Request) => string) {
  return async (req: Request, res: Response): Promise<void> => {
    const id = campaignId(req);
    const channelId = req.params.channelId;
    if (typeof channelId !== 'string' || !CHANNEL_ID.test(channelId))
      throw new HttpError('NOT_FOUND', `no attempt with channel id ${JSON.stringify(channelId)}`);
    await service.get(id);
    const rec = await recordingOf(service, id, channelId);
    const src = sources?.(rec.asterisk);
    if (!src) throw new HttpError('NOT_FOUND', `the recording is on Asterisk "${rec.asterisk}", which this dashboard's config file does not list (asterisks)`);
    const abort = new AbortController();
    // The listener went away mid-file (a seek, a closed tab): stop reading from Asterisk.
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    let file: RecordingFile;
    try {
      file = await openRecordingFile(src, rec.name, { signal: abort.signal, ...(typeof req.headers.range === 'string' ? { range: req.headers.range } : {}) });
    } catch (err) {
      throw upstreamError(err, rec);
    }
    // undici turns a destroy into an AbortError event: a file given up early (a range's end, a 416) is no failure.
    file.body.on('error', () => undefined);
    const fmt = recordingFormat(rec.format);
    res.setHeader('Content-Type', fmt.contentType);
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('Cache-Control', 'private, no-store');
    res.setHeader('Content-Disposition', `inline; filename="${channelId}.${fmt.ext}"`);
    log.debug({ campaignId: id, channelId, asterisk: rec.asterisk, range: req.headers.range }, 'recording served');
    // A proxy in front of Asterisk that honours Range itself: its answer is passed on.
    if (file.status === 206 && file.contentRange) {
      res.status(206).setHeader('Content-Range', file.contentRange);
      if (file.contentLength !== undefined) res.setHeader('Content-Length', String(file.contentLength));
      return void (await pipeline(file.body, res).catch(() => undefined));
    }
    const size = file.contentLength;
    const range = size === undefined ? undefined : parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') {
      file.body.destroy();
      res.removeHeader('Content-Disposition');
      res.setHeader('Content-Range', `bytes */${size}`);
      throw new HttpError('RANGE_NOT_SATISFIABLE', `range ${JSON.stringify(req.headers.range)}: the recording has ${size} bytes`);
    }
    if (!range || size === undefined) {
      if (size !== undefined) res.setHeader('Content-Length', String(size));
      return void (await pipeline(file.body, res).catch(() => undefined));
    }
    res.status(206).setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    res.setHeader('Content-Length', String(range.end - range.start + 1));
    // Past the range the rest of the file is not read: the upstream request is dropped.
    await pipeline(Readable.from(sliceBytes(file.body as AsyncIterable<Buffer>, range)), res).catch(() => undefined);
  };
}

/** The attempt's recording reference, from Redis or (archived) PostgreSQL; 404 with the reason when there is none. */
async function recordingOf(service: CampaignService, campaignId: string, channelId: string): Promise<RecordingInfo> {
  const live = await service.store.attemptByChannel(campaignId, channelId);
  const rec = live?.disposition !== undefined && live.channel_id ? live : ((await service.history?.attemptByChannel(channelId)) ?? live);
  if (!rec || (rec.campaignId !== undefined && rec.campaignId !== campaignId))
    throw new HttpError('NOT_FOUND', `campaign ${campaignId} has no attempt ${channelId}`);
  const info = parseRecordingInfo(rec.recording);
  if (!info) throw new HttpError('NOT_FOUND', `attempt ${channelId} was not recorded`);
  if (info.state !== 'done') throw new HttpError('NOT_FOUND', `attempt ${channelId} has no recording: ${info.reason ?? 'recording failed'}`);
  if (await service.redis.sismember(service.keys.recordingsDeleted(campaignId), info.name)) {
    throw new HttpError('NOT_FOUND', `the recording of attempt ${channelId} was deleted from Asterisk (older than the campaign's recordKeepDays)`);
  }
  return info;
}

function upstreamError(err: unknown, rec: RecordingInfo): HttpError {
  if (isAriHttpError(err, 404)) return new HttpError('NOT_FOUND', `recording ${rec.name} is no longer on Asterisk "${rec.asterisk}" (deleted?)`);
  // Never the URL's credentials: the error names the Asterisk by its config name only.
  if (err instanceof AriAuthError) return new HttpError('BAD_GATEWAY', `Asterisk "${rec.asterisk}" refused this dashboard's ARI credentials (401)`);
  if (err instanceof AriUnreachableError) return new HttpError('BAD_GATEWAY', `Asterisk "${rec.asterisk}" could not be reached for the recording`);
  if (isAriHttpError(err)) return new HttpError('BAD_GATEWAY', `Asterisk "${rec.asterisk}" answered ${err.status} for the recording: ${err.ariMessage}`);
  return new HttpError('BAD_GATEWAY', `the recording could not be fetched from Asterisk "${rec.asterisk}"`);
}
