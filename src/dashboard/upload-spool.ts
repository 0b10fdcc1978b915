import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Request } from 'express';
import { HttpError } from './http-error.js';
import { boundaryOf, MultipartReader, type PartSink } from './multipart.js';

/** An upload on disk, under a name we chose, with the options that came with it. Call `cleanup` when done. */
export interface SpooledUpload {
  path: string;
  bytes: number;
  /** The `options` form field (JSON text), when the upload was multipart. */
  optionsText?: string;
  /** The browser's file name, for a default campaign name only (never used as a path). */
  filename?: string;
  cleanup(): Promise<void>;
}

export interface SpoolOptions {
  /** Largest request body accepted. */
  maxBytes: number;
  /** Where temp folders go. @defaultValue os.tmpdir() */
  dir?: string;
  /** Content types taken as the body itself (a contacts list as JSON or NDJSON). @defaultValue the CSV types */
  types?: ReadonlySet<string>;
}

const CSV_TYPES = new Set([
  'text/csv',
  'application/csv',
  'text/plain',
  'text/tab-separated-values',
  'application/vnd.ms-excel',
  'application/octet-stream',
  '',
]);
const MAX_FIELD_BYTES = 64 * 1024;
/** After the limit is hit, the rest of the body is read and dropped (so the client sees the 413) up to this much. */
const MAX_DISCARD_BYTES = 16 * 1024 * 1024;

/**
 * Streams an upload into a fresh private temp folder: `text/csv` bodies as they are, `multipart/form-data` with a
 * `file` part and an `options` field. The body is counted as it arrives; past `maxBytes` the file is dropped and
 * a 413 is thrown. What the file holds (UTF-8 text, not a spreadsheet, sane lines) is checked by the CSV reader.
 */
export async function spoolUpload(req: Request, opts: SpoolOptions): Promise<SpooledUpload> {
  const rawType = req.headers['content-type'] ?? '';
  const type = rawType.toLowerCase();
  const isMultipart = type.startsWith('multipart/form-data');
  const mime = type.split(';')[0]!.trim();
  if (!isMultipart && !(opts.types ?? CSV_TYPES).has(mime)) {
    throw new HttpError(
      'UNSUPPORTED_MEDIA_TYPE',
      `send the CSV as multipart/form-data (a "file" part) or as a text/csv body, not ${mime || 'an untyped body'}`,
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > opts.maxBytes + MAX_DISCARD_BYTES) {
    throw tooLarge(opts.maxBytes); // not worth reading: the response closes the connection
  }
  const dir = await mkdtemp(join(opts.dir ?? tmpdir(), 'ari-dialer-upload-'));
  const path = join(dir, 'contacts.csv');
  const cleanup = () => rm(dir, { recursive: true, force: true });
  let fh: FileHandle | undefined;
  try {
    fh = await open(path, 'wx', 0o600);
    const file = fh;
    let received = 0;
    let sawFile = !isMultipart;
    let filename: string | undefined;
    let optionsText: string | undefined;
    let reader: MultipartReader | undefined;
    if (isMultipart) {
      // The boundary is case-sensitive: taken from the header as sent.
      reader = new MultipartReader(boundaryOf(rawType), (part): PartSink => {
        if (part.filename !== undefined) {
          if (part.name !== 'file') throw new HttpError('BAD_REQUEST', `unexpected file field ${JSON.stringify(part.name)}: the CSV goes in "file"`);
          if (sawFile) throw new HttpError('BAD_REQUEST', 'one CSV file per upload');
          if (!CSV_TYPES.has(part.contentType.split(';')[0]!.trim())) {
            throw new HttpError('UNSUPPORTED_MEDIA_TYPE', `the file is ${part.contentType}, not a CSV`);
          }
          sawFile = true;
          filename = part.filename;
          return { data: async (c) => void (await file.write(c)), end: () => undefined };
        }
        let text = '';
        return {
          data: (c) => {
            text += c.toString('utf8');
            if (text.length > MAX_FIELD_BYTES) throw new HttpError('BAD_REQUEST', `form field ${JSON.stringify(part.name)} is too long`);
          },
          end: () => {
            if (part.name === 'options') optionsText = text;
          },
        };
      });
    }
    const it: AsyncIterator<Buffer, undefined> = req[Symbol.asyncIterator]();
    for (;;) {
      const { value, done } = await it.next();
      if (done) break;
      received += value.length;
      if (received > opts.maxBytes) {
        await discardRest(it, received, opts.maxBytes);
        throw tooLarge(opts.maxBytes);
      }
      if (reader) await reader.write(value);
      else await file.write(value);
    }
    reader?.finish();
    if (!sawFile) throw new HttpError('BAD_REQUEST', 'no file in the upload: send the CSV in a "file" field');
    const bytes = (await file.stat()).size;
    if (bytes === 0) throw new HttpError('BAD_CSV', 'the file is empty');
    await file.close();
    fh = undefined;
    return { path, bytes, ...(optionsText !== undefined ? { optionsText } : {}), ...(filename ? { filename } : {}), cleanup };
  } catch (err) {
    await fh?.close().catch(() => undefined);
    await cleanup();
    throw err;
  }
}

async function discardRest(it: AsyncIterator<Buffer, undefined>, received: number, max: number): Promise<void> {
  let n = received;
  while (n <= max + MAX_DISCARD_BYTES) {
    const { value, done } = await it.next();
    if (done) return;
    n += value.length;
  }
}

function tooLarge(max: number): HttpError {
  return new HttpError('PAYLOAD_TOO_LARGE', `upload larger than ${megabytes(max)}, the largest this dashboard accepts`, { limit: max });
}

/** 52428800 → "50 MB" (binary megabytes, as file managers show them; one decimal under 10). */
export function megabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${mb < 10 ? Math.round(mb * 10) / 10 : Math.round(mb)} MB`;
}
