import { isUtf8 } from 'node:buffer';
import { CsvFormatError } from './csv-format-error.js';
import { firstInvalidUtf8, incompleteTailLength } from './utf8.js';

/**
 * The byte-level checks that run before any CSV parsing, so that the parser only ever sees UTF-8 text of bounded
 * line length: a wrong file fails fast with a message a user can act on instead of a wall of bad rows, and an
 * oversized line fails before it is buffered.
 */
export interface CsvTextGuardOptions {
  /** Longest physical line accepted, in bytes, terminator excluded. */
  maxLineBytes: number;
}

const CR = 0x0d;
const LF = 0x0a;

/** The first bytes of formats people upload by mistake, with a hint that tells them what to do instead. */
const MAGIC: ReadonlyArray<{ bytes: readonly number[]; hint: string }> = [
  { bytes: [0x50, 0x4b, 0x03, 0x04], hint: 'a ZIP archive, e.g. an Excel .xlsx workbook: export it as "CSV UTF-8"' },
  { bytes: [0xd0, 0xcf, 0x11, 0xe0], hint: 'an old Excel .xls workbook: export it as "CSV UTF-8"' },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], hint: 'a PDF document' },
  { bytes: [0x1f, 0x8b], hint: 'gzip-compressed: decompress it first' },
];

/** How much of the start is judged for "mostly not text" (git looks at 8000 bytes for the same decision). */
const SAMPLE_BYTES = 8000;

/**
 * Checks and passes on the bytes of a CSV file: strips a UTF-8 BOM, rejects binary files, UTF-16 and other
 * non-UTF-8 text, and lines longer than `maxLineBytes`. Throws {@link CsvFormatError} naming the line.
 * Chunks come out validated, never split inside a UTF-8 sequence.
 */
export async function* guardCsvText(input: AsyncIterable<Buffer | string | Uint8Array>, options: CsvTextGuardOptions): AsyncGenerator<Buffer, void, undefined> {
  const lines = new LineTracker(options.maxLineBytes);
  let head: Buffer | undefined = Buffer.alloc(0); // bytes held until the start of the file has been judged
  let carry: Buffer = Buffer.alloc(0); // an incomplete UTF-8 sequence waiting for the next chunk

  const check = (bytes: Buffer): Buffer => {
    const joined = carry.length === 0 ? bytes : Buffer.concat([carry, bytes]);
    const keep = incompleteTailLength(joined);
    const complete = keep === 0 ? joined : joined.subarray(0, joined.length - keep);
    carry = Buffer.from(joined.subarray(joined.length - keep));
    scan(complete, lines);
    return complete;
  };

  for await (const piece of input) {
    const bytes = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    if (bytes.length === 0) continue;
    if (head !== undefined) {
      head = Buffer.concat([head, bytes]);
      if (head.length < SAMPLE_BYTES) continue;
      const body = judgeStart(head);
      head = undefined;
      const out = check(body);
      if (out.length > 0) yield out;
      continue;
    }
    const out = check(bytes);
    if (out.length > 0) yield out;
  }
  if (head !== undefined) {
    const out = check(judgeStart(head));
    if (out.length > 0) yield out;
  }
  if (carry.length > 0) throw notUtf8(lines.line);
}

