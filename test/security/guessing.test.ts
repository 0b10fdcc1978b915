import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import pino from 'pino';
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
