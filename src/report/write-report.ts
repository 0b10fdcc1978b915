import type { CampaignService } from '../campaign/campaign-service.js';
import type { AttemptRecord } from './attempt-record.js';
import { renderCsv } from './render-csv.js';
import { renderJson, renderNdjson } from './render-ndjson.js';
import { summarizeStream, type Summary } from './summarize.js';

export type ReportFormat = 'csv' | 'json' | 'ndjson';

export interface ReportOptions {
  format: ReportFormat;
  /** Every attempt instead of one final row per number. */
  attempts: boolean;
}

/** ASR, ACD, causes and attempts per number over every attempt of a campaign (streamed, memory flat). */
export function summarizeCampaign(svc: CampaignService, id: string): Promise<Summary> {
  return summarizeStream(withFinals(svc, id));
}

/**
 * The summary must count final results, and attempts carry `final` only for the attempt that was final; numbers
 * cancelled before a call exist only among finals. So: every attempt, plus finals that have no attempt.
 */
async function* withFinals(svc: CampaignService, id: string): AsyncGenerator<AttemptRecord> {
  yield* svc.attempts(id);
  for await (const f of svc.finals(id)) if (!f.channel_id) yield f;
}

/** Streams a campaign's report to `sink` in the chosen format, waiting for the sink when it is full. */
export async function writeReport(svc: CampaignService, id: string, opts: ReportOptions, sink: NodeJS.WritableStream): Promise<void> {
  const records = opts.attempts ? withFinals(svc, id) : svc.finals(id);
  let lines: AsyncIterable<string>;
  if (opts.format === 'csv') lines = renderCsv(records, { vars: await varNames(svc, id), captured: (await svc.get(id)).settings.capture ?? [] });
  else if (opts.format === 'ndjson') lines = renderNdjson(records);
  else lines = renderJson(records, await summarizeCampaign(svc, id));
  for await (const line of lines) {
    if (!sink.write(line)) await new Promise<void>((resolve) => sink.once('drain', () => resolve()));
  }
}

/** Column names of the contacts' own data, from the first final record (every row of a CSV has the same). */
async function varNames(svc: CampaignService, id: string): Promise<string[]> {
  for await (const f of svc.finals(id)) return Object.keys(f.vars ?? {});
  return [];
}
