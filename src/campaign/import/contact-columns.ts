import { CsvFormatError } from './csv-format-error.js';
import type { DestinationRules } from '../../policy/destinations.js';
import { OVERRIDE_COLUMNS } from './override-cells.js';

/** Columns with a meaning of their own; every other column becomes a channel variable. */
export type KnownColumn = 'number' | 'callerid' | 'context' | 'extension' | 'priority' | 'timeout' | 'timezone' | 'lead_priority' | 'message';

/**
 * `priority` is the dialplan priority (as in `dial`), so the order of the list has a name of its own:
 * `lead_priority`, a whole number, higher first (then row order).
 */
const OPTIONAL_COLUMNS = ['callerid', 'context', 'extension', 'priority', 'timeout', 'timezone', 'lead_priority', 'message'] as const;
type OptionalColumn = (typeof OPTIONAL_COLUMNS)[number];

/** Where each field of a data row goes, worked out once from the header. */
export interface ColumnPlan {
  /** How many columns the header has: the count every data row must match. */
  width: number;
  /** Index of the number column. */
  number: number;
  known: Partial<Record<OptionalColumn, number>>;
  vars: ReadonlyArray<{ index: number; name: string }>;
  /** The vars that fill endpoint placeholders: their cells must be safe inside a dial string. */
  placeholders: ReadonlyArray<{ index: number; name: string }>;
  /** Where the rows' numbers may call; absent: anywhere. */
  destinations?: DestinationRules;
}

export interface PlanColumnsOptions {
  /** Column names the endpoint template uses as placeholders (any case). @defaultValue [] */
  placeholderColumns?: readonly string[];
  /** Most columns that may become channel variables. @defaultValue unlimited */
  maxChannelVars?: number;
  /**
   * The column holding the numbers, by its header (trimmed, any case), for files whose number column has another
   * name (`mobile_nr`). @defaultValue `number`, else `phone`
   */
  numberColumn?: string;
  /**
   * Whether `context`, `extension`, `priority` and `callerid` columns may override the campaign's settings (the
   * campaign's `allowRowOverrides`). When false a header with one is refused, naming the column and the setting.
   * @defaultValue true (a file read on its own); campaign imports pass the campaign's setting
   */
  rowOverrides?: boolean;
  /** Numbers a row may hold (`allowedDestinations`, `blockedDestinations`): another is the row's error. @defaultValue any */
  destinations?: DestinationRules;
}

/**
 * Reads the header: finds the number column (`number`, else `phone`; names are trimmed and case-insensitive) and
 * the other known columns, and names the rest as channel variables. When a file has both `number` and `phone`,
 * `number` is dialled and `phone` becomes a variable like any other column.
 * Throws {@link CsvFormatError} when there is no number column, a known column appears twice (which of the two
 * to dial would be a guess), or more columns would become channel variables than `maxChannelVars` allows.
 */
export function planColumns(header: readonly string[], line: number, options: PlanColumnsOptions = {}): ColumnPlan {
  const names = header.map((name) => name.trim().toLowerCase());
  const firstOf = (wanted: string): number | undefined => {
    const index = names.indexOf(wanted);
    if (index === -1) return undefined;
    const again = names.indexOf(wanted, index + 1);
    if (again !== -1) {
      throw new CsvFormatError(`line ${line}: column "${wanted}" appears twice (columns ${index + 1} and ${again + 1})`, {
        line,
      });
    }
    return index;
  };
  const chosen = options.numberColumn?.trim().toLowerCase();
  const number = chosen ? firstOf(chosen) : (firstOf('number') ?? firstOf('phone'));
  if (number === undefined && chosen) {
    const found = header.map((name) => JSON.stringify(name.trim())).slice(0, 20);
    throw new CsvFormatError(`line ${line}: no column "${options.numberColumn}" (the number column asked for); the header has ${found.join(', ')}`, { line });
  }
  if (number === undefined) {
    const found = header.map((name) => JSON.stringify(name.trim())).slice(0, 20);
    const more = header.length > 20 ? `, … (${header.length} in all)` : '';
    throw new CsvFormatError(`line ${line}: no "number" or "phone" column; the header has ${found.join(', ')}${more}`, { line });
  }
  const known: Partial<Record<OptionalColumn, number>> = {};
  // A report read back (its `disposition` and `cause_txt` columns give it away) has a `message` column of its own:
  // the call's outcome in words, not media to play.
  const isReport = names.includes('disposition') && names.includes('cause_txt');
  for (const column of OPTIONAL_COLUMNS) {
    if (column === chosen || (column === 'message' && isReport)) continue;
    const index = firstOf(column);
    if (index !== undefined) known[column] = index;
  }
  if (options.rowOverrides === false) {
    const used = OVERRIDE_COLUMNS.filter((c) => known[c] !== undefined);
    if (used.length) {
      const list = used.map((c) => `column ${known[c]! + 1} (${c})`).join(', ');
      throw new CsvFormatError(
        `line ${line}: ${list} would override the campaign's ${used.map((c) => (c === 'callerid' ? 'callerId' : c)).join(', ')} for each row, ` +
          "which this campaign does not allow: set allowRowOverrides (campaign create --allow-row-overrides, or the upload form's override box) or drop the column",
        { line },
      );
    }
  }
  const claimed = new Set<number>([number, ...Object.values(known)]);
  const taken = new Set<string>();
  const vars: Array<{ index: number; name: string }> = [];
  header.forEach((raw, index) => {
    if (claimed.has(index)) return;
    const base = safeVarName(raw, index);
    let name = base;
    // Case-insensitive: whether Asterisk treats NAME and name as one variable is not something to bet a row on.
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}_${n}`;
    taken.add(name.toLowerCase());
    vars.push({ index, name });
  });
  const max = options.maxChannelVars;
  if (max !== undefined && vars.length > max) {
    throw new CsvFormatError(
      `line ${line}: ${vars.length} columns would become channel variables, more than the limit of ${max} ` +
        `(every column but number, callerid, context, extension, priority, timeout, timezone and lead_priority is one); drop the ` +
        `columns the calls do not need, or raise the limit (campaign create --max-channel-vars N, or the ` +
        `maxChannelVars setting of an upload)`,
      { line },
    );
  }
  const wanted = new Set((options.placeholderColumns ?? []).map((name) => name.toLowerCase()));
  const placeholders = vars.filter((v) => wanted.has(v.name.toLowerCase()));
  return {
    width: header.length,
    number,
    known,
    vars,
    placeholders,
    ...(options.destinations && !options.destinations.open ? { destinations: options.destinations } : {}),
  };
}

/**
 * A header turned into a channel variable name: letters, digits and `_` only (accents dropped, anything else
 * becomes `_`). A leading `_` is removed because Asterisk gives it a meaning: `_VAR` and `__VAR` are inherited by
 * channels the call creates, which a spreadsheet column must not switch on by accident. A header with nothing
 * usable left is named after its position, `column_<n>` (1-based).
 */
export function safeVarName(header: string, index: number): string {
  const name = header
    .trim()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+/, '')
    .replace(/_+$/, '');
  return name === '' ? `column_${index + 1}` : name;
}
