import type { Readable } from 'node:stream';
import { request } from 'undici';
import { ariCredentials, parseAriUrl } from './ari-url.js';
import { AriAuthError, AriHttpError, AriUnreachableError, ariMessageOf } from './errors.js';

/** Where a stored recording is fetched from: one Asterisk's ARI, with its credentials (never shown). */
export interface RecordingSource {
  /** ARI base URL, http.conf prefix included. */
  url: string;
  user?: string;
  password?: string;
}

/**
 * Where each Asterisk's recordings are, by the name results carry (`recording.asterisk`: the config file's
 * `asterisks` name, `default` for ARI_URL). Undefined for a name this process does not know.
 */
export type RecordingSources = (asterisk: string) => RecordingSource | undefined;

/** An open `GET /recordings/stored/{name}/file`: status, the headers that matter, and the body to stream. */
export interface RecordingFile {
  status: number;
  contentType: string | undefined;
  contentLength: number | undefined;
  contentRange: string | undefined;
  body: Readable;
}

/**
 * Opens a stored recording's file on Asterisk. `range` is passed on as is: Asterisk itself answers 200 with the
 * whole file (main/http.c has no 206), a proxy in front of it may honour it. A connection of its own (not the call
 * pool's), so a long download never holds up an originate. 404 and other ARI errors are thrown typed.
 */
export async function openRecordingFile(
  src: RecordingSource,
  name: string,
  opts: { range?: string; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<RecordingFile> {
  const url = parseAriUrl(src.url);
  const { user, authorization } = ariCredentials(url, src.user, src.password);
  const path = `${url.basePath}/recordings/stored/${encodeURIComponent(name)}/file`;
  const headers: Record<string, string> = { authorization };
  if (opts.range) headers.range = opts.range;
  let res;
  try {
    res = await request(url.origin + path, {
      method: 'GET',
      headers,
      headersTimeout: opts.timeoutMs ?? 10_000,
      bodyTimeout: opts.timeoutMs ?? 30_000,
      signal: opts.signal,
    });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    throw new AriUnreachableError(url.display, e.code ?? e.message ?? String(err), { cause: err, mayHaveArrived: false });
  }
  const status = res.statusCode;
  if (status === 401) {
    await res.body.dump();
    throw new AriAuthError(user, 'GET', path);
  }
  if (status >= 400) {
    const text = await res.body.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: the status says it */
    }
    throw new AriHttpError(status, ariMessageOf(body) ?? `HTTP ${status}`, 'GET', `/recordings/stored/${name}/file`);
  }
  const header = (k: string): string | undefined => {
    const v = res.headers[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const length = header('content-length');
  return {
    status,
    contentType: header('content-type'),
    contentLength: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
    contentRange: header('content-range'),
    body: res.body,
  };
}

/**
 * `DELETE /recordings/stored/{name}`: true when deleted, false when Asterisk has no such recording (404: deleted
 * before, or never written). Other failures are thrown typed, for the caller to report and try again later.
 */
export async function deleteRecordingFile(src: RecordingSource, name: string, timeoutMs = 10_000): Promise<boolean> {
  const url = parseAriUrl(src.url);
  const { user, authorization } = ariCredentials(url, src.user, src.password);
  const path = `${url.basePath}/recordings/stored/${encodeURIComponent(name)}`;
  let res;
  try {
    res = await request(url.origin + path, { method: 'DELETE', headers: { authorization }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    throw new AriUnreachableError(url.display, e.code ?? e.message ?? String(err), { cause: err, mayHaveArrived: true });
  }
  const text = await res.body.text();
  if (res.statusCode === 401) throw new AriAuthError(user, 'DELETE', path);
  if (res.statusCode === 404) return false;
  if (res.statusCode >= 400) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      /* not JSON: the status says it */
    }
    throw new AriHttpError(res.statusCode, ariMessageOf(body) ?? `HTTP ${res.statusCode}`, 'DELETE', `/recordings/stored/${name}`);
  }
  return true;
}
