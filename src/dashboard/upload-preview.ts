import type { Readable } from 'node:stream';
import { planColumns, type ColumnPlan } from '../campaign/import/contact-columns.js';
import { readContacts } from '../campaign/import/contacts.js';
import { readOptions } from '../campaign/import/import-contacts.js';
import { parseSettings } from '../policy/campaign-settings.js';

/** What one column of the file is used for. */
export interface ColumnUse {
  /** The header as in the file. */
  name: string;
  role: 'number' | 'callerid' | 'context' | 'extension' | 'priority' | 'timeout' | 'timezone' | 'variable';
  /** For a variable: its channel variable name (letters, digits, `_`). */
  variable?: string;
  /** For a variable: it fills `{name}` in the endpoint template. */
  placeholder?: true;
}

/** A data row as it will be dialed, or why it will not be. */
export interface SampleRow {
  line: number;
  number?: string;
  callerid?: string;
  vars?: Record<string, string>;
  error?: string;
}

export interface FilePeek {
  /** The header row as in the file (also when it has no usable number column). */
  header?: string[];
  /** Each column and its use; absent when the header cannot be planned (no number column). */
  columns?: ColumnUse[];
  sample: SampleRow[];
}

export const SAMPLE_ROWS = 5;

/**
 * The first rows of an upload read exactly as the import will read them (same reader, same settings), and what
 * each column feeds. Errors of the file as a whole are the caller's (the full preview reports them).
 */
export async function peekFile(open: () => Readable, rawSettings: unknown): Promise<FilePeek> {
  const settings = parseSettings(rawSettings);
  const opts = readOptions({}, settings);
  let header: string[] | undefined;
  let line = 1;
  const sample: SampleRow[] = [];
  const input = open();
  try {
    for await (const item of readContacts(input, { ...opts, onHeader: (h, l) => ((header = [...h]), (line = l)) })) {
      if (item.kind === 'row') {
        const r = item.row;
        sample.push({ line: r.line, number: r.number, ...(r.callerid ? { callerid: r.callerid } : {}), vars: r.vars });
      } else sample.push({ line: item.error.line, error: item.error.reason });
      if (sample.length >= SAMPLE_ROWS) break;
    }
  } catch {
    // The whole-file problem (no number column, binary, ...) is reported by the preview itself.
  } finally {
    input.destroy();
  }
  if (!header) return { sample };
  let plan: ColumnPlan;
  try {
    plan = planColumns(header, line, { placeholderColumns: opts.placeholderColumns, numberColumn: opts.numberColumn, rowOverrides: opts.rowOverrides });
  } catch {
    return { header, sample };
  }
  return { header, columns: columnUses(header, plan), sample };
}

function columnUses(header: readonly string[], plan: ColumnPlan): ColumnUse[] {
  const uses: ColumnUse[] = header.map((name) => ({ name: name.trim(), role: 'variable' }));
  uses[plan.number] = { name: header[plan.number]!.trim(), role: 'number' };
  for (const [role, index] of Object.entries(plan.known)) uses[index] = { name: header[index]!.trim(), role: role as ColumnUse['role'] };
  const placeholders = new Set(plan.placeholders.map((p) => p.index));
  for (const v of plan.vars)
    uses[v.index] = { name: header[v.index]!.trim(), role: 'variable', variable: v.name, ...(placeholders.has(v.index) ? { placeholder: true as const } : {}) };
  return uses;
}
