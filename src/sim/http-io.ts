/**
 * HTTP plumbing shaped like Asterisk's HTTP server (main/http.c, res/res_ari.c): its headers, its JSON error bodies
 * (`{"message": ...}`), its HTML error pages for errors raised below ARI, and ari.conf authentication.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

export const ASTERISK_VERSION = '20.20.1';
const SERVER_HEADER = `Asterisk/${ASTERISK_VERSION}`;
/** ari.conf `auth_realm` default. */
const AUTH_REALM = 'Asterisk REST Interface';
/** Larger bodies are refused by Asterisk with 413. */
const MAX_BODY_BYTES = 1024 * 1024;

/** What a REST handler answers; the server writes it (perhaps after a simulated delay). */
export interface RestResult {
  status: number;
  /** JSON body; undefined for an empty body (204). */
  body?: unknown;
  headers?: Record<string, string>;
  /** A file instead of JSON (GET /recordings/stored/{name}/file): its type, length and bytes. */
  file?: { contentType: string; length: number; open(): Readable };
}

const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  422: 'Unprocessable Entity',
  426: 'Upgrade Required',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Unknown';
}

/** An ARI error: `{"message": ...}` with the status. */
export function ariError(status: number, message: string): RestResult {
  return { status, body: { message } };
}

/** ast_ari_response_alloc_failed: the one ARI error whose key is `error`, not `message`. */
export const ALLOCATION_FAILED: RestResult = { status: 500, body: { error: 'Allocation failed' } };

export const NO_CONTENT: RestResult = { status: 204 };

export function ok(body: unknown): RestResult {
  return { status: 200, body };
}

export function writeResult(res: ServerResponse, result: RestResult): void {
  if (res.destroyed || res.headersSent) return;
  if (result.file) return writeFile(res, result.status, result.file, result.headers);
  const payload = result.body === undefined ? '' : JSON.stringify(result.body);
  const headers: Record<string, string | number> = {
    Server: SERVER_HEADER,
    'Cache-Control': 'no-cache, no-store',
    ...result.headers,
    'Content-Length': Buffer.byteLength(payload),
  };
  if (payload) headers['Content-Type'] = 'application/json';
  res.writeHead(result.status, reasonPhrase(result.status), headers);
  res.end(payload);
}

/** A file as res_ari.c sends one (message null, an fd): no Content-Type of JSON, the length from the file. */
function writeFile(res: ServerResponse, status: number, file: NonNullable<RestResult['file']>, extra?: Record<string, string>): void {
  res.writeHead(status, reasonPhrase(status), {
    Server: SERVER_HEADER,
    'Cache-Control': 'no-cache, no-store',
    ...extra,
    'Content-Type': file.contentType,
    'Content-Length': file.length,
  });
  if (res.req.method === 'HEAD') return void res.end();
  const body = file.open();
  body.on('error', () => res.destroy());
  res.on('close', () => body.destroy());
  body.pipe(res);
}

/** The HTML page `ast_http_error()` produces, for errors raised by the HTTP server rather than by ARI. */
export function htmlErrorPage(status: number, text: string): string {
  const title = reasonPhrase(status);
  return (
    '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\r\n<html><head>\r\n' +
    `<title>${status} ${title}</title>\r\n</head><body>\r\n<h1>${title}</h1>\r\n<p>${escapeHtml(text)}</p>\r\n` +
    `<hr />\r\n<address>${SERVER_HEADER}</address>\r\n</body></html>\r\n`
  );
}

/** `close`: the server ends the connection after this answer (http.c does after errors that abort a request). */
export function writeHtmlError(res: ServerResponse, status: number, text: string, options: { close?: boolean } = {}): void {
  const page = htmlErrorPage(status, text);
  res.writeHead(status, reasonPhrase(status), {
    Server: SERVER_HEADER,
    'Content-Type': 'text/html',
    'Content-Length': Buffer.byteLength(page),
    ...(options.close ? { Connection: 'close' } : {}),
  });
  res.end(page);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A complete raw HTTP response, for answering an upgrade request on its bare socket. */
export function rawResponse(status: number, contentType: string, body: string, extra: Record<string, string> = {}): string {
  const headers = {
    Server: SERVER_HEADER,
    'Cache-Control': 'no-cache, no-store',
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(body)),
    Connection: 'close',
    ...extra,
  };
  const lines = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/** 401 as ARI sends it, challenge included. */
export const UNAUTHORIZED: RestResult = {
  status: 401,
  body: { message: 'Authentication required' },
  headers: { 'WWW-Authenticate': `Basic realm="${AUTH_REALM}"` },
};

/**
 * ari.conf users: HTTP Basic first, else `api_key=user:pass` in the query string (res_ari.c tries both, in this
 * order). Returns the user name, or undefined when neither matches.
 */
export function authenticate(req: IncomingMessage, query: URLSearchParams, users: Readonly<Record<string, string>>): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0 && check(users, decoded.slice(0, colon), decoded.slice(colon + 1))) return decoded.slice(0, colon);
    return undefined;
  }
  const apiKey = query.get('api_key');
  if (apiKey) {
    const colon = apiKey.indexOf(':');
    if (colon > 0 && check(users, apiKey.slice(0, colon), apiKey.slice(colon + 1))) return apiKey.slice(0, colon);
  }
  return undefined;
}

function check(users: Readonly<Record<string, string>>, user: string, password: string): boolean {
  return Object.hasOwn(users, user) && users[user] === password;
}

/** Reads a request body; rejects past Asterisk's size limit. */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export class BodyTooLarge extends Error {
  readonly code = 'BODY_TOO_LARGE';
}
