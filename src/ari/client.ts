import { Pool, errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';
import { silentLogger, type Logger } from '../log.js';
import { ariCredentials, parseAriUrl, type AriUrl } from './ari-url.js';
import { AriAuthError, AriHttpError, AriNotAriError, AriTimeoutError, AriUnreachableError, NEVER_CONNECTED_CODES, ariMessageOf } from './errors.js';
import type { Application, AsteriskInfo, Channel, LiveRecording, StoredRecording } from './types.generated.js';

export interface AriClientOptions {
  /** Base URL, with the http.conf prefix if any: `http://127.0.0.1:8088/ari`. */
  url: string;
  /** ari.conf user. @defaultValue taken from the URL if it carries one */
  user?: string;
  password?: string;
  /**
   * Keep-alive connections to Asterisk. Asterisk's HTTP server closes connections beyond http.conf's
   * `sessionlimit` (default 100) without an answer, so keep this small. @defaultValue 8
   */
  connections?: number;
  /**
   * Extra connections kept for call control (continue, hang up, answer), so a call that just answered is not
   * queued behind a burst of originates: the callee hears the dialplan at once. @defaultValue 4
   */
  controlConnections?: number;
  /** Per-request deadline. @defaultValue 10000 */
  requestTimeoutMs?: number;
  /** Extra tries for idempotent requests that got no answer at all (socket closed, reset). @defaultValue 2 */
  retries?: number;
  logger?: Logger;
}

export interface OriginateParams {
  endpoint: string;
  app: string;
  appArgs?: string;
  callerId?: string;
  /** Seconds to wait for an answer. */
  timeout?: number;
  channelId?: string;
  otherChannelId?: string;
  variables?: Record<string, string>;
}

export interface ContinueParams {
  context?: string;
  extension?: string;
  priority?: number;
  label?: string;
}

type Query = Record<string, string | number | boolean | undefined>;

interface RequestSpec {
  method: Dispatcher.HttpMethod;
  path: string;
  query?: Query;
  body?: unknown;
  /** Safe to send again when the first try got no answer at all. */
  idempotent: boolean;
  /** Time-critical call control: goes over the control connections. */
  control?: boolean;
}

/** REST side of ARI over one bounded keep-alive pool. Errors are typed; credentials never appear in them. */
export class AriClient {
  readonly url: AriUrl;
  readonly user: string;
  private readonly authHeader: string;
  private readonly pool: Pool;
  private readonly controlPool: Pool;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly log: Logger;

  constructor(options: AriClientOptions) {
    this.url = parseAriUrl(options.url);
    ({ user: this.user, authorization: this.authHeader } = ariCredentials(this.url, options.user, options.password));
    this.timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.retries = options.retries ?? 2;
    this.log = options.logger ?? silentLogger;
    const connections = options.connections ?? 8;
    const control = options.controlConnections ?? 4;
    if (!(connections >= 1)) throw new RangeError('connections must be at least 1');
    if (!(control >= 1)) throw new RangeError('controlConnections must be at least 1');
    const poolOptions = { pipelining: 1, keepAliveTimeout: 30_000, connectTimeout: Math.min(this.timeoutMs, 5_000) };
    this.pool = new Pool(this.url.origin, { ...poolOptions, connections });
    this.controlPool = new Pool(this.url.origin, { ...poolOptions, connections: control });
  }

  /** Authorization header value for the event socket (same credentials, one place). */
  authorization(): string {
    return this.authHeader;
  }

  originate(p: OriginateParams): Promise<Channel> {
    const { channelId, variables, ...rest } = p;
    // The JSON body form carries variables; channelId goes in the path (originateWithId) so a repeat is a 409.
    const path = channelId ? `/channels/${encodeURIComponent(channelId)}` : '/channels';
    return this.request<Channel>({
      method: 'POST',
      path,
      body: { ...rest, ...(variables ? { variables } : {}) },
      // With our own channelId a repeat cannot dial twice: Asterisk answers 409 for a live id.
      idempotent: channelId !== undefined,
    });
  }

  getChannel(id: string): Promise<Channel> {
    return this.request<Channel>({ method: 'GET', path: `/channels/${encodeURIComponent(id)}`, idempotent: true });
  }

  listChannels(): Promise<Channel[]> {
    return this.request<Channel[]>({ method: 'GET', path: '/channels', idempotent: true });
  }

  async continueInDialplan(id: string, p: ContinueParams): Promise<void> {
    await this.request<void>({
      method: 'POST',
      path: `/channels/${encodeURIComponent(id)}/continue`,
      query: { context: p.context, extension: p.extension, priority: p.priority, label: p.label },
      idempotent: false,
      control: true,
    });
  }

  /** Sets a channel variable; Asterisk takes it only while the channel is in a Stasis app (409 otherwise). */
  async setChannelVar(id: string, variable: string, value: string): Promise<void> {
    await this.request<void>({
      method: 'POST',
      path: `/channels/${encodeURIComponent(id)}/variable`,
      query: { variable, value },
      idempotent: true,
      control: true,
    });
  }

  /**
   * Plays a media URI on a channel in Stasis under our own playback id. 201 does not mean the media exists: a
   * missing sound ends in PlaybackFinished `failed` (res/res_stasis_playback.c).
   */
  async play(channelId: string, playbackId: string, media: string): Promise<void> {
    await this.request<unknown>({
      method: 'POST',
      path: `/channels/${encodeURIComponent(channelId)}/play/${encodeURIComponent(playbackId)}`,
      query: { media },
      // A repeat with the same playback id would play the media a second time.
      idempotent: false,
      control: true,
    });
  }

  /** Stops a playback (DELETE /playbacks/{id}): PlaybackFinished `done` follows; 404 once it has ended. */
  async stopPlayback(playbackId: string): Promise<void> {
    await this.request<void>({ method: 'DELETE', path: `/playbacks/${encodeURIComponent(playbackId)}`, idempotent: true, control: true });
  }

  async hangup(id: string, reason: string = 'normal'): Promise<void> {
    await this.request<void>({
      method: 'DELETE',
      path: `/channels/${encodeURIComponent(id)}`,
      query: { reason },
      idempotent: true,
      control: true,
    });
  }

  async answer(id: string): Promise<void> {
    await this.request<void>({ method: 'POST', path: `/channels/${encodeURIComponent(id)}/answer`, idempotent: true, control: true });
  }

  asteriskInfo(): Promise<AsteriskInfo> {
    return this.request<AsteriskInfo>({ method: 'GET', path: '/asterisk/info', idempotent: true });
  }

  applications(): Promise<Application[]> {
    return this.request<Application[]>({ method: 'GET', path: '/applications', idempotent: true });
  }

  /** Lets `app` receive a channel's events: how a worker adopts a call another worker originated. */
  subscribe(app: string, eventSource: string): Promise<Application> {
    return this.request<Application>({
      method: 'POST',
      path: `/applications/${encodeURIComponent(app)}/subscription`,
      query: { eventSource },
      idempotent: true,
    });
  }

  /**
   * A snoop channel on `id` that enters `app` (its own StasisStart): `spy=both` hears both directions. With our own
   * `snoopId`, a second snoop for the same call is refused (500) instead of recording twice.
   */
  snoop(id: string, p: { app: string; spy: 'both' | 'in' | 'out'; snoopId?: string }): Promise<Channel> {
    return this.request<Channel>({
      method: 'POST',
      path: `/channels/${encodeURIComponent(id)}/snoop`,
      query: { spy: p.spy, app: p.app, snoopId: p.snoopId },
      idempotent: p.snoopId !== undefined,
      control: true,
    });
  }

  /** Records a channel in Stasis into Asterisk's recording directory; `ifExists` defaults to `fail` (409). */
  record(id: string, p: { name: string; format: string; ifExists?: 'fail' | 'overwrite' | 'append' }): Promise<LiveRecording> {
    return this.request<LiveRecording>({
      method: 'POST',
      path: `/channels/${encodeURIComponent(id)}/record`,
      query: { name: p.name, format: p.format, ifExists: p.ifExists },
      idempotent: false,
      control: true,
    });
  }

  storedRecording(name: string): Promise<StoredRecording> {
    return this.request<StoredRecording>({ method: 'GET', path: `/recordings/stored/${encodeURIComponent(name)}`, idempotent: true });
  }

  async deleteStoredRecording(name: string): Promise<void> {
    await this.request<void>({ method: 'DELETE', path: `/recordings/stored/${encodeURIComponent(name)}`, idempotent: true });
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.close(), this.controlPool.close()]);
  }

  private async request<T>(spec: RequestSpec): Promise<T> {
    // Whether any try may have reached Asterisk: a later refused connection does not undo an earlier reset.
    let mayHaveArrived = false;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(spec);
      } catch (err) {
        if (err instanceof AriUnreachableError) {
          mayHaveArrived ||= err.mayHaveArrived;
          if (!spec.idempotent || attempt >= this.retries) {
            throw new AriUnreachableError(err.url, err.reason, { cause: err.cause, mayHaveArrived });
          }
          this.log.debug({ method: spec.method, path: spec.path, attempt, err: err.message }, 'ARI request retried');
          continue;
        }
        throw err;
      }
    }
  }

  private async once<T>(spec: RequestSpec): Promise<T> {
    const path = this.url.basePath + spec.path + queryString(spec.query);
    const headers: Record<string, string> = { authorization: this.authHeader, accept: 'application/json' };
    let body: string | undefined;
    if (spec.body !== undefined) {
      body = JSON.stringify(spec.body);
      headers['content-type'] = 'application/json';
    }
    let res: Dispatcher.ResponseData;
    try {
      res = await (spec.control ? this.controlPool : this.pool).request({
        method: spec.method,
        path,
        headers,
        body,
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
    } catch (err) {
      throw this.transportError(err, spec);
    }
    const text = await res.body.text();
    const status = res.statusCode;
    if (status >= 200 && status < 300) {
      if (!text) return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new AriNotAriError(status, 'a body that is not JSON', spec.method, spec.path, this.url.display);
      }
    }
    if (status === 401) throw new AriAuthError(this.user, spec.method, spec.path);
    const contentType = String(res.headers['content-type'] ?? '');
    const parsed = contentType.includes('json') ? safeJson(text) : undefined;
    const message = ariMessageOf(parsed);
    if (message === undefined) {
      // Asterisk always answers errors with a JSON object; anything else means we are talking to something else.
      throw new AriNotAriError(status, contentType || 'no content type', spec.method, spec.path, this.url.display);
    }
    throw new AriHttpError(status, message, spec.method, spec.path);
  }

  private transportError(err: unknown, spec: RequestSpec): Error {
    if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
      return new AriTimeoutError(spec.method, spec.path, this.timeoutMs);
    }
    const e = err as { code?: string; message?: string; cause?: { code?: string } };
    const code = e.code ?? e.cause?.code;
    const reason = code === 'UND_ERR_SOCKET' ? 'the connection closed without an answer' : (code ?? e.message ?? String(err));
    return new AriUnreachableError(this.url.display, reason, { cause: err, mayHaveArrived: !NEVER_CONNECTED_CODES.has(code ?? '') });
  }
}

function queryString(q: Query | undefined): string {
  if (!q) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
