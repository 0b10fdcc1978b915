import { planColumns, type ColumnPlan } from './contact-columns.js';
import { toContactItem, type ContactItem } from './contact-row.js';
import type { ContactsInput, ReadContactsInBatchesOptions } from './contacts.js';
import { CsvFormatError } from './csv-format-error.js';

/** How a contacts list is written: a CSV file, one JSON array of objects, or one JSON object per line (NDJSON). */
export type ContactsFormat = 'csv' | 'json' | 'ndjson';

const DEFAULT_MAX_ELEMENT_BYTES = 65_536;
const PLAN_CACHE = 64;

/**
 * Streams a JSON array (`[{"number": "+4930100", "name": "Ada"}, …]`) or NDJSON (one such object per line) into
 * checked rows, in batches, exactly as {@link readContactsInBatches} does for a CSV: each object is a row whose
 * fields are the CSV's columns (`number` or `phone`, `callerid`, `lead_priority`…, any other field a channel
 * variable), checked by the same `toContactItem`. A bad object is a row error naming its line and its JSON path
 * (`$[3]`, `$[3].name`); the body as a whole is refused (CsvFormatError) when it is not UTF-8, not an array, or an
 * object runs past `maxLineBytes`. Nothing is held beyond the object in hand, so any size of body streams.
 */
export async function* readJsonContactsInBatches(
  input: ContactsInput,
  format: 'json' | 'ndjson',
  options: ReadContactsInBatchesOptions = {},
): AsyncGenerator<ContactItem[], void, undefined> {
  const batchSize = options.batchSize ?? 1000;
  const plans = new Map<string, ColumnPlan | string>();
  let batch: ContactItem[] = [];
  let index = 0;
  const elements = format === 'json' ? arrayElements(input, options.maxLineBytes) : ndjsonLines(input, options.maxLineBytes);
  for await (const { text, line } of elements) {
    batch.push(objectItem(text, line, `$[${index++}]`, plans, options));
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
  if (index === 0) throw new CsvFormatError(format === 'json' ? 'the JSON array has no contacts' : 'the body has no contacts (one JSON object per line)');
}

/** One object checked as a CSV row would be; the row's fields in the object's key order. */
function objectItem(text: string, line: number, path: string, plans: Map<string, ColumnPlan | string>, o: ReadContactsInBatchesOptions): ContactItem {
  const fail = (reason: string, at = path): ContactItem => ({ kind: 'error', error: { line, path: at, reason: `${at}: ${reason}` } });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return fail(`not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('must be an object like {"number": "+4930100", "name": "Ada"}');
  const header: string[] = [];
  const record: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const cell = cellOf(k, v);
    if (cell === undefined)
      return fail(
        k.toLowerCase() === 'message' ? 'must be a string or a list of media URIs' : 'must be a string, a number, a boolean or null',
        `${path}${member(k)}`,
      );
    header.push(k);
    record.push(cell);
  }
  const signature = header.join('\u0000');
  let plan = plans.get(signature);
  if (plan === undefined) {
    try {
      plan = planColumns(header, line, {
        placeholderColumns: o.placeholderColumns,
        maxChannelVars: o.maxChannelVars,
        numberColumn: o.numberColumn,
        rowOverrides: o.rowOverrides,
        destinations: o.destinations,
      });
    } catch (err) {
      // What makes a CSV header unusable makes only this object so: said of its fields, not of a header line.
      plan = (err as Error).message
        .replace(/^line \d+: /, '')
        .replace(/\bcolumns?\b/g, (w) => (w === 'column' ? 'field' : 'fields'))
        .replace('the header has', 'the object has');
    }
    if (plans.size >= PLAN_CACHE) plans.clear();
    plans.set(signature, plan);
  }
  if (typeof plan === 'string') return fail(plan);
  const item = toContactItem(record, line, plan);
  return item.kind === 'error' ? fail(item.error.reason) : item;
}

function cellOf(key: string, v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return '';
  if (key.toLowerCase() === 'message' && Array.isArray(v) && v.every((m) => typeof m === 'string')) return v.join(',');
  return undefined;
}

const member = (k: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);

interface Element {
  text: string;
  /** 1-based line where it starts. */
  line: number;
}

/** UTF-8 text of the body, chunk by chunk; a byte sequence that is not UTF-8 refuses the body. */
async function* utf8(input: ContactsInput): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  try {
    for await (const chunk of input as AsyncIterable<Buffer | string | Uint8Array>) {
      yield typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    }
    yield decoder.decode();
  } catch (err) {
    if (err instanceof TypeError) throw new CsvFormatError('the body is not UTF-8 text', { cause: err });
    throw err;
  }
}

/** One JSON object per line; blank lines skipped. */
async function* ndjsonLines(input: ContactsInput, maxBytes = DEFAULT_MAX_ELEMENT_BYTES): AsyncGenerator<Element> {
  let rest = '';
  let line = 1;
  for await (const text of utf8(input)) {
    rest += text;
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const one = rest.slice(0, nl).trim();
      rest = rest.slice(nl + 1);
      if (one !== '') yield { text: one, line };
      line++;
    }
    if (rest.length > maxBytes) throw new CsvFormatError(`line ${line}: longer than ${maxBytes} characters`, { line });
  }
  if (rest.trim() !== '') yield { text: rest.trim(), line };
}

/**
 * The elements of one top-level JSON array, as text, cut where the depth returns to the array's (strings and their
 * escapes skipped); each is parsed on its own, so one broken element is one row error.
 */
async function* arrayElements(input: ContactsInput, maxBytes = DEFAULT_MAX_ELEMENT_BYTES): AsyncGenerator<Element> {
  let state: 'before' | 'between' | 'in' | 'after' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let line = 1;
  let start = 1;
  let buf = '';
  const refuse = (why: string): never => {
    throw new CsvFormatError(`line ${line}: ${why}`, { line });
  };
  for await (const text of utf8(input)) {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (state === 'in') {
        buf += ch;
        if (inString) {
          if (escaped) escaped = false;
          else if (ch === '\\') escaped = true;
          else if (ch === '"') inString = false;
        } else if (depth === 0 && (ch === ',' || ch === ']')) {
          // A bare value (a number, a string: not an object): handed over as it is, to be a row error.
          yield { text: buf.slice(0, -1), line: start };
          buf = '';
          state = ch === ',' ? 'between' : 'after';
        } else if (ch === '"') inString = true;
        else if (ch === '{' || ch === '[') depth++;
        else if ((ch === '}' || ch === ']') && --depth === 0) {
          yield { text: buf, line: start };
          buf = '';
          state = 'between';
        }
        if (buf.length > maxBytes) refuse(`an element runs past ${maxBytes} characters`);
      } else if (ch === '\n') {
        // counted below
      } else if (ch.trim() === '' || ch === '\ufeff') {
        // whitespace between tokens
      } else if (state === 'before') {
        if (ch !== '[') refuse('the body must be a JSON array of contacts ([{"number": …}, …]) or NDJSON');
        state = 'between';
      } else if (state === 'between') {
        if (ch === ',') continue;
        if (ch === ']') state = 'after';
        else {
          state = 'in';
          start = line;
          buf = ch;
          depth = ch === '{' || ch === '[' ? 1 : 0;
          inString = ch === '"';
        }
      } else refuse('text after the end of the array');
      if (ch === '\n') line++;
    }
  }
  if (state !== 'after') refuse(state === 'before' ? 'the body is empty' : 'the array never ends (no closing ])');
}
