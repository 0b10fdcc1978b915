// POST /api/calls and GET /api/calls/:channelId against real Redis, a worker and the simulator (list in Redis), and
// against PostgreSQL (list in the contacts table, no worker: where the call goes in the hopper).
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { HopperFeeder } from '../../src/campaign/hopper/hopper-feeder.js';
import { startCampaignRig, type CampaignRig } from '../helpers/campaign-rig.js';
import { testHistory } from '../helpers/pg-test.js';
import { dropPrefix, REDIS_URL, testPrefix, waitUntil } from '../helpers/redis-test.js';
import type { HistoryStore } from '../../src/store/history/history-store.js';

const OPERATOR = 'op-token-calls-0123456789';
const VIEWER = 'view-token-calls-0123456789';
const SETTINGS = { endpoint: 'SIP/trunk/{number}', cps: 100, maxConcurrent: 20, timeoutS: 5 };

type Json = Record<string, unknown> & { error?: { code: string; message: string; problems?: Array<{ path: string; message: string }> } };

async function call(
  base: string,
  body: unknown,
  headers: Record<string, string> = {},
  token = OPERATOR,
): Promise<{ status: number; body: Json; headers: Headers }> {
  const res = await fetch(`${base}/api/calls`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, ...headers },
  });
  return { status: res.status, body: (await res.json()) as Json, headers: res.headers };
}

async function status(base: string, url: string, token = VIEWER): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${base}${url}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Json };
}