/** Decides from the first bytes whether this can be UTF-8 text at all; returns them without a UTF-8 BOM. */
function judgeStart(head: Buffer): Buffer {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return head.subarray(3);
  for (const { bytes, hint } of MAGIC) {
    if (bytes.every((byte, i) => head[i] === byte)) {
      throw new CsvFormatError(`looks like a binary file, not CSV (${hint})`);
    }
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff) || looksLikeUtf16(head)) {
    throw new CsvFormatError('the file is UTF-16 text, not UTF-8; save it as "CSV UTF-8"');
  }
  const sample = head.subarray(0, SAMPLE_BYTES);
  // A NUL at the very start means a binary format; one further down is reported with its line by the scan.
  if (sample.includes(0)) throw new CsvFormatError('looks like a binary file, not CSV');
  let control = 0;
  let high = 0;
  for (const byte of sample) {
    if ((byte > 0 && byte < 0x20 && byte !== 0x09 && byte !== LF && byte !== CR && byte !== 0x0c) || byte === 0x7f) {
      control++;
    } else if (byte >= 0x80) high++;
  }
  // Text in any 8-bit encoding has few control characters; Latin-1 has some high bytes but rarely a third of them.
  const complete = sample.subarray(0, sample.length - incompleteTailLength(sample));
  const textLike = control <= sample.length * 0.1 && (high <= sample.length * 0.3 || isUtf8(complete));
  if (!textLike) throw new CsvFormatError('looks like a binary file, not CSV');
  return head;
}

/** UTF-16 without a byte-order mark: ASCII text then has a NUL in every other byte. */
function looksLikeUtf16(head: Buffer): boolean {
  const pairs = Math.min(head.length >> 1, SAMPLE_BYTES >> 1);
  if (pairs < 2) return false;
  let even = 0;
  let odd = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) even++;
    if (head[2 * i + 1] === 0) odd++;
  }
  return (odd >= pairs * 0.4 && even === 0) || (even >= pairs * 0.4 && odd === 0);
}

/** Checks one validated-length chunk in order, so the first problem in the file is the one reported. */
function scan(bytes: Buffer, lines: LineTracker): void {
  const nul = bytes.indexOf(0);
  const badUtf8 = isUtf8(bytes) ? -1 : firstInvalidUtf8(bytes);
  const stop = Math.min(nul === -1 ? bytes.length : nul, badUtf8 === -1 ? bytes.length : badUtf8);
  lines.advance(bytes, stop); // throws first if a line grew too long before the bad byte
  if (stop === nul) {
    const { line } = lines;
    throw new CsvFormatError(`looks like a binary file, not CSV (line ${line} has a NUL byte)`, { line });
  }
  if (stop === badUtf8) throw notUtf8(lines.line);
}

function notUtf8(line: number): CsvFormatError {
  // Any invalid byte in a file that passed the binary sniff is almost always an accented letter saved by Excel or
  // an old system in Windows-1252/Latin-1: say so, since "not UTF-8" alone leaves users guessing.
  return new CsvFormatError(`the file is not UTF-8 (line ${line}); save it as UTF-8 — it looks like Latin-1/Windows-1252`, { line });
}

/**
 * Counts physical lines the way users see them (CRLF, LF and a lone CR each end one) and enforces the
 * line-length limit while bytes stream past.
 */
class LineTracker {
  /** 1-based number of the line the next byte belongs to. */
  line = 1;
  private lineBytes = 0;
  private afterCR = false;

  constructor(private readonly maxLineBytes: number) {}

  advance(bytes: Buffer, end: number): void {
    let pos = 0;
    let nextLF = -2; // -2: not looked up yet for this chunk
    let nextCR = -2;
    while (pos < end) {
      if (this.afterCR) {
        this.afterCR = false;
        if (bytes[pos] === LF) {
          pos++;
          continue;
        }
      }
      if (nextLF !== -1 && nextLF < pos) nextLF = bytes.indexOf(LF, pos);
      if (nextCR !== -1 && nextCR < pos) nextCR = bytes.indexOf(CR, pos);
      let brk = nextLF === -1 ? nextCR : nextCR === -1 ? nextLF : Math.min(nextLF, nextCR);
      if (brk === -1 || brk >= end) brk = end;
      this.lineBytes += brk - pos;
      if (this.lineBytes > this.maxLineBytes) {
        throw new CsvFormatError(`line ${this.line} is longer than ${this.maxLineBytes} bytes`, { line: this.line });
      }
      if (brk === end) return;
      this.afterCR = bytes[brk] === CR;
      this.line++;
      this.lineBytes = 0;
      pos = brk + 1;
    }
  }
}
