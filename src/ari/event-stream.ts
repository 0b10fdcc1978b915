import WebSocket from 'ws';
import { BadArgumentError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import { AriAuthError, AriNotAriError, AriUnreachableError } from './errors.js';
import { ariCredentials, parseAriUrl, type AriUrl } from './ari-url.js';
import { TypedEmitter } from './typed-emitter.js';
import type { AriEvent } from './types.generated.js';
import { channelKeyOf } from './channel-key.js';
import { wsText } from './ws-text.js';

export interface AriEventStreamOptions {
  /** Base ARI URL, e.g. `http://127.0.0.1:8088/ari`. */
  url: string;
  user?: string;
  password?: string;
  /** Stasis application name. One socket per app in Asterisk: a second connection replaces the first. */
  app: string;
  /** Receive events for everything, not only our app's channels. @defaultValue false */
  subscribeAll?: boolean;
  /** How often to ping the server to prove the socket is alive. @defaultValue 10000 */
  pingIntervalMs?: number;
  /** Declare the socket dead when no pong arrives within this. @defaultValue 5000 */
  pongTimeoutMs?: number;
  /**
   * Delays between reconnect attempts. The first attempt after a drop goes at once: every millisecond without a
   * socket is a millisecond in which a call answered is hung up by Asterisk (Stasis() fails for an app with no
   * socket) and events are dropped. Backoff applies only when that attempt fails too.
   */
  backoff?: BackoffOptions;
  /** First connection deadline before `start()` rejects. @defaultValue 10000 */
  connectTimeoutMs?: number;
  logger?: Logger;
  /** Clock in ms since epoch, for the gap figures. @defaultValue Date.now */
  now?: () => number;
}

export interface StreamEventMap extends Record<string, unknown> {
  connected: { app: string; reconnect: boolean };
  disconnected: { app: string; code: number; reason: string; willReconnect: boolean };
  /**
   * The socket is back. `downMs` is the gap: from the drop to the new socket open, the time in which Asterisk dropped
   * this app's events and failed Stasis() for its calls (`from`/`to` are epoch ms, for matching calls against it).
   */
  reconnected: { app: string; downMs: number; attempts: number; gap: SocketGap };
  /** Another connection took our app name (Asterisk keeps the newest). We do not fight it: we stop. */
  replaced: { app: string };
  event: { event: AriEvent };
  error: { error: Error };
}

/** A time without an event socket (epoch ms, `to` exclusive). */
export interface SocketGap {
  from: number;
  to: number;
}

/** A socket open this long was healthy: its drop is retried at once, without backoff. */
const STABLE_MS = 1000;

export type ChannelListener = (event: AriEvent) => void;

/**
 * The one WebSocket of a process's Stasis app. Calls register per channel id and get their events in O(1);
 * nothing per call stays behind once it unregisters. Reconnects with backoff and jitter after the first success.
 */
export class AriEventStream extends TypedEmitter<StreamEventMap> {
  readonly app: string;
  private readonly url: AriUrl;
  private readonly user: string;
  private readonly authHeader: string;
  private readonly opts: Required<Pick<AriEventStreamOptions, 'pingIntervalMs' | 'pongTimeoutMs' | 'connectTimeoutMs' | 'subscribeAll'>>;
  private readonly backoff: BackoffOptions;
  private readonly log: Logger;
  /** One listener per channel almost always (no array allocated); several when two followers watch one call. */
  private readonly byChannel = new Map<string, ChannelListener | ChannelListener[]>();
  private unclaimed: ((channelKey: string, event: AriEvent) => void) | undefined;
  private ws: WebSocket | undefined;
  private closed = false;
  private everConnected = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private pongTimer: NodeJS.Timeout | undefined;
  private downSince = 0;
  /** Reconnect attempts since the last socket that stayed up (a socket that drops at once does not count as up). */
  private attempts = 0;
  private openedAt = 0;
  private lastGapValue: SocketGap | undefined;
  private readonly now: () => number;

  constructor(options: AriEventStreamOptions) {
    super();
    if (!options.app || !/^[A-Za-z0-9._-]+$/.test(options.app)) {
      throw new BadArgumentError('ARI app name', `may hold letters, digits, '.', '_' and '-' only, got ${JSON.stringify(options.app)}`);
    }
    this.app = options.app;
    this.url = parseAriUrl(options.url);
    ({ user: this.user, authorization: this.authHeader } = ariCredentials(this.url, options.user, options.password));
    this.opts = {
      pingIntervalMs: options.pingIntervalMs ?? 10_000,
      pongTimeoutMs: options.pongTimeoutMs ?? 5_000,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      subscribeAll: options.subscribeAll ?? false,
    };
    this.backoff = options.backoff ?? {};
    this.log = (options.logger ?? silentLogger).child({ app: this.app });
    this.now = options.now ?? Date.now;
  }

  /** The last time without a socket, once it ended; undefined before the first reconnect. */
  get lastGap(): SocketGap | undefined {
    return this.lastGapValue;
  }

  /** Since when the socket is down (epoch ms), or undefined while it is open. */
  get downSinceMs(): number | undefined {
    return this.connected || this.downSince === 0 ? undefined : this.downSince;
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Number of channels with a listener (for leak checks and metrics). */
  get listenerCount(): number {
    return this.byChannel.size;
  }

  /** Opens the socket. Rejects on the first failure (401, refused, not ARI); later drops reconnect by themselves. */
  start(): Promise<void> {
    this.closed = false;
    return this.open(false);
  }

  /**
   * Route a channel's events (and its Local `;2` half's) to `listener`. Returns the unregister function. Two followers
   * of one call (a takeover and the dead worker's re-run job, in one process) both hear it: a second registration
   * must never silence the first.
   */
  onChannel(channelId: string, listener: ChannelListener): () => void {
    const had = this.byChannel.get(channelId);
    this.byChannel.set(channelId, had === undefined ? listener : Array.isArray(had) ? [...had, listener] : [had, listener]);
    return () => {
      const now = this.byChannel.get(channelId);
      if (now === listener) this.byChannel.delete(channelId);
      else if (Array.isArray(now)) {
        const rest = now.filter((l) => l !== listener);
        if (rest.length === 0) this.byChannel.delete(channelId);
        else this.byChannel.set(channelId, rest.length === 1 ? rest[0]! : rest);
      }
    };
  }

  /**
   * Events of channels no call listens to (e.g. a peer's channels this app was subscribed to as a witness).
   * One hook per stream; returns the unregister function.
   */
  onUnclaimed(listener: (channelKey: string, event: AriEvent) => void): () => void {
    this.unclaimed = listener;
    return () => {
      if (this.unclaimed === listener) this.unclaimed = undefined;
    };
  }

  /** Drop the socket now (tests and shutdown of one connection); reconnects unless closed. */
  terminate(): void {
    this.ws?.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.stopHeartbeat();
    const ws = this.ws;
    this.ws = undefined;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once('close', () => resolve());
        ws.close(1000, 'client closing');
        setTimeout(() => {
          ws.terminate();
          resolve();
        }, 1000).unref();
      });
    }
  }

  private open(reconnect: boolean): Promise<void> {
    const query = new URLSearchParams({ app: this.app, subscribeAll: String(this.opts.subscribeAll) });
    const target = `${this.url.wsOrigin}${this.url.basePath}/events?${query}`;
    return new Promise<void>((resolve, reject) => {
      // Credentials travel in the Authorization header, never in the URL, so no proxy or log ever records them.
      const ws = new WebSocket(target, {
        headers: { authorization: this.authHeader },
        handshakeTimeout: this.opts.connectTimeoutMs,
        perMessageDeflate: false,
      });
      this.ws = ws;
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        reject(err);
      };
      ws.on('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        const err =
          status === 401
            ? new AriAuthError(this.user, 'GET', '/events')
            : new AriNotAriError(status, 'instead of a WebSocket upgrade', 'GET', '/events', this.url.display);
        ws.terminate();
        if (!settled && !reconnect) fail(err);
        else this.emit('error', { error: err });
      });
      ws.on('open', () => {
        settled = true;
        const gap = reconnect ? { from: this.downSince, to: this.now() } : undefined;
        this.downSince = 0;
        this.everConnected = true;
        this.startHeartbeat(ws);
        if (gap) this.lastGapValue = gap;
        this.log.info({ reconnect, ...(gap ? { gapMs: gap.to - gap.from, attempts: this.attempts } : {}) }, 'ARI event socket connected');
        this.emit('connected', { app: this.app, reconnect });
        if (gap) this.emit('reconnected', { app: this.app, downMs: gap.to - gap.from, attempts: this.attempts, gap });
        this.openedAt = this.now();
        resolve();
      });
      ws.on('message', (data) => this.dispatch(data));
      ws.on('pong', () => clearTimeout(this.pongTimer));
      ws.on('error', (err) => {
        if (!this.everConnected && !reconnect) fail(new AriUnreachableError(this.url.display, (err as { code?: string }).code ?? err.message, { cause: err }));
      });
      ws.on('close', (code, reasonBuf) => {
        if (this.ws !== ws) return;
        this.stopHeartbeat();
        if (!settled && !reconnect) fail(new AriUnreachableError(this.url.display, `socket closed (${code})`));
        const willReconnect = !this.closed && this.everConnected;
        if (this.downSince === 0) this.downSince = this.now();
        if (this.openedAt !== 0 && this.downSince - this.openedAt >= STABLE_MS) this.attempts = 0;
        this.openedAt = 0;
        this.emit('disconnected', { app: this.app, code, reason: reasonBuf.toString(), willReconnect });
        if (willReconnect) this.scheduleReconnect();
      });
    });
  }

  private scheduleReconnect(): void {
    // A drop of a healthy socket is retried at once (a reset or a blip); a failed retry backs off from there.
    const delay = this.attempts === 0 ? 0 : backoffDelay(this.attempts - 1, this.backoff);
    this.attempts++;
    this.log.warn({ delayMs: delay, attempt: this.attempts }, 'ARI event socket down; reconnecting');
    this.reconnectTimer = setTimeout(() => {
      if (this.closed) return;
      this.open(true).catch(() => undefined);
    }, delay);
  }

  private startHeartbeat(ws: WebSocket): void {
    this.stopHeartbeat();
    this.pingTimer = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      clearTimeout(this.pongTimer);
      // A half-open TCP connection never errors by itself: no pong in time means dead.
      this.pongTimer = setTimeout(() => ws.terminate(), this.opts.pongTimeoutMs);
      ws.ping();
    }, this.opts.pingIntervalMs);
  }

  private stopHeartbeat(): void {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
  }

  private dispatch(data: WebSocket.RawData): void {
    let event: AriEvent;
    try {
      event = JSON.parse(wsText(data)) as AriEvent;
    } catch {
      this.log.warn('ARI sent a frame that is not JSON; ignored');
      return;
    }
    if (typeof event !== 'object' || event === null || typeof (event as { type?: unknown }).type !== 'string') return;
    if (event.type === 'ApplicationReplaced') {
      this.log.error('another connection took over our ARI app name; this process stops receiving events');
      this.closed = true;
      this.emit('replaced', { app: this.app });
    }
    const key = channelKeyOf(event);
    if (key !== undefined) {
      const listener = this.byChannel.get(key);
      if (Array.isArray(listener)) for (const l of listener) l(event);
      else if (listener) listener(event);
      else this.unclaimed?.(key, event);
    }
    this.emit('event', { event });
  }
}
