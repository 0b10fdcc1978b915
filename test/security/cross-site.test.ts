import { request } from 'node:http';
import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { closeAll, newService, REDIS_URL, testPrefix } from '../dashboard/harness.js';

/**
 * The attacks of issue 15 against a dashboard without a token (the demo, a plain `serve`), as a browser on the
 * operator's machine would send them for a page on another site. Everything goes to 127.0.0.1.
 */

const SETTINGS = { endpoint: 'SIP/trunk/{number}', cps: 5 };
const EVIL = 'http://evil.example';

let prefix: string;
let redis: Redis;
let service: CampaignService;
let dash: Dashboard;
let target: string;

interface Answer {
  status: number;
  text: string;
}

/** A raw HTTP request: fetch() will not let us set Host, and a browser's headers are spelt out here. */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port: dash.port, method, path, headers: { Host: `127.0.0.1:${dash.port}`, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    r.on('error', reject);
    r.end(body);
  });
}

const campaignCount = async () => (await service.list()).length;
const stateOf = async (id: string) => (await service.get(id)).state;

beforeAll(async () => {
  prefix = testPrefix();
  ({ redis, service } = newService(prefix));
  dash = await startDashboard({ service, redisUrl: REDIS_URL, port: 0 });
  target = (await service.create({ name: 'target', settings: SETTINGS, open: () => Readable.from(['number\n4930100\n4930101\n']) })).id!;
});

afterAll(() => closeAll(prefix, { dash, service, redis }));

