import type { AttemptRecord } from './attempt-record.js';
import { renderCsv } from './render-csv.js';
import { renderJson, renderNdjson } from './render-ndjson.js';
import { summarizeStream, type Summary } from './summarize.js';

/**
 * Where a report reads a campaign from (the campaign service, whether its results are live in Redis or archived in
 * PostgreSQL): declared here so report/ stays below campaign/.
 */
export interface ReportSource {
  /** Every attempt of the campaign, in the order they were stored. */
  attempts(id: string): AsyncIterable<AttemptRecord>;
  /** One final record per number. */
  finals(id: string): AsyncIterable<AttemptRecord>;
  /** The campaign's settings (only `capture` is read). */
  get(id: string): Promise<{ settings: { capture?: readonly string[] } }>;
}

export type ReportFormat = 'csv' | 'json' | 'ndjson';

export interface ReportOptions {
  format: ReportFormat;
  /** Every attempt instead of one final row per number. */
  attempts: boolean;
}

/** ASR, ACD, causes and attempts per number over every attempt of a campaign (streamed, memory flat). */
export function summarizeCampaign(svc: ReportSource, id: string): Promise<Summary> {
  return summarizeStream(withFinals(svc, id));
}

/**
 * The summary must count final results, and attempts carry `final` only for the attempt that was final; numbers
 * cancelled before a call exist only among finals. So: every attempt, plus finals that have no attempt.
 */
async function* withFinals(svc: ReportSource, id: string): AsyncGenerator<AttemptRecord> {
  yield* svc.attempts(id);
  for await (const f of svc.finals(id)) if (!f.channel_id) yield f;
}

/** Streams a campaign's report to `sink` in the chosen format, waiting for the sink when it is full. */
export async function writeReport(svc: ReportSource, id: string, opts: ReportOptions, sink: NodeJS.WritableStream): Promise<void> {
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
async function varNames(svc: ReportSource, id: string): Promise<string[]> {
  for await (const f of svc.finals(id)) return Object.keys(f.vars ?? {});
  return [];
}
