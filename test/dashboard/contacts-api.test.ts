// POST /api/campaigns/:id/contacts: CSV, JSON array and NDJSON bodies through the import `campaign add` uses, against
// real Redis (a list in Redis) and PostgreSQL (a list in the contacts table).
import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import type { HistoryStore } from '../../src/store/history/history-store.js';
import { testHistory } from '../helpers/pg-test.js';
import { closeAll, newService, REDIS_URL, testPrefix } from './harness.js';

const OPERATOR = 'op-token-contacts-0123456789';
const VIEWER = 'view-token-contacts-0123456789';
const SETTINGS = { endpoint: 'SIP/trunk/{number}', cps: 50, startAt: new Date(Date.now() + 3600_000).toISOString() };

let prefix: string;
let redis: Redis;
let service: CampaignService;
let dash: Dashboard;
let pgDash: Dashboard;
let pgService: CampaignService;
let pg: { history: HistoryStore; drop: () => Promise<void> };

/** As a server-to-server client posts: a Bearer token and the body's type, no X-Ari-Dialer header, no Origin. */
function post(base: string, path: string, body: string, type: string, token = OPERATOR): Promise<Response> {
  return fetch(`${base}${path}`, { method: 'POST', body, headers: { 'Content-Type': type, Authorization: `Bearer ${token}` } });
}

const csvCampaign = async (svc: CampaignService, csv = 'number,name\n4930100,Ada\n') =>
  (await svc.create({ name: 'api contacts', settings: SETTINGS, open: () => Readable.from([csv]) })).id!;

beforeAll(async () => {
  prefix = testPrefix();
  ({ redis, service } = newService(prefix));
  dash = await startDashboard({
    service,
    redisUrl: REDIS_URL,
    port: 0,
    operatorToken: OPERATOR,
    viewerToken: VIEWER,
    guessLimits: { perAddress: 10_000, overall: 10_000 },
  });
  pg = await testHistory('contacts_api');
  pgService = new CampaignService({ redis, prefix: `${prefix}pg`, history: pg.history });
  pgDash = await startDashboard({ service: pgService, redisUrl: REDIS_URL, port: 0, operatorToken: OPERATOR });
});

afterAll(async () => {
  await pgDash?.close();
  await pgService?.close();
  await closeAll(`${prefix}pg`, {});
  await pg?.drop();
  await closeAll(prefix, { dash, service, redis });
});