describe('a page on another site cannot act through the operator’s browser (no token set)', () => {
  it('an auto-submitting cross-site form cannot pause a campaign', async () => {
    const before = await stateOf(target);
    const form = { 'Content-Type': 'application/x-www-form-urlencoded', Origin: EVIL, 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate' };
    const res = await send('POST', `/api/campaigns/${target}/pause`, form, 'x=1');
    expect(res.status).toBe(403);
    expect(res.text).toContain('cross-site request refused');
    // Older browsers send only Origin; some privacy setups only Sec-Fetch-Site: either alone is enough.
    expect((await send('POST', `/api/campaigns/${target}/pause`, { 'Content-Type': 'application/x-www-form-urlencoded', Origin: EVIL }, 'x=1')).status).toBe(
      403,
    );
    expect(
      (await send('POST', `/api/campaigns/${target}/pause`, { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'cross-site' }, 'x=1'))
        .status,
    ).toBe(403);
    // Another port of localhost is "same-site", but not us.
    expect((await send('POST', `/api/campaigns/${target}/pause`, { Origin: 'http://127.0.0.1:1', 'Sec-Fetch-Site': 'same-site' })).status).toBe(403);
    expect(await stateOf(target)).toBe(before);
  });

  it('a no-cors text/plain fetch cannot create a campaign dialing premium numbers', async () => {
    const before = await campaignCount();
    const options = encodeURIComponent(JSON.stringify({ name: 'evil', settings: { ...SETTINGS, webhook: 'https://evil.example/hook' } }));
    const csv = 'number\n+19005550100\n+449091234567\n';
    const noCors = { 'Content-Type': 'text/plain;charset=UTF-8', Origin: EVIL, 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'no-cors' };
    const res = await send('POST', `/api/campaigns?options=${options}`, noCors, csv);
    expect(res.status).toBe(403);
    // Even a browser that sent neither Origin nor Sec-Fetch-Site cannot: a simple request lacks the JSON type or header.
    const bare = await send('POST', `/api/campaigns?options=${options}`, { 'Content-Type': 'text/plain' }, csv);
    expect(bare.status).toBe(403);
    expect(bare.text).toContain('x-ari-dialer');
    const multipart = await send('POST', `/api/campaigns/${target}/cancel`, { 'Content-Type': 'multipart/form-data; boundary=x' }, '--x--\r\n');
    expect(multipart.status).toBe(403);
    expect(await campaignCount()).toBe(before);
    expect(await stateOf(target)).not.toBe('cancelled');
  });

  it('/logout, /login and bull-board’s actions refuse cross-site posts too', async () => {
    expect((await send('POST', '/logout', { 'Content-Type': 'application/x-www-form-urlencoded', Origin: EVIL })).status).toBe(403);
    expect((await send('POST', '/logout', { 'Content-Type': 'application/x-www-form-urlencoded' })).status).toBe(403);
    expect((await send('POST', '/login', { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'cross-site' }, 'token=x')).status).toBe(403);
    const queue = encodeURIComponent(`${prefix}:dial-${target}`);
    for (const method of ['PUT', 'POST']) {
      const r = await send(method, `/queues/api/queues/${queue}/pause`, { Origin: EVIL, 'Content-Type': 'text/plain' });
      expect(r.status, method).toBe(403);
    }
    expect((await send('POST', `/queues/api/queues/${queue}/add`, { 'Content-Type': 'text/plain' }, '{}')).status).toBe(403);
  });

  it('our own page still works: same Origin with the header, or a script with JSON', async () => {
    const own = { Origin: `http://127.0.0.1:${dash.port}`, 'Sec-Fetch-Site': 'same-origin', 'X-Ari-Dialer': '1' };
    expect((await send('POST', `/api/campaigns/${target}/pause`, own)).status).toBe(200);
    expect(await stateOf(target)).toBe('paused');
    expect((await send('POST', `/api/campaigns/${target}/resume`, { 'Content-Type': 'application/json' }, '{}')).status).toBe(200);
    expect((await send('POST', '/logout', { Origin: `http://127.0.0.1:${dash.port}` })).status).toBe(303);
    // localhost is served as well as the bind address.
    const viaLocalhost = { Host: `localhost:${dash.port}`, Origin: `http://localhost:${dash.port}`, 'X-Ari-Dialer': '1' };
    expect((await send('POST', `/api/campaigns/${target}/pause`, viaLocalhost)).status).toBe(200);
    expect((await send('POST', `/api/campaigns/${target}/resume`, viaLocalhost)).status).toBe(200);
  });
});

describe('DNS rebinding: a Host the dashboard does not serve is 421', () => {
  const rebind = () => ({ Host: `rebind.attacker.example:${dash.port}` });

  it('reads and writes under a foreign Host are refused before anything runs', async () => {
    const list = await send('GET', '/api/campaigns', rebind());
    expect(list.status).toBe(421);
    expect(list.text).not.toContain(target);
    expect(JSON.parse(list.text).error.code).toBe('MISDIRECTED');
    expect((await send('GET', '/', rebind())).status).toBe(421);
    expect((await send('GET', '/queues/api/queues', rebind())).status).toBe(421);
    // "Same-origin" by the browser's reckoning (the attacker's own name), JSON too: still not ours.
    const w = await send(
      'POST',
      `/api/campaigns/${target}/cancel`,
      { ...rebind(), Origin: `http://rebind.attacker.example:${dash.port}`, 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' },
      '{}',
    );
    expect(w.status).toBe(421);
    expect(await stateOf(target)).not.toBe('cancelled');
    expect((await send('GET', '/api/campaigns', { Host: 'bad host!' })).status).toBe(421);
  });

  it('the live feed refuses a foreign Host and a foreign Origin', async () => {
    const outcome = (headers: Record<string, string>) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${dash.port}/live`, { headers });
        ws.on('open', () => {
          ws.close();
          resolve('open');
        });
        ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        ws.on('error', () => resolve('error'));
      });
    expect(await outcome({ Host: `rebind.attacker.example:${dash.port}` })).toBe('403');
    expect(await outcome({ Origin: EVIL })).toBe('403');
    expect(await outcome({ Origin: `http://127.0.0.1:${dash.port}` })).toBe('open');
  });
});

describe('a dashboard behind a proxy serves its public name', () => {
  it('dashboardPublicUrl adds its host and origin', async () => {
    const d = await startDashboard({ service, redisUrl: REDIS_URL, port: 0, publicUrl: 'https://dialer.example.com' });
    try {
      const ask = (headers: Record<string, string>) =>
        new Promise<number>((resolve, reject) => {
          const r = request({ host: '127.0.0.1', port: d.port, method: 'POST', path: `/api/campaigns/${target}/resume`, headers }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          r.on('error', reject);
          r.end();
        });
      expect(await ask({ Host: 'dialer.example.com', Origin: 'https://dialer.example.com', 'X-Ari-Dialer': '1' })).toBe(200);
      expect(await ask({ Host: 'dialer.example.com', Origin: 'https://other.example.com', 'X-Ari-Dialer': '1' })).toBe(403);
      expect(await ask({ Host: 'other.example.com', 'X-Ari-Dialer': '1' })).toBe(421);
    } finally {
      await d.close();
    }
  });
});
