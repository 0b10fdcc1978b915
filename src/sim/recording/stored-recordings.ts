import { Readable } from 'node:stream';
import { fileBytes, type AudioFormat } from './audio-formats.js';

/** One file in Asterisk's recording directory (astspooldir/recording). */
export interface StoredRecordingEntry {
  readonly name: string;
  readonly format: AudioFormat;
  /** Audio written, in ms (real time: as long as the call lasted for its client, whatever the time scale). */
  readonly durationMs: number;
  /** When the file was last written (real ms since epoch). */
  readonly writtenAt: number;
}

/** What GET /recordings/stored/{name}/file streams. */
export interface StoredFile {
  readonly contentType: string;
  readonly length: number;
  open(): Readable;
}

const CHUNK = 64 * 1024;

/**
 * The simulated recording directory. It keeps what each file holds (format and length) and renders the bytes when
 * one is read: a real WAV (or raw, or GSM) file of the recording's duration, without thousands of files on disk
 * during a benchmark. Like the directory itself it survives an Asterisk restart.
 */
export class StoredRecordings {
  private readonly files = new Map<string, StoredRecordingEntry>();
  /** The disk is full: recordings start, but no file is written (see SimRecordingFaults.diskFull). */
  diskFull = false;

  /** A finished recording is written; `ifExists=overwrite` replaces a file of the same name. */
  write(name: string, format: AudioFormat, durationMs: number): boolean {
    if (this.diskFull) return false;
    this.files.set(name, { name, format, durationMs, writtenAt: Date.now() });
    return true;
  }

  has(name: string): boolean {
    return this.files.has(name);
  }

  get(name: string): StoredRecordingEntry | undefined {
    return this.files.get(name);
  }

  delete(name: string): boolean {
    return this.files.delete(name);
  }

  /** The StoredRecording models, as GET /recordings/stored lists them. */
  list(): Array<{ name: string; format: string }> {
    return [...this.files.values()].map(toJson);
  }

  /** The file's bytes, streamed in chunks (a four-hour WAV is 230 MB: never built at once). */
  file(name: string): StoredFile | undefined {
    const entry = this.files.get(name);
    if (!entry) return undefined;
    const { format, durationMs } = entry;
    const length = fileBytes(format, durationMs);
    return {
      contentType: `audio/${format.ext}`,
      length,
      open: () => Readable.from(chunks(format, durationMs, length)),
    };
  }
}

export function toJson(e: StoredRecordingEntry): { name: string; format: string } {
  return { name: e.name, format: e.format.name };
}

function* chunks(format: AudioFormat, durationMs: number, length: number): Generator<Buffer> {
  for (let at = 0; at < length; at += CHUNK) yield format.render(durationMs, at, Math.min(CHUNK, length - at));
}
