/** Plain `ws` + `fetch` helpers for the simulator tests: what a minimal ARI client does, nothing more. */
import WebSocket from 'ws';
import { wsText } from '../../src/ari/ws-text.js';

export type AriEvent = { type: string } & Record<string, unknown>;

export interface RestAnswer {
  status: number;
  /** Parsed JSON, or the raw text when not JSON, or undefined when empty. */
  body: unknown;
  headers: Headers;
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** One REST call; `auth` is a ready Authorization header value, or null for none. */
export async function rest(base: string, method: string, path: string, options: { auth?: string | null; body?: unknown } = {}): Promise<RestAnswer> {
  const headers: Record<string, string> = {};
  const auth = options.auth === undefined ? basic('asterisk', 'asterisk') : options.auth;
  if (auth) headers.authorization = auth;
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const res = await fetch(`${base}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = undefined;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/** Events of one WebSocket, kept in arrival order, with waiting helpers. */
export class EventLog {
  readonly events: AriEvent[] = [];
  closed = false;
  closeCode: number | undefined;
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.events.push(JSON.parse(wsText(data)) as AriEvent);
      this.wake();
    });
    ws.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      this.wake();
    });
  }

  /** Opens `/events?app=...`; rejects with the HTTP status when the upgrade is refused. */
  static open(wsUrl: string, headers: Record<string, string> = {}): Promise<EventLog> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl, { headers });
      const log = new EventLog(ws);
      ws.once('open', () => resolve(log));
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, text })));
      });
      ws.once('error', reject);
    });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when `predicate` holds (checked on every event and on close), or rejects after `timeoutMs`. */
  async until(predicate: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; events: ${this.events.map((e) => e.type).join(',')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** The first event (from index `from`) matching `match`, waiting for it. */
  async next(match: (e: AriEvent) => boolean, timeoutMs = 3000, from = 0): Promise<AriEvent> {
    let found: AriEvent | undefined;
    await this.until(() => (found = this.events.slice(from).find(match)) !== undefined, timeoutMs, 'event');
    return found!;
  }

  ofChannel(id: string): AriEvent[] {
    return this.events.filter((e) => channelOf(e)?.id === id);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** The channel an event is about (`channel`, or `peer` for Dial). */
export function channelOf(e: AriEvent): { id: string; name: string; state: string } | undefined {
  const ch = (e.channel ?? e.peer) as { id: string; name: string; state: string } | undefined;
  return ch;
}

export function wsUrl(httpBase: string, query: string): string {
  return `${httpBase.replace(/^http/, 'ws')}/events?${query}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
