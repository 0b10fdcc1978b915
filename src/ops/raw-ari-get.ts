import { Agent, request } from 'undici';

/** What a plain GET found: an HTTP answer of any status, or no answer at all. */
export type RawAnswer =
  { kind: 'answer'; status: number; contentType: string; json: unknown; sentAt: number; receivedAt: number } | { kind: 'unreachable'; reason: string };

/**
 * GETs without the typed client's opinions, for the doctor: it needs to see a 404 page or a 401 as they are, to
 * tell a wrong http.conf prefix from bad credentials. One agent per doctor run, closed by its owner.
 */
export class RawAriGet {
  private readonly agent: Agent;

  constructor(
    private readonly authorization: string,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.agent = new Agent({ connections: 2, keepAliveTimeout: 1000, connect: { timeout: timeoutMs } });
  }

  async get(url: string): Promise<RawAnswer> {
    const sentAt = this.now();
    try {
      const res = await request(url, {
        method: 'GET',
        dispatcher: this.agent,
        headers: { authorization: this.authorization, accept: 'application/json' },
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      const text = await res.body.text();
      const receivedAt = this.now();
      const contentType = String(res.headers['content-type'] ?? '');
      let json: unknown;
      if (contentType.includes('json')) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      return { kind: 'answer', status: res.statusCode, contentType, json, sentAt, receivedAt };
    } catch (err) {
      const e = err as { code?: string; message?: string; cause?: { code?: string } };
      const code = e.cause?.code ?? e.code;
      const reason =
        code === 'UND_ERR_SOCKET'
          ? 'the connection closed without an answer'
          : code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT'
            ? `no answer within ${this.timeoutMs} ms`
            : (code ?? e.message ?? String(err));
      return { kind: 'unreachable', reason };
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}

/** Asterisk answers ARI errors (401 included) with a JSON object; a web server that is not ARI does not. */
export const looksLikeAri = (a: RawAnswer): boolean =>
  a.kind === 'answer' && typeof a.json === 'object' && a.json !== null && (a.status === 200 || a.status === 401);
