import { BadArgumentError } from '../errors.js';
import type { AttemptRecord } from './attempt-record.js';
import { RESULT_FIELDS, capturedColumn, capturedVariable, type ResultFieldName } from './result-fields.js';

/** The columns of an attempts report, in order (result-fields.ts). A contact's CSV columns can follow as `var_<name>`. */
export const REPORT_COLUMNS = RESULT_FIELDS.map((f) => f.name);

export type ReportColumn = ResultFieldName;

/** RFC 4180 line ending; every line this module renders ends with it. */
export const CSV_EOL = '\r\n';

export interface RenderCsvOptions {
  /**
   * Contact columns to add after {@link REPORT_COLUMNS}, as `var_<name>`. Named up front because the report is
   * streamed: the header is written before the first record is seen (the campaign knows them from its import).
   * @defaultValue []
   */
  vars?: readonly string[];
  /** Variables the campaign captures (`capture` setting): a `captured_<VAR>` column each. @defaultValue [] */
  captured?: readonly string[];
  /**
   * Start with a UTF-8 byte-order mark. Excel needs it to read UTF-8 (without it names with accents turn into
   * mojibake); most other tools do not want it.
   * @defaultValue false
   */
  bom?: boolean;
}

/**
 * Characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection"; NUL added by ASVS 1.2.10).
 * `-` and `+` are in the list although they start harmless-looking values, because `-2+3+cmd|' /C calc'!A0` is a
 * formula too.
 */
const FORMULA_START = /^[=+\-@\t\r\0]/;
const NEEDS_QUOTES = /[",;\r\n]/;

/**
 * One CSV cell: RFC 4180 quoting plus formula-injection safety as OWASP recommends: a text cell starting with
 * `=`, `+`, `-`, `@`, tab, CR (or NUL) gets a leading `'` and is quoted, so Excel, LibreOffice and Google Sheets
 * show it as text instead of running it.
 *
 * Tradeoff, chosen on purpose: phone numbers like `+4930123456` are prefixed too (`'+4930123456`). Without the
 * prefix Excel evaluates `+4930123456` as a formula and shows `4930123456` (and longer numbers as 4.93E+11),
 * losing the `+` and digits; with it the number shows as typed and stays text. Tools that read the CSV as plain
 * text see the apostrophe; our contacts import strips it, so a report can be imported again. Values that are
 * JavaScript numbers (cause, ring_s, a negative tech_cause) are not prefixed: a number cannot carry a formula.
 * Also quoted: cells with `;`, so that Excel in locales whose list separator is `;` does not split them.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  let text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  const formula = FORMULA_START.test(text);
  if (formula) text = `'${text}`;
  if (!formula && !NEEDS_QUOTES.test(text)) return text;
  return `"${text.replaceAll('"', '""')}"`;
}

/**
 * The columns for a report: {@link REPORT_COLUMNS}, then `captured_<VAR>` per captured variable, then `var_<name>`
 * per contact variable.
 */
export function reportColumns(vars: readonly string[] = [], captured: readonly string[] = []): string[] {
  return [...REPORT_COLUMNS, ...captured.map(capturedColumn), ...vars.map((name) => `var_${name}`)];
}

/** The header line (with {@link CSV_EOL}). Throws {@link BadArgumentError} for a column it cannot fill. */
export function renderCsvHeader(columns: readonly string[]): string {
  accessorsFor(columns);
  return columns.map(csvCell).join(',') + CSV_EOL;
}

/** One record as a line (with {@link CSV_EOL}); a missing value is an empty cell. */
export function renderCsvRow(columns: readonly string[], record: AttemptRecord): string {
  const accessors = accessorsFor(columns);
  let line = '';
  for (let i = 0; i < accessors.length; i++) {
    if (i > 0) line += ',';
    line += csvCell(accessors[i]!(record));
  }
  return line + CSV_EOL;
}

/**
 * Streams a report: the header (after a BOM when asked), then one line per record, as they come. Nothing is
 * collected, so the output can go straight to a file or an HTTP response.
 */
export async function* renderCsv(
  records: AsyncIterable<AttemptRecord> | Iterable<AttemptRecord>,
  options: RenderCsvOptions = {},
): AsyncGenerator<string, void, undefined> {
  const columns = reportColumns(options.vars ?? [], options.captured ?? []);
  const header = renderCsvHeader(columns);
  yield options.bom === true ? `\ufeff${header}` : header;
  for await (const record of records) yield renderCsvRow(columns, record);
}

type Accessor = (record: AttemptRecord) => unknown;

const REPORT_ACCESSORS: Record<ReportColumn, Accessor> = Object.fromEntries(
  RESULT_FIELDS.map((f): [ReportColumn, Accessor] => {
    const part: readonly [string, string] | undefined = 'part' in f ? f.part : undefined;
    if (part) return [f.name, (r) => (r as unknown as Record<string, Record<string, unknown> | undefined>)[part[0]]?.[part[1]]];
    return f.name === 'campaign_id' ? [f.name, (r) => r.campaignId] : [f.name, (r) => (r as unknown as Record<string, unknown>)[f.name]];
  }),
) as Record<ReportColumn, Accessor>;

/** Worked out once per columns array, since a report renders the same columns a million times. */
const compiled = new WeakMap<readonly string[], Accessor[]>();

function accessorsFor(columns: readonly string[]): Accessor[] {
  let accessors = compiled.get(columns);
  if (accessors !== undefined) return accessors;
  accessors = columns.map((column) => {
    if (Object.hasOwn(REPORT_ACCESSORS, column)) return REPORT_ACCESSORS[column as ReportColumn];
    const variable = capturedVariable(column);
    if (variable !== undefined) {
      return (record: AttemptRecord) => {
        const c = record.captured;
        return c !== undefined && Object.hasOwn(c, variable) ? c[variable] : undefined;
      };
    }
    if (column.startsWith('var_') && column.length > 4) {
      const name = column.slice(4);
      // Own keys only: a column named var_constructor must not reach into Object.prototype.
      return (record: AttemptRecord) => {
        const vars = record.vars;
        return vars !== undefined && Object.hasOwn(vars, name) ? vars[name] : undefined;
      };
    }
    throw new BadArgumentError('columns', `"${column}" is neither a report column, captured_<VAR> nor var_<name>`);
  });
  compiled.set(columns, accessors);
  return accessors;
}