describe('one call now (list in Redis, worker, simulator)', () => {
  const prefix = testPrefix('calls');
  let rig: CampaignRig;
  let dash: Dashboard;
  const originates = (n: string) => rig.sim.stats.originatesByEndpoint.get(`SIP/trunk/${n}`) ?? 0;

  beforeAll(async () => {
    // +4930555900…: rings 0.4 s and talks 0.5 s (real time), long enough to see each state.
    rig = await startCampaignRig(prefix, {
      sim: { timeScale: 0.01, rules: [{ match: '+493055590', outcome: 'answer', ringMs: 40_000, talkMs: 50_000 }], dialplanMs: 50_000 },
    });
    dash = await startDashboard({
      service: rig.svc,
      redisUrl: REDIS_URL,
      port: 0,
      operatorToken: OPERATOR,
      viewerToken: VIEWER,
      guessLimits: { perAddress: 10_000, overall: 10_000 },
    });
  });
  afterAll(async () => {
    await dash?.close();
    await rig?.close();
  });

  it('creates the named campaign on first use, answers 202 with the channel id and a status URL, which ends with the result', async () => {
    const r = await call(dash.url, { number: '+4930555000', campaign: 'web-leads', settings: SETTINGS, variables: { LEAD_ID: 'crm-7' } });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({
      campaignId: 'web-leads',
      number: '+4930555000',
      state: 'queued',
      campaignCreated: true,
      channelId: 'dlr-web-leads-_4930555000-a1',
    });
    expect(r.headers.get('location')).toBe(r.body.statusUrl);
    let last: Json = {};
    await waitUntil('the call ended', async () => {
      last = (await status(dash.url, String(r.body.statusUrl))).body;
      return last.state === 'ended';
    });
    expect(last).toMatchObject({
      channelId: r.body.channelId,
      campaignId: 'web-leads',
      attempt: 1,
      result: { disposition: 'ANSWERED', final: true, channel_id: r.body.channelId },
    });
    expect(originates('+4930555000')).toBe(1);
    // The next call through it: the campaign exists, its settings are its own.
    const next = await call(dash.url, { number: '+4930555001', campaign: 'web-leads' });
    expect(next.status).toBe(202);
    expect(next.body.campaignCreated).toBe(false);
  });

  it('reports ringing apart from dialing, then answered, then the result; a list call says dialing until answered', async () => {
    const r = await call(dash.url, { number: '+4930555900', campaign: 'ring-states', settings: { ...SETTINGS, timeoutS: 90 } });
    expect(r.status).toBe(202);
    const seen: string[] = [];
    await waitUntil(
      'the call ended',
      async () => {
        const st = String((await status(dash.url, String(r.body.statusUrl))).body.state);
        if (seen.at(-1) !== st) seen.push(st);
        return st === 'ended';
      },
      15_000,
    );
    expect(seen).toContain('ringing');
    expect(seen).toContain('answered');
    expect(seen.indexOf('ringing')).toBeLessThan(seen.indexOf('answered'));
    // The same campaign's list calls: no ringing mark (one script call per attempt saved), dialing until answered.
    await rig.svc.add('ring-states', { open: () => Readable.from(['number\n+4930555901\n']) });
    const listCall = 'dlr-ring-states-_4930555901-a1';
    const states: string[] = [];
    await waitUntil(
      'the list call ended',
      async () => {
        const b = (await status(dash.url, `/api/calls/${listCall}`)).body;
        if (b.state && states.at(-1) !== b.state) states.push(String(b.state));
        return b.state === 'ended';
      },
      15_000,
    );
    expect(states).toContain('answered');
    expect(states).not.toContain('ringing');
  }, 40_000);

  it('takes amd and message as the campaign settings do, checked by the same parser, for this call only', async () => {
    const bad = await call(dash.url, {
      number: '+4930555950',
      campaign: 'per-call',
      settings: SETTINGS,
      amd: { notSureAs: 'maybe' },
      message: { press: ['1=optout'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.problems?.map((p) => p.path)).toContain('$.amd');
    const noMedia = await call(dash.url, { number: '+4930555950', campaign: 'per-call', settings: SETTINGS, message: { press: ['1=optout'] } });
    expect(noMedia.status).toBe(400);
    expect(noMedia.body.error?.problems?.[0]?.path).toBe('$.message');
    const machine = await call(dash.url, {
      number: '+4930555950',
      campaign: 'per-call',
      settings: SETTINGS,
      message: { media: 'sound:hello', machineMessage: 'sound:vm' },
    });
    expect(machine.status).toBe(400);
    expect(machine.body.error?.problems?.[0]).toMatchObject({ path: '$.message', message: expect.stringMatching(/needs amd/) });
    expect(originates('+4930555950')).toBe(0);

    const r = await call(dash.url, {
      number: '+4930555951',
      campaign: 'per-call',
      settings: SETTINGS,
      amd: true,
      message: { media: 'sound:hello', press: ['1=default,s,1'] },
    });
    expect(r.status).toBe(202);
    let last: Json = {};
    await waitUntil(
      'the call ended',
      async () => {
        last = (await status(dash.url, String(r.body.statusUrl))).body;
        return last.state === 'ended';
      },
      15_000,
    );
    const result = last.result as Record<string, unknown>;
    expect(result.amd_status).toBeDefined();
    expect(result.flow).toBeDefined();
    // The campaign itself has neither: the next call without them plays nothing and skips AMD.
    const plain = await call(dash.url, { number: '+4930555952', campaign: 'per-call', settings: SETTINGS });
    await waitUntil('the plain call ended', async () => (await status(dash.url, String(plain.body.statusUrl))).body.state === 'ended', 15_000);
    const p = (await status(dash.url, String(plain.body.statusUrl))).body.result as Record<string, unknown>;
    expect(p.amd_status).toBeUndefined();
    expect(p.flow).toBeUndefined();
  }, 40_000);

  it('the same Idempotency-Key 10 times: one call, the same answer each time; the key with another body is 422', async () => {
    const body = { number: '+4930555100', campaign: 'web-leads', timeoutS: 5 };
    const answers: Array<Awaited<ReturnType<typeof call>>> = [];
    for (let i = 0; i < 10; i++)
      answers.push(await call(dash.url, i % 2 ? { timeoutS: 5, campaign: 'web-leads', number: '+4930555100' } : body, { 'Idempotency-Key': 'order-4711' }));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(202));
    for (const a of answers) expect(a.body).toEqual(answers[0]!.body);
    expect(answers.slice(1).every((a) => a.headers.get('idempotent-replayed') === 'true')).toBe(true);
    const other = await call(dash.url, { ...body, number: '+4930555101' }, { 'Idempotency-Key': 'order-4711' });
    expect(other.status).toBe(422);
    expect(other.body.error?.code).toBe('IDEMPOTENCY_MISMATCH');
    await waitUntil('the call ended', async () => (await status(dash.url, String(answers[0]!.body.statusUrl))).body.state === 'ended');
    await new Promise((r) => setTimeout(r, 200));
    expect(originates('+4930555100')).toBe(1);
    expect(originates('+4930555101')).toBe(0);
  });

  it('the same number again without a key is 409 naming the first call; concurrent same-key requests still make one call', async () => {
    const dup = await call(dash.url, { number: '+4930555000', campaign: 'web-leads' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'CONFLICT', channelId: 'dlr-web-leads-_4930555000-a1' });
    const together = await Promise.all(
      Array.from({ length: 5 }, () => call(dash.url, { number: '+4930555200', campaign: 'web-leads' }, { 'Idempotency-Key': 'burst-1' })),
    );
    expect(together.map((t) => t.status)).toEqual(Array(5).fill(202));
    await waitUntil('the call ended', async () => (await status(dash.url, String(together[0]!.body.statusUrl))).body.state === 'ended');
    expect(originates('+4930555200')).toBe(1);
  });

  it('bad JSON, unknown fields, wrong types: 400 listing every problem by JSON path, nothing stored', async () => {
    const bad = await call(dash.url, { number: 4930, campaign: 'new one!', timeoutS: 0, variables: { '1x': 'a', ok: 5 }, colour: 'red' });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.code).toBe('BAD_ARGUMENT');
    expect(bad.body.error?.problems?.map((p) => p.path).sort()).toEqual(
      ['$.campaign', '$.colour', '$.number', '$.timeoutS', '$.variables["1x"]', '$.variables.ok'].sort(),
    );
    const noSettings = await call(dash.url, { number: '+4930555300', campaign: 'not-yet' });
    expect(noSettings.status).toBe(400);
    expect(noSettings.body.error?.problems?.[0]?.path).toBe('$.settings');
    const badSettings = await call(dash.url, { number: '+4930555300', campaign: 'not-yet', settings: { endpoint: 'SIP/trunk/{number}', cps: -1 } });
    expect(badSettings.body.error?.problems?.[0]?.path).toBe('$.settings.cps');
    const placeholder = await call(dash.url, { number: '+4930555300', campaign: 'not-yet', settings: { endpoint: 'PJSIP/{number}@{trunk}' } });
    expect(placeholder.body.error?.problems?.[0]?.path).toBe('$.variables');
    const notJson = await call(dash.url, '{"number": ', {});
    expect(notJson.status).toBe(400);
    expect(notJson.body.error?.code).toBe('BAD_JSON');
    expect(await rig.svc.store.get('not-yet')).toBeDefined(); // the placeholder one passed settings: created, no call
    expect((await rig.svc.store.counters('not-yet')).total).toBe(0);
    expect(originates('+4930555300')).toBe(0);
  });

  it("callerId, context, extension, priority only where the campaign allows overrides, each checked as a list's cell", async () => {
    const refused = await call(dash.url, { number: '+4930555500', campaign: 'web-leads', callerId: '+4930999' });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.problems).toEqual([{ path: '$.callerId', message: expect.stringMatching(/allowRowOverrides/) }]);
    const bad = await call(dash.url, {
      number: '+4930555500',
      campaign: 'open-lines',
      settings: { ...SETTINGS, allowRowOverrides: true },
      callerId: '=HYPERLINK("x")',
    });
    expect(bad.body.error?.problems?.[0]?.path).toBe('$.callerId');
    const ok = await call(dash.url, { number: '+4930555500', campaign: 'open-lines', callerId: '"Sales" <+4930999>', context: 'leads', extension: 's' });
    expect(ok.status).toBe(202);
    expect((await rig.svc.dialQueue('open-lines').getJob('open-lines|+4930555500|a1'))?.data).toMatchObject({
      callerId: '"Sales" <+4930999>',
      context: 'leads',
      extension: 's',
    });
    expect(originates('+4930555500')).toBeLessThanOrEqual(1);
  });

  it('roles and misses: a viewer cannot place a call but reads its status; an unknown channel id is 404', async () => {
    expect((await call(dash.url, { number: '+4930555400', campaign: 'web-leads' }, {}, VIEWER)).status).toBe(403);
    expect((await status(dash.url, '/api/calls/dlr-web-leads-_4930555999-a1')).status).toBe(404);
    expect((await status(dash.url, '/api/calls/whatever')).status).toBe(404);
  });

  it('POST to originate: p50 well under 100 ms with a free slot', async () => {
    const ms: number[] = [];
    for (let i = 0; i < 10; i++) {
      const before = rig.sim.stats.originates;
      const t0 = Date.now();
      const r = await call(dash.url, { number: `+49305556${String(i).padStart(2, '0')}`, campaign: 'web-leads' });
      expect(r.status).toBe(202);
      await waitUntil('originated', () => rig.sim.stats.originates > before, 5000, 2);
      ms.push(rig.sim.stats.originateTimestamps.at(-1)! - t0);
    }
    ms.sort((a, b) => a - b);
    console.log(`POST /api/calls → originate: p50 ${ms[4]} ms, max ${ms[9]} ms`);
    expect(ms[4]).toBeLessThan(100);
  });
});

