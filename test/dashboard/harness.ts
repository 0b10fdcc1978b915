import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import type { Disposition } from '../../src/dialer/call-result.js';
import type { AttemptRecord } from '../../src/report/summarize.js';
import { REDIS_URL } from '../helpers/redis-test.js';

export { REDIS_URL };

/** A unique key prefix per test file, and a way to remove every key under it. */
export function testPrefix(): string {
  return `{t-dash-${randomBytes(5).toString('hex')}}`;
}

/** `webhookAllowHosts`: hosts the SSRF rules would refuse (credentials in the URL, loopback) that a test needs. */
export function newService(prefix: string, webhookAllowHosts?: string[]): { redis: Redis; service: CampaignService } {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  return { redis, service: new CampaignService({ redis, prefix, webhookAllowHosts }) };
}

/** What a dashboard test file started; any part is missing when its beforeAll failed before starting it. */
export interface Started {
  dash?: { close(): Promise<void> };
  service?: CampaignService;
  redis?: Redis;
}

/** A test file's teardown: the dashboard, then the service, then its keys and its Redis connection. */
export async function closeAll(prefix: string, s: Started): Promise<void> {
  await s.dash?.close();
  await s.service?.close();
  if (s.redis) {
    await deleteKeys(s.redis, prefix);
    s.redis.disconnect();
  }
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  // The prefix holds `{` `}`, which are not glob specials; `*` only at the end.
  const pattern = `${prefix.replace(/[?*[\]\\]/g, '\\$&')}*`;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== '0');
}

/** An attempt as the worker would store it; tests store them directly to control what the report holds. */
export function attemptRecord(campaignId: string, number: string, row: number, disposition: Disposition, attempt = 1, final = true): AttemptRecord {
  const answered = disposition === 'ANSWERED';
  const start = Date.now() - 5000;
  return {
    campaignId,
    number,
    row,
    attempt,
    final,
    status: 'success',
    answered,
    cause: answered ? 16 : disposition === 'BUSY' ? 17 : 19,
    cause_txt: answered ? 'Normal Clearing' : disposition === 'BUSY' ? 'User busy' : 'No answer',
    message: '',
    disposition,
    channel_id: `ch-${campaignId}-${number}-${attempt}`,
    endpoint: `SIP/trunk/${number}`,
    callerid: '5550100',
    created_at: new Date(start).toISOString(),
    answered_at: answered ? new Date(start + 1000).toISOString() : null,
    ended_at: new Date(start + 4000).toISOString(),
    ring_s: 1,
    talk_s: answered ? 3 : 0,
    duration: 4,
  };
}

/** Parses a small RFC 4180 CSV (quotes, CRLF) into rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += ch;
  }
  if (cell || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}
