import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import pino from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { GuessThrottle } from '../../src/dashboard/security/guess-throttle.js';
import { closeAll, newService, REDIS_URL, testPrefix } from '../dashboard/harness.js';

/** Issue 15, item 3: 50 wrong logins used to get 50 × 401 with the right token working right after, unlogged. */

const OPERATOR = 'op-guess-token-0123456789abcdef';
let prefix: string;
let redis: Redis;
let service: CampaignService;
let dash: Dashboard;
const logLines: string[] = [];

beforeAll(async () => {
  prefix = testPrefix();
  ({ redis, service } = newService(prefix));
  const sink = new Writable({ write: (chunk: Buffer, _enc, cb) => (logLines.push(chunk.toString()), cb()) });
  dash = await startDashboard({ service, redisUrl: REDIS_URL, port: 0, operatorToken: OPERATOR, logger: pino({ level: 'info' }, sink) });
});
afterAll(() => closeAll(prefix, { dash, service, redis }));

const login = (token: string) =>
  fetch(`${dash.url}/login`, { method: 'POST', redirect: 'manual', headers: { Origin: dash.url }, body: new URLSearchParams({ token }) });

describe('guessing tokens', () => {
  it('50 wrong logins: 10 × 401, then 429 with Retry-After, the right token too; each failure logged with the address, never the token', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await login(`wrong-guess-${i}`);
      statuses.push(r.status);
      await r.body?.cancel();
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(new Set(statuses.slice(10))).toEqual(new Set([429]));
    const right = await login(OPERATOR);
    expect(right.status).toBe(429);
    const after = Number(right.headers.get('retry-after'));
    expect(after).toBeGreaterThan(500);
    expect(after).toBeLessThanOrEqual(600);
    // Bearer guesses from the same address are throttled as well.
    const bearer = await fetch(`${dash.url}/api/campaigns`, { headers: { Authorization: `Bearer ${OPERATOR}` } });
    expect(bearer.status).toBe(429);
    const failures = logLines.filter((l) => l.includes('a wrong token was tried'));
    expect(failures).toHaveLength(10);
    for (const l of failures) expect(JSON.parse(l)).toMatchObject({ address: expect.stringMatching(/127\.0\.0\.1/), via: 'login' });
    expect(logLines.join('\n')).not.toMatch(/wrong-guess-|op-guess-token/);
  });
});

describe('guessing tokens on the live WebSocket', () => {
  /** The upgrade checked tokens without the throttle: a script could guess there at full speed, unlogged. */
  it('counts wrong tokens on /live with the others: 10 × 401, then 429 with Retry-After, the right token too', async () => {
    const p = testPrefix();
    const own = newService(p);
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, cb) => (lines.push(chunk.toString()), cb()) });
    const d = await startDashboard({ service: own.service, redisUrl: REDIS_URL, port: 0, operatorToken: OPERATOR, logger: pino({ level: 'info' }, sink) });
    try {
      const upgrade = (token: string) =>
        new Promise<{ status: number; retryAfter?: string }>((resolve) => {
          const ws = new WebSocket(`${d.url.replace('http', 'ws')}/live`, { headers: { Authorization: `Bearer ${token}`, Origin: d.url } });
          ws.on('unexpected-response', (_req, res) => {
            resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] });
            ws.terminate();
          });
          ws.on('open', () => (resolve({ status: 101 }), ws.terminate()));
          ws.on('error', () => undefined);
        });
      expect((await upgrade(OPERATOR)).status).toBe(101);
      const statuses: number[] = [];
      for (let i = 0; i < 15; i++) statuses.push((await upgrade(`ws-guess-${i}`)).status);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(new Set(statuses.slice(10))).toEqual(new Set([429]));
      const right = await upgrade(OPERATOR);
      expect(right.status).toBe(429);
      expect(Number(right.retryAfter)).toBeGreaterThan(500);
      // The same address is now throttled on the API as well: one count per address, whatever the door.
      const api = await fetch(`${d.url}/api/campaigns`, { headers: { Authorization: `Bearer ${OPERATOR}` } });
      expect(api.status).toBe(429);
      const failures = lines.filter((l) => l.includes('a wrong token was tried'));
      expect(failures).toHaveLength(10);
      for (const l of failures) expect(JSON.parse(l)).toMatchObject({ address: expect.stringMatching(/127\.0\.0\.1/), via: 'bearer', path: '/live' });
      expect(lines.join('\n')).not.toMatch(/ws-guess-|op-guess-token/);
    } finally {
      await closeAll(p, { dash: d, service: own.service, redis: own.redis });
    }
  });
});

describe('GuessThrottle', () => {
  it('counts per address in a sliding window, and overall', () => {
    let t = 0;
    const g = new GuessThrottle({ perAddress: 3, overall: 5, windowMs: 1000, now: () => t });
    for (let i = 0; i < 3; i++) g.fail('a');
    expect(g.retryAfterS('a')).toBe(1);
    expect(g.retryAfterS('b')).toBe(0);
    t = 1001;
    expect(g.retryAfterS('a')).toBe(0);
    for (let i = 0; i < 5; i++) g.fail(`x${i}`);
    expect(g.retryAfterS('fresh')).toBe(1);
  });
});
