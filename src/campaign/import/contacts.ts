import { Readable, pipeline } from 'node:stream';
import { parse, type Options as CsvParseOptions } from 'csv-parse';
import { BadArgumentError } from '../../errors.js';
import type { DestinationRules } from '../../policy/destinations.js';
import { planColumns, type ColumnPlan } from './contact-columns.js';
import { isBlank, toContactItem, type ContactItem } from './contact-row.js';
import { CsvFormatError } from './csv-format-error.js';
import { sniffDelimiter } from './csv-sniff.js';
import { guardCsvText } from './csv-text-guard.js';

export { CsvFormatError } from './csv-format-error.js';
export type { ContactItem, ContactRow, RowError } from './contact-row.js';
export { MAX_TIMEOUT_S } from './contact-row.js';
export { dedupeKey, normalizeNumber } from './phone-number.js';

export interface ReadContactsOptions {
  /**
   * Longest line accepted, in bytes. Also bounds a whole record, so that an unclosed quote fails early instead of
   * swallowing the rest of the file into one field.
   * @defaultValue 65536
   */
  maxLineBytes?: number;
  /**
   * Columns that fill `{placeholders}` in the endpoint template (see endpoint-placeholders.ts). Their cells may hold
   * only letters, digits and `_ . + -`; any other cell of the row is a row error naming the line and column. Matched
   * without case, like the column names. Other columns stay free text.
   * @defaultValue [] (no column restricted)
   */
  placeholderColumns?: readonly string[];
  /**
   * Most columns that may become channel variables; a header with more rejects the file (CsvFormatError).
   * @defaultValue unlimited
   */
  maxChannelVars?: number;
  /** See PlanColumnsOptions.numberColumn. @defaultValue `number`, else `phone` */
  numberColumn?: string;
  /** See PlanColumnsOptions.rowOverrides. @defaultValue true */
  rowOverrides?: boolean;
  /** See PlanColumnsOptions.destinations. @defaultValue any number */
  destinations?: DestinationRules;
  /** Called with the header row as it is in the file, before it is checked (an upload preview shows it). */
  onHeader?: (header: readonly string[], line: number) => void;
}

export interface ReadContactsInBatchesOptions extends ReadContactsOptions {
  /**
   * Items per batch (sized for one BullMQ `addBulk`).
   * @defaultValue 1000
   */
  batchSize?: number;
}

/** What a contacts file can be read from: a Node stream (a file, an HTTP upload) or any async source of chunks. */
export type ContactsInput = NodeJS.ReadableStream | AsyncIterable<Buffer | string | Uint8Array>;

const DEFAULT_MAX_LINE_BYTES = 65_536;
const DEFAULT_BATCH_SIZE = 1000;

interface LocatedRecord {
  record: string[];
  line: number;
}

/**
 * Streams a contacts CSV into checked rows, one item per data row: `{ kind: 'row' }` or, for a row that cannot be
 * dialled, `{ kind: 'error' }` with the line and every reason (the import goes on). Memory stays flat whatever the
 * file size: nothing is buffered beyond the header sniff and the row in hand.
 *
 * - UTF-8 with or without BOM; `,` `;` or tab, detected from the header (or Excel's `sep=` first line); RFC 4180
 *   quoting, line breaks inside quotes.
 * - A header is required, with a `number` or `phone` column (trimmed, any case). `callerid`, `context`,
 *   `extension`, `priority`, `timeout` (seconds) and `timezone` (IANA) are understood; other columns become `vars`.
 * - Blank lines (and lines of empty cells) are skipped. Identical numbers are all yielded: deduplication is the
 *   campaign's decision, by {@link dedupeKey}.
 *
 * Throws {@link CsvFormatError} (code `BAD_CSV`) when the file as a whole is unusable: empty, a header but no rows,
 * no number column, binary, not UTF-8, broken quoting, a line over `maxLineBytes`. That can happen after rows were
 * yielded; the import must then be abandoned as a whole.
 */
