/** The delimiters a contacts file may use: `,` (RFC 4180), `;` (Excel where `,` is the decimal mark), tab (TSV). */
export type CsvDelimiter = ',' | ';' | '\t';

const CANDIDATES: readonly CsvDelimiter[] = [',', ';', '\t'];

export interface SniffResult {
  delimiter: CsvDelimiter;
  /** Whether the text held the header and the line after it (or was the whole file): more text cannot change it. */
  complete: boolean;
  /** The first line is Excel's `sep=;` hint naming the delimiter: it is not the header and must be skipped. */
  sepLine: boolean;
}

/** Excel writes and reads a first line `sep=X` to say which delimiter follows, whatever the locale. */
const SEP_LINE = /^sep=(,|;|\t)$/i;

/**
 * Guesses the delimiter from the start of a file: the candidate that occurs most often outside quotes in the
 * header line. When a data line follows, candidates whose count differs on it are passed over, because in a
 * well-formed file every line splits the same way: "Name, first;Phone" then "Ann;+4930..." is `;`, not `,`.
 * Ties go to `,`, then `;`, then tab. A header without any candidate is one column: any delimiter reads it, `,`.
 * An Excel `sep=X` first line settles the question outright.
 */
export function sniffDelimiter(text: string, final = false): SniffResult {
  const lines = firstLines(text, 2, final);
  const sep = lines[0] === undefined ? null : SEP_LINE.exec(lines[0]);
  if (sep !== null) return { delimiter: sep[1] as CsvDelimiter, complete: true, sepLine: true };
  const header = lines[0];
  if (header === undefined) return { delimiter: ',', complete: final, sepLine: false };
  const next = lines[1];
  let best: CsvDelimiter = ',';
  let bestScore = -1;
  for (const candidate of CANDIDATES) {
    const count = countOutsideQuotes(header, candidate);
    if (count === 0) continue;
    const consistent = next === undefined || countOutsideQuotes(next, candidate) === count;
    // Consistency outranks frequency: any consistent candidate beats every inconsistent one.
    const score = (consistent ? 1_000_000 : 0) + count;
    if (score > bestScore) {
      best = candidate;
      bestScore = score;
    }
  }
  return { delimiter: best, complete: final || next !== undefined, sepLine: false };
}

/**
 * Up to `max` non-blank lines from the start of `text`, a line break inside double quotes not ending one. Without
 * `final`, a last line not yet ended by a break is left out: the rest of it may still be coming.
 */
function firstLines(text: string, max: number, final: boolean): string[] {
  const out: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < text.length && out.length < max; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) {
      const line = text.slice(start, i);
      if (line.trim() !== '') out.push(line);
      start = i + 1;
    }
  }
  if (final && out.length < max) {
    const rest = text.slice(start);
    if (rest.trim() !== '') out.push(rest);
  }
  return out;
}

function countOutsideQuotes(line: string, delimiter: CsvDelimiter): number {
  let count = 0;
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === delimiter) count++;
  }
  return count;
}
