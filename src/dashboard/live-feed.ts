import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { RedisClient } from '../store/lua-script.js';
import { WebSocketServer, type WebSocket } from 'ws';
import type { CampaignService } from '../campaign/campaign-service.js';
import { wsText } from '../ari/ws-text.js';
import type { Logger } from '../log.js';
import type { Auth, Role } from './auth.js';
import { campaignDetail } from './campaign-detail.js';
import type { CampaignStats } from './campaign-stats.js';

export interface LiveFeedOptions {
  server: Server;
  auth: Auth;
  service: CampaignService;
  stats: CampaignStats;
  /** A connection of its own for SUBSCRIBE; the feed closes it. */
  subscriber: RedisClient;
  /** Shortest gap between two updates to one page. */
  intervalMs: number;
  log: Logger;
}

/** What a page asks for: the list (no id), one campaign, or nothing (an upload form). */
interface Client {
  ws: WebSocket;
  role: Role;
  watch?: string | false;
  alive: boolean;
  /** When this page last got a snapshot of its own (switching views); more often goes through the timer. */
  lastDirect: number;
}

export const LIVE_PATH = '/live';
/** While something is running, refresh this often even without events (calls starting publish nothing). */
const IDLE_REFRESH_MS = 2000;
const HEARTBEAT_MS = 30_000;
/** A page that does not read its socket is skipped rather than buffered without end. */
const MAX_BUFFERED = 1 << 20;

/**
 * Pushes campaign updates to pages over one WebSocket each (`/live`). One Redis subscription per server; events
 * only mark what changed, and a single timer turns marks into at most one snapshot per campaign per interval,
 * computed once and sent to every page watching it. Many events, many pages: still one Redis read per interval.
 */
export class LiveFeed {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly clients = new Set<Client>();
  private readonly dirty = new Set<string>();
  private listDirty = false;
  private readonly live = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;
  private lastFlush = 0;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.upgrade(req, socket, head);

  constructor(private readonly o: LiveFeedOptions) {
    o.server.on('upgrade', this.onUpgrade);
    this.idleTimer = setInterval(() => this.refreshLive(), IDLE_REFRESH_MS);
    this.heartbeat = setInterval(() => this.ping(), HEARTBEAT_MS);
    this.idleTimer.unref();
    this.heartbeat.unref();
  }

  async start(): Promise<void> {
    this.o.subscriber.on('error', (err: Error) => this.o.log.warn({ err: err.message }, 'live feed: Redis subscriber error'));
    this.o.subscriber.on('message', (_channel: string, message: string) => this.onEvent(message));
    await this.o.subscriber.subscribe(this.o.service.keys.events);
  }

  get pages(): number {
    return this.clients.size;
  }

  async close(): Promise<void> {
    this.o.server.off('upgrade', this.onUpgrade);
    clearInterval(this.idleTimer);
    clearInterval(this.heartbeat);
    if (this.timer) clearTimeout(this.timer);
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await this.o.subscriber.quit().catch(() => this.o.subscriber.disconnect());
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (path !== LIVE_PATH) return refuse(socket, 404, 'Not Found');
    const who = await this.o.auth.check(req).catch(() => undefined);
    if (!who) return refuse(socket, 503, 'Service Unavailable');
    if (!who.ok && who.reason === 'throttled') return refuse(socket, 429, 'Too Many Requests', `Retry-After: ${who.retryAfterS}\r\n`);
    if (!who.ok) return refuse(socket, 401, 'Unauthorized');
    // A WebSocket is not bound by the same-origin policy: another site must not ride on the cookie.
    if (!this.o.auth.sameOrigin(req)) return refuse(socket, 403, 'Forbidden');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.connected(ws, who.role));
  }

  private connected(ws: WebSocket, role: Role): void {
    const client: Client = { ws, role, alive: true, lastDirect: Date.now() };
    this.clients.add(client);
    ws.on('pong', () => (client.alive = true));
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => ws.terminate());
    ws.on('message', (data) => {
      const want = parseWatch(wsText(data));
      if (want === undefined) return;
      client.watch = want ?? undefined;
      if (client.watch === false) return;
      if (Date.now() - client.lastDirect >= this.o.intervalMs) {
        client.lastDirect = Date.now();
        void this.sendTo([client], client.watch);
      } else {
        if (client.watch) this.dirty.add(client.watch);
        else this.listDirty = true;
        this.schedule();
      }
    });
    send(ws, { type: 'hello', role });
    void this.sendTo([client], undefined);
  }

  private onEvent(message: string): void {
    let ev: unknown;
    try {
      ev = JSON.parse(message);
    } catch {
      return;
    }
    const id = typeof ev === 'object' && ev !== null ? (ev as Record<string, unknown>).id : undefined;
    if (typeof id === 'string') this.dirty.add(id);
    this.listDirty = true;
    this.schedule();
  }

  /** Campaigns that are dialing change without events (calls starting); pages watching them get a slow refresh. */
  private refreshLive(): void {
    if (!this.clients.size || !this.live.size) return;
    for (const id of this.live) this.dirty.add(id);
    this.listDirty = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.flushing || !this.clients.size) return;
    const wait = Math.max(0, this.lastFlush + this.o.intervalMs - Date.now());
    this.timer = setTimeout(() => void this.flush(), wait);
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    this.flushing = true;
    this.lastFlush = Date.now();
    const ids = [...this.dirty];
    const list = this.listDirty;
    this.dirty.clear();
    this.listDirty = false;
    try {
      if (list)
        await this.sendTo(
          [...this.clients].filter((c) => c.watch === undefined),
          undefined,
        );
      for (const id of ids)
        await this.sendTo(
          [...this.clients].filter((c) => c.watch === id),
          id,
        );
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'live feed: update failed');
    } finally {
      this.flushing = false;
      if (this.dirty.size || this.listDirty) this.schedule();
    }
  }

  /** Computes one snapshot (the list, or one campaign) and sends it to the given pages. */
  private async sendTo(clients: Client[], id: string | false | undefined): Promise<void> {
    if (!clients.length || id === false) return;
    let msg: unknown;
    try {
      if (id === undefined) {
        const rows = await Promise.all((await this.o.service.list()).map((s) => this.o.stats.row(s)));
        for (const r of rows) this.track(r.id, r.state);
        msg = { type: 'campaigns', campaigns: rows };
      } else {
        const detail = await campaignDetail(this.o.service, this.o.stats, id);
        this.track(id, detail.campaign.state);
        msg = { type: 'campaign', detail };
      }
    } catch (err) {
      msg = { type: 'error', id, message: (err as Error).message };
    }
    const text = JSON.stringify(msg);
    for (const c of clients) if (c.ws.bufferedAmount < MAX_BUFFERED) c.ws.send(text);
  }

  private track(id: string, state: string): void {
    if (state === 'running' || state === 'importing') this.live.add(id);
    else this.live.delete(id);
  }

  private ping(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }
}

/** `{"watch":"<id>"}`, `{"watch":null}` (the list) or `{"watch":false}` (nothing); anything else is ignored. */
function parseWatch(text: string): string | false | null | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null || !('watch' in v)) return undefined;
    const w = v.watch;
    if (w === null || w === false) return w;
    return typeof w === 'string' && /^[A-Za-z0-9_-]{1,100}$/.test(w) ? w : undefined;
  } catch {
    return undefined;
  }
}

function send(ws: WebSocket, msg: unknown): void {
  ws.send(JSON.stringify(msg));
}

function refuse(socket: Duplex, status: number, text: string, headers = ''): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\n${headers}Connection: close\r\nContent-Length: 0\r\n\r\n`);
}