describe('one call now (list in PostgreSQL)', () => {
  const prefix = testPrefix('calls-pg');
  let pg: { history: HistoryStore; drop: () => Promise<void> };
  let svc: CampaignService;
  let dash: Dashboard;

  beforeAll(async () => {
    pg = await testHistory('calls_pg');
    const { testRedis } = await import('../helpers/redis-test.js');
    svc = new CampaignService({ redis: testRedis(), prefix, history: pg.history, blockedDestinations: ['+1900'] });
    dash = await startDashboard({ service: svc, redisUrl: REDIS_URL, port: 0, operatorToken: OPERATOR });
  });
  afterAll(async () => {
    await dash?.close();
    await svc?.close();
    await dropPrefix(svc.redis, prefix);
    (svc.redis as { disconnect(): void }).disconnect();
    await pg?.drop();
  });

  it('goes ahead of the hopper as a queued contact (its job first in line); with ahead:false it waits at the end of the list', async () => {
    const list = `number\n${Array.from({ length: 20 }, (_, i) => `+1555000${String(i).padStart(4, '0')}`).join('\n')}\n`;
    const c = await svc.create({ name: 'pg list', settings: SETTINGS, open: () => Readable.from([list]) });
    const id = c.id!;
    const feeder = new HopperFeeder({
      redis: svc.redis,
      keys: svc.keys,
      contacts: svc.contacts!,
      queue: (x) => svc.dialQueue(x),
      campaign: (x) => svc.get(x),
      owner: 't',
    });
    await svc.dialQueue(id).pause(); // no worker here; keep what is fed where it is
    expect(await feeder.feed(id)).toBe(20);
    const now = await call(dash.url, { number: '+4930777000', campaign: id });
    expect(now.status).toBe(202);
    // Oldest first is the order workers take them in.
    const [first] = await svc.dialQueue(id).getJobs(['paused', 'waiting'], 0, 0, true);
    expect(first?.id).toBe(`${id}|+4930777000|a1`);
    expect(await svc.contacts!.stateOf(id, '+4930777000')).toEqual({ state: 'queued', attempt: 1 });
    expect((await status(dash.url, String(now.body.statusUrl), OPERATOR)).body).toMatchObject({ state: 'queued', attempt: 1 });
    const later = await call(dash.url, { number: '+4930777001', campaign: id, ahead: false });
    expect(later.status).toBe(202);
    expect(await svc.contacts!.stateOf(id, '+4930777001')).toEqual({ state: 'waiting', attempt: 1 });
    expect((await status(dash.url, String(later.body.statusUrl), OPERATOR)).body.state).toBe('queued');
    expect((await svc.store.counters(id)).total).toBe(22);
    const blocked = await call(dash.url, { number: '+19005550100', campaign: id });
    expect(blocked.status).toBe(400);
    expect(blocked.body.error?.problems?.[0]).toMatchObject({ path: '$.number', message: expect.stringMatching(/blockedDestinations/) });
    await feeder.stop();
  });
});