describe('POST /api/campaigns/:id/contacts (list in Redis)', () => {
  it('a CSV body with a Bearer token: added, deduplicated against the campaign, suppressed numbers dropped', async () => {
    const id = await csvCampaign(service);
    await redis.sadd(service.keys.suppression, '4930199');
    const res = await post(
      dash.url,
      `/api/campaigns/${id}/contacts`,
      'number,name\n4930100,Ada again\n4930101,Bo\n4930199,Do not call\n4930102,Cy\n',
      'text/csv',
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id, stored: true, rows: 4, accepted: 2, rejected: 0, suppressed: 1, duplicates: 1, errors: [] });
    expect((await service.store.counters(id)).total).toBe(3);
    expect(await service.dialQueue(id).getJob(`${id}|4930102|a1`)).toBeTruthy();
  });

  it('a JSON array with a bad object: 422 naming its line and path, nothing added; ?skipInvalid=1 adds the good ones', async () => {
    const id = await csvCampaign(service);
    const body =
      '[\n  {"number": "4930200", "name": "Ada"},\n  {"number": "12", "name": "short"},\n  {"phone": 4930202, "lead_priority": 3, "vip": true},\n  {"number": "4930203", "name": {"first": "x"}},\n  "4930204"\n]';
    const strict = await post(dash.url, `/api/campaigns/${id}/contacts`, body, 'application/json');
    expect(strict.status).toBe(422);
    const e = (
      (await strict.json()) as { error: { code: string; rejected: number; accepted: number; errors: Array<{ line: number; path: string; reason: string }> } }
    ).error;
    expect(e.code).toBe('ROWS_REJECTED');
    expect(e.rejected).toBe(3);
    expect(e.errors.map((x) => [x.line, x.path])).toEqual([
      [3, '$[1]'],
      [5, '$[3].name'],
      [6, '$[4]'],
    ]);
    expect(e.errors[0]!.reason).toMatch(/^\$\[1\]: number "12" is too short/);
    expect(e.errors[2]!.reason).toMatch(/must be an object/);
    expect((await service.store.counters(id)).total).toBe(1);

    const lax = await post(dash.url, `/api/campaigns/${id}/contacts?skipInvalid=1`, body, 'application/json; charset=utf-8');
    expect(lax.status).toBe(200);
    expect(await lax.json()).toMatchObject({ stored: true, rows: 5, accepted: 2, rejected: 3 });
    const job = await service.dialQueue(id).getJob(`${id}|4930202|a1`);
    expect(job?.data).toMatchObject({ number: '4930202', row: 4, vars: { vip: 'true' } });
  });

  it('NDJSON: each line an object, errors by line; a body that is not an array or not UTF-8 is refused as a whole', async () => {
    const id = await csvCampaign(service);
    const res = await post(
      dash.url,
      `/api/campaigns/${id}/contacts?skipInvalid=true`,
      '{"number":"4930300"}\n\n{"number":"x"}\n{"number":"4930301",\n',
      'application/x-ndjson',
    );
    expect(res.status).toBe(200);
    const r = (await res.json()) as { accepted: number; errors: Array<{ line: number; path: string; reason: string }> };
    expect(r.accepted).toBe(1);
    expect(r.errors.map((x) => [x.line, x.path])).toEqual([
      [3, '$[1]'],
      [4, '$[2]'],
    ]);
    expect(r.errors[1]!.reason).toMatch(/not valid JSON/);

    const notArray = await post(dash.url, `/api/campaigns/${id}/contacts`, '{"number":"4930300"}', 'application/json');
    expect(notArray.status).toBe(400);
    expect(((await notArray.json()) as { error: { code: string } }).error.code).toBe('BAD_CSV');
    const latin1 = await fetch(`${dash.url}/api/campaigns/${id}/contacts`, {
      method: 'POST',
      body: Buffer.from('{"number":"4930300","name":"J\xfcrgen"}\n', 'latin1'),
      headers: { 'Content-Type': 'application/x-ndjson', Authorization: `Bearer ${OPERATOR}` },
    });
    expect(latin1.status).toBe(400);
    expect(((await latin1.json()) as { error: { message: string } }).error.message).toMatch(/not UTF-8/);
  });

  it('refuses what it must: viewer 403, no token 401, unknown campaign 404, a type it does not read 415, an unknown query field 400', async () => {
    const id = await csvCampaign(service);
    const path = `/api/campaigns/${id}/contacts`;
    expect((await post(dash.url, path, 'number\n4930400\n', 'text/csv', VIEWER)).status).toBe(403);
    expect((await fetch(`${dash.url}${path}`, { method: 'POST', body: 'number\n4930400\n', headers: { 'Content-Type': 'text/csv' } })).status).toBe(401);
    expect((await post(dash.url, '/api/campaigns/nope-00000000/contacts', 'number\n4930400\n', 'text/csv')).status).toBe(404);
    const plain = await post(dash.url, path, 'number\n4930400\n', 'text/plain');
    expect(plain.status).toBe(415);
    const q = await post(dash.url, `${path}?skipinvalid=1`, 'number\n4930400\n', 'text/csv');
    expect(q.status).toBe(400);
    expect(((await q.json()) as { error: { problems: unknown } }).error.problems).toEqual([{ path: '?skipinvalid', message: 'unknown field' }]);
    expect((await service.store.counters(id)).total).toBe(1);
  });

  it('a cross-site page cannot add: a form-type post without Bearer is refused before the token is looked at, an Origin of another site too', async () => {
    const id = await csvCampaign(service);
    const path = `${dash.url}/api/campaigns/${id}/contacts`;
    // What a no-cors fetch or a form can send: a "simple" type, the cookie, no Authorization.
    const simple = await fetch(path, {
      method: 'POST',
      body: 'number\n4930500\n',
      headers: { 'Content-Type': 'text/plain', Cookie: `dialer_token=${OPERATOR}` },
    });
    expect(simple.status).toBe(403);
    const foreign = await fetch(path, {
      method: 'POST',
      body: 'number\n4930500\n',
      headers: { 'Content-Type': 'text/csv', Authorization: `Bearer ${OPERATOR}`, Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
    });
    expect(foreign.status).toBe(403);
    expect((await service.store.counters(id)).total).toBe(1);
  });
});

describe('POST /api/campaigns/:id/contacts (list in PostgreSQL)', () => {
  it('10,000 contacts by one NDJSON POST, in under 2 s, all in the contacts table, waiting', async () => {
    const id = await csvCampaign(pgService, 'number\n4930100\n');
    let body = '';
    for (let i = 0; i < 10_000; i++) body += `{"number":"+1555${String(i).padStart(7, '0')}","name":"Customer ${i}","lead_priority":${i % 3}}\n`;
    const t0 = performance.now();
    const res = await post(pgDash.url, `/api/campaigns/${id}/contacts`, body, 'application/x-ndjson');
    const ms = performance.now() - t0;
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 10_000, rejected: 0, duplicates: 0 });
    expect(await pgService.contacts!.counts(id)).toEqual({ waiting: 10_001, queued: 0, retry: 0, done: 0 });
    expect(ms).toBeLessThan(2000);
    // Sent again: every one a duplicate of the campaign's own.
    const again = await post(pgDash.url, `/api/campaigns/${id}/contacts`, body.split('\n').slice(0, 100).join('\n'), 'application/x-ndjson');
    expect(await again.json()).toMatchObject({ accepted: 0, duplicates: 100 });
  });
});
