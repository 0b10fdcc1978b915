import type { AttemptRecord } from './attempt-record.js';

/**
 * Streams records as NDJSON, one JSON object per line (`\n`), in the record's own field names. JSON needs no
 * formula escaping: nothing evaluates it, and a spreadsheet does not open it as cells.
 */
export async function* renderNdjson(records: AsyncIterable<AttemptRecord> | Iterable<AttemptRecord>): AsyncGenerator<string, void, undefined> {
  for await (const record of records) yield `${JSON.stringify(record)}\n`;
}

/**
 * A whole report as one JSON document, streamed: `{"summary":...,"records":[` then one record per line. The
 * summary goes first because readers want it first; it must therefore be computed before (a first pass).
 */
export async function* renderJson(records: AsyncIterable<AttemptRecord> | Iterable<AttemptRecord>, summary?: unknown): AsyncGenerator<string, void, undefined> {
  yield summary === undefined ? '{"records":[' : `{"summary":${JSON.stringify(summary)},"records":[`;
  let first = true;
  for await (const record of records) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(record)}`;
    first = false;
  }
  yield '\n]}\n';
}
