import type { ColumnPlan } from './contact-columns.js';
import { placeholderValueProblem } from '../../policy/endpoint-placeholders.js';
import { overrideCellProblem, OVERRIDE_COLUMNS } from './override-cells.js';
import { normalizeNumber } from './phone-number.js';
import { canonicalTimeZone } from '../../policy/time-zone.js';
import { parseMediaList } from '../../dialer/message/message-options.js';

/** One contact, checked and ready to become a dial job. */
export interface ContactRow {
  /** 1-based physical line in the file where the row starts (the header is line 1 unless blank lines precede it). */
  line: number;
  /** Normalized dial string: digits with an optional leading `+`. */
  number: string;
  callerid?: string;
  context?: string;
  extension?: string;
  /** Dialplan priority, a positive integer. */
  priority?: number;
  /** Seconds to let the call ring, 1..{@link MAX_TIMEOUT_S}. */
  timeout?: number;
  /** Canonical IANA zone of the contact, for calling windows. */
  timezone?: string;
  /** Order in the list (`lead_priority` column): higher is dialed first, then row order. Lists in PostgreSQL only. */
  leadPriority?: number;
  /** The row's own message (`message` column: media URIs, comma-separated), checked like `--message`. */
  message?: string[];
  /**
   * Every other column, by a name safe for channel variables. Values are kept exactly as in the file, including
   * cells starting with `=` or `@`: they are data here and are escaped when exported, never evaluated.
   */
  vars: Record<string, string>;
}

/** A row that cannot be dialled, with every reason found (joined by "; "). */
export interface RowError {
  line: number;
  reason: string;
  /** Where in a JSON or NDJSON body (`$[3]`, `$[3].name`); absent for CSV, where the line says it. */
  path?: string;
}

export type ContactItem = { kind: 'row'; row: ContactRow } | { kind: 'error'; error: RowError };

/** Longest ring time a row may ask for: beyond ten minutes nobody is going to answer. */
export const MAX_TIMEOUT_S = 600;

const POSITIVE_INTEGER = /^[1-9]\d{0,8}$/;

/**
 * Checks one parsed record against the header's plan. Rows with extra cells are accepted when the extras are
 * empty (a trailing delimiter, as some exporters write); any other column count is an error, because the fields
 * could not be matched to their columns with any confidence.
 */
export function toContactItem(record: readonly string[], line: number, plan: ColumnPlan): ContactItem {
  if (record.length !== plan.width && !(record.length > plan.width && record.slice(plan.width).every(isBlank))) {
    return rowError(line, `expected ${plan.width} columns, found ${record.length}`);
  }
  const reasons: string[] = [];
  const number = normalizeNumber(record[plan.number] ?? '');
  if (!number.ok) reasons.push(number.reason);
  const refused = number.ok ? plan.destinations?.problem(number.number) : undefined;
  if (refused !== undefined) reasons.push(`column ${plan.number + 1} (number): ${refused}`);
  const row: ContactRow = { line, number: number.ok ? number.number : '', vars: {} };

  const text = (index: number | undefined): string | undefined => {
    const value = index === undefined ? undefined : record[index]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  // Excel's "keep as text" apostrophe, which our own report puts before a cell starting with + = - @: dropped, as it
  // is from the number, so an exported report can be imported again.
  const overrideText = (index: number | undefined): string | undefined => {
    const value = text(index);
    return value?.startsWith("'") ? value.slice(1).trim() || undefined : value;
  };
  const { known } = plan;
  for (const column of OVERRIDE_COLUMNS) {
    const value = overrideText(known[column]);
    const problem = value === undefined ? undefined : overrideCellProblem(column, value);
    if (problem !== undefined) reasons.push(`column ${known[column]! + 1} (${column}): ${problem}`);
  }
  const callerid = overrideText(known.callerid);
  if (callerid !== undefined) row.callerid = callerid;
  const context = overrideText(known.context);
  if (context !== undefined) row.context = context;
  const extension = overrideText(known.extension);
  if (extension !== undefined) row.extension = extension;

  const priority = overrideText(known.priority);
  if (priority !== undefined && POSITIVE_INTEGER.test(priority)) row.priority = Number(priority);
  const timeout = text(known.timeout);
  if (timeout !== undefined) {
    if (POSITIVE_INTEGER.test(timeout) && Number(timeout) <= MAX_TIMEOUT_S) row.timeout = Number(timeout);
    else reasons.push(`timeout "${timeout}" is not a whole number of seconds from 1 to ${MAX_TIMEOUT_S}`);
  }
  const timezone = text(known.timezone);
  if (timezone !== undefined) {
    const canonical = canonicalTimeZone(timezone);
    if (canonical !== undefined) row.timezone = canonical;
    else reasons.push(`timezone "${timezone}" is not an IANA time zone (e.g. Europe/Berlin)`);
  }

  const leadPriority = text(known.lead_priority);
  if (leadPriority !== undefined) {
    if (/^-?\d{1,7}$/.test(leadPriority)) row.leadPriority = Number(leadPriority);
    else reasons.push(`lead_priority "${leadPriority}" is not a whole number from -9999999 to 9999999`);
  }

  const message = text(known.message);
  if (message !== undefined) {
    try {
      row.message = parseMediaList(message, 'message');
    } catch (e) {
      reasons.push(`column ${known.message! + 1} (message): ${(e as Error).message.replace(/^message: /, '')}`);
    }
  }

  for (const { index, name } of plan.placeholders) {
    const problem = placeholderValueProblem(record[index] ?? '');
    if (problem !== undefined) reasons.push(`column ${index + 1} (${name}, used as {${name}} in the endpoint): ${problem}`);
  }

  if (reasons.length > 0) return rowError(line, reasons.join('; '));
  for (const { index, name } of plan.vars) row.vars[name] = record[index] ?? '';
  return { kind: 'row', row };
}

export function isBlank(cell: string): boolean {
  return cell.trim() === '';
}

function rowError(line: number, reason: string): ContactItem {
  return { kind: 'error', error: { line, reason } };
}
