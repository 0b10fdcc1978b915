import { HttpError } from './http-error.js';

/** One part's headers, as the browser sent them (untrusted: only used to route the bytes). */
export interface PartInfo {
  name: string;
  /** Present for file inputs (possibly empty when no file was picked). */
  filename?: string;
  contentType: string;
}

/** Receives a part's bytes as they arrive; `end` when the part is complete. Awaited, so a slow disk slows the reader. */
export interface PartSink {
  data(chunk: Buffer): Promise<void> | void;
  end(): Promise<void> | void;
}

const MAX_HEADER_BYTES = 16 * 1024;
const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

/** The boundary of a `multipart/form-data` content type, checked as RFC 2046 allows (1..70 characters). */
export function boundaryOf(contentType: string): string {
  const m = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  if (!b) throw new HttpError('BAD_REQUEST', 'multipart body without a valid boundary');
  return b;
}

/**
 * A streaming `multipart/form-data` reader: parts are handed to `onPart` as they start and their bytes are passed
 * on without buffering the part (a 50 MB CSV never sits in memory). Only what the upload needs: no nested
 * multiparts, no transfer encodings other than binary/8bit (what browsers send).
 */
export class MultipartReader {
  private readonly delimiter: Buffer;
  private buf: Buffer;
  private state: 'preamble' | 'after-delimiter' | 'headers' | 'body' | 'done' = 'preamble';
  private sink: PartSink | undefined;

  constructor(
    boundary: string,
    private readonly onPart: (info: PartInfo) => PartSink,
  ) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
    // The first delimiter has no CRLF before it; pretend it had, so every delimiter looks the same.
    this.buf = Buffer.from(CRLF);
  }

  get done(): boolean {
    return this.state === 'done';
  }

  async write(chunk: Buffer): Promise<void> {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (this.state === 'done') {
        this.buf = Buffer.alloc(0); // the epilogue is ignored
        return;
      }
      if (this.state === 'preamble') {
        const at = this.buf.indexOf(this.delimiter);
        if (at < 0) {
          this.buf = this.buf.subarray(Math.max(0, this.buf.length - this.delimiter.length + 1));
          return;
        }
        this.buf = this.buf.subarray(at + this.delimiter.length);
        this.state = 'after-delimiter';
      } else if (this.state === 'after-delimiter') {
        if (this.buf.length < 2) return;
        if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) {
          this.state = 'done';
          continue;
        }
        // Transport padding (spaces, tabs) may follow the boundary before its CRLF.
        const eol = this.buf.indexOf(CRLF);
        if (eol < 0) {
          if (this.buf.length > 256) throw new HttpError('BAD_REQUEST', 'malformed multipart body: boundary line too long');
          return;
        }
        if (this.buf.subarray(0, eol).toString('latin1').trim() !== '') throw new HttpError('BAD_REQUEST', 'malformed multipart body after a boundary');
        this.buf = this.buf.subarray(eol + 2);
        this.state = 'headers';
      } else if (this.state === 'headers') {
        // A part with no headers starts with the blank line at once.
        const at = this.buf.subarray(0, 2).equals(CRLF) ? -2 : this.buf.indexOf(HEADER_END);
        if (at === -1) {
          if (this.buf.length > MAX_HEADER_BYTES) throw new HttpError('BAD_REQUEST', 'multipart part headers too long');
          return;
        }
        const head = at === -2 ? '' : this.buf.subarray(0, at).toString('utf8');
        this.buf = this.buf.subarray(at === -2 ? 2 : at + 4);
        this.sink = this.onPart(parsePartHeaders(head));
        this.state = 'body';
      } else {
        const at = this.buf.indexOf(this.delimiter);
        if (at < 0) {
          // Keep a tail that could be the start of a delimiter split across chunks.
          const keep = Math.min(this.buf.length, this.delimiter.length - 1);
          const out = this.buf.subarray(0, this.buf.length - keep);
          this.buf = Buffer.from(this.buf.subarray(this.buf.length - keep));
          if (out.length) await this.sink!.data(out);
          return;
        }
        if (at > 0) await this.sink!.data(this.buf.subarray(0, at));
        await this.sink!.end();
        this.sink = undefined;
        this.buf = this.buf.subarray(at + this.delimiter.length);
        this.state = 'after-delimiter';
      }
    }
  }

  /** The body ended: anything but a closed last part is a truncated upload. */
  finish(): void {
    if (this.state !== 'done') throw new HttpError('BAD_REQUEST', 'multipart body ended before its closing boundary');
  }
}

function parsePartHeaders(head: string): PartInfo {
  let disposition = '';
  let contentType = '';
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') disposition = value;
    else if (key === 'content-type') contentType = value.toLowerCase();
  }
  if (!/^form-data\b/i.test(disposition)) throw new HttpError('BAD_REQUEST', 'multipart part without Content-Disposition: form-data');
  const name = param(disposition, 'name');
  if (name === undefined) throw new HttpError('BAD_REQUEST', 'multipart part without a name');
  const filename = param(disposition, 'filename');
  return { name, ...(filename !== undefined ? { filename } : {}), contentType };
}

function param(header: string, key: string): string | undefined {
  const m = new RegExp(`;\\s*${key}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s]*))`, 'i').exec(header);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2];
}