export async function* readContacts(input: ContactsInput, options: ReadContactsOptions = {}): AsyncGenerator<ContactItem, void, undefined> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) {
    throw new BadArgumentError('maxLineBytes', `must be a positive integer, got ${String(maxLineBytes)}`);
  }
  const text = guardCsvText(input, { maxLineBytes })[Symbol.asyncIterator]();

  // Read just enough to see the header and the line after it; those chunks are then replayed to the parser.
  const head: Buffer[] = [];
  let headText = '';
  let ended = false;
  for (;;) {
    const next = await text.next();
    if (next.done) ended = true;
    else {
      head.push(next.value);
      headText += next.value.toString('utf8'); // safe per chunk: the guard never splits a UTF-8 sequence
    }
    if (ended || headText.length > 2 * maxLineBytes || sniffDelimiter(headText).complete) break;
  }
  if (ended && headText.trim() === '') {
    throw new CsvFormatError('the file is empty');
  }
  const { delimiter, sepLine } = sniffDelimiter(headText, ended);

  // csv-parse's own line count goes wrong on CRLF inside quotes, so lines are counted from what it returns: a
  // record starts after the previous one and the empty lines skipped in between. This runs inside the parser, as
  // each record is cut, so that when parsing fails the count is exact even for records not yet read from it.
  let nextLine = 1;
  let emptyBefore = 0;
  const locate = (record: string[], context: { empty_lines: number }): LocatedRecord => {
    const line = nextLine + (context.empty_lines - emptyBefore);
    emptyBefore = context.empty_lines;
    nextLine = line + lineBreaksIn(record) + 1;
    return { record, line };
  };
  const parserOptions: CsvParseOptions<LocatedRecord, string[]> = {
    delimiter,
    // Explicit, so that mixed line endings split like they look; auto-detection would fix on the first kind seen.
    record_delimiter: ['\r\n', '\n', '\r'],
    bom: false, // the guard has removed it
    relax_column_count: true, // a wrong column count is one bad row, reported by us, not the end of the file
    skip_empty_lines: true,
    max_record_size: maxLineBytes,
    on_record: locate,
  };
  // The non-generic overload is the one for options without `columns`; its record type is fixed to string[].
  const parser = parse(parserOptions as unknown as CsvParseOptions);
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      yield* head;
      head.length = 0;
      for (;;) {
        const next = await text.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      await text.return?.(undefined);
    }
  }
  const source = Readable.from(replay());
  // Errors reach us through the parser's iterator; pipeline only has to tear both streams down together.
  pipeline(source, parser, () => {});

  let plan: ColumnPlan | undefined;
  let rows = 0;
  let skipSepLine = sepLine;
  try {
    for await (const { record, line } of parser as AsyncIterable<LocatedRecord>) {
      if (record.every(isBlank)) continue;
      if (skipSepLine) {
        skipSepLine = false;
        continue;
      }
      if (plan === undefined) {
        options.onHeader?.(record, line);
        plan = planColumns(record, line, {
          placeholderColumns: options.placeholderColumns,
          maxChannelVars: options.maxChannelVars,
          numberColumn: options.numberColumn,
          rowOverrides: options.rowOverrides,
          destinations: options.destinations,
        });
        continue;
      }
      rows++;
      yield toContactItem(record, line, plan);
    }
  } catch (error) {
    throw translateParseError(error, nextLine, emptyBefore);
  } finally {
    parser.destroy();
    source.destroy();
  }
  if (plan === undefined) throw new CsvFormatError('the file is empty');
  if (rows === 0) throw new CsvFormatError('CSV has a header but no rows');
}

/**
 * {@link readContacts} in arrays of up to `batchSize` items, for queueing with one `addBulk` per batch. Rows and
 * row errors stay in file order within and across batches.
 */
export async function* readContactsInBatches(input: ContactsInput, options: ReadContactsInBatchesOptions = {}): AsyncGenerator<ContactItem[], void, undefined> {
  const { batchSize = DEFAULT_BATCH_SIZE, ...readOptions } = options;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new BadArgumentError('batchSize', `must be a positive integer, got ${String(batchSize)}`);
  }
  let batch: ContactItem[] = [];
  for await (const item of readContacts(input, readOptions)) {
    batch.push(item);
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Physical line breaks inside a record's fields (only quoted fields can have them): CRLF, LF or CR count once. */
function lineBreaksIn(record: readonly string[]): number {
  let breaks = 0;
  for (const field of record) {
    if (!field.includes('\n') && !field.includes('\r')) continue;
    const found = field.match(/\r\n|\r|\n/g);
    breaks += found === null ? 0 : found.length;
  }
  return breaks;
}

/** What csv-parse's error codes mean to someone who has to fix the file in a spreadsheet or editor. */
const PARSE_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'unclosed quote: a quoted field never ends',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote is followed by more text; a quote inside a quoted field must be doubled ("")',
  INVALID_OPENING_QUOTE: 'a quote in the middle of an unquoted field; quote the whole field and double inner quotes ("")',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text after a closing quote',
};

function translateParseError(error: unknown, nextLine: number, emptyBefore: number): unknown {
  if (error instanceof CsvFormatError || !(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !(code.startsWith('CSV_') || code === 'INVALID_OPENING_QUOTE')) return error;
  const emptyLines = (error as { empty_lines?: unknown }).empty_lines;
  // The record being parsed starts after the last one returned and the empty lines skipped since.
  const line = nextLine + (typeof emptyLines === 'number' ? Math.max(0, emptyLines - emptyBefore) : 0);
  if (code === 'CSV_MAX_RECORD_SIZE') {
    return new CsvFormatError(`line ${line}: the record starting here runs past the size limit; probably an unclosed quote`, { line, cause: error });
  }
  const problem = PARSE_PROBLEMS[code] ?? error.message;
  return new CsvFormatError(`line ${line}: ${problem}`, { line, cause: error });
}
