import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { RedisAuditLog, type AuditEntry, type AuditLog } from '../../src/store/audit/audit-log.js';
import { PgAuditLog } from '../../src/store/audit/pg-audit-log.js';
import { parseSince } from '../../src/store/audit/since.js';
import { Keys } from '../../src/store/keys.js';
import { ARI_DIALER, runCli } from '../helpers/run-cli.js';
import { testHistory } from '../helpers/pg-test.js';
import { closeAll, newService, REDIS_URL, testPrefix } from '../dashboard/harness.js';
import { waitUntil } from '../helpers/redis-test.js';

/** Issue 15, item 5: operator actions (create, pause, cancel, delete, schedule, suppress, purge) left no record of who did them. */

const ALICE = 'alice-audit-token-0123456789abcdef';
const BOB = 'bob-audit-token-0123456789abcdefgh';
const SETTINGS = { endpoint: 'PJSIP/{number}@trunk', cps: 1, startAt: new Date(Date.now() + 3600_000).toISOString() };

let prefix: string;
let redis: Redis;
let service: CampaignService;
let dash: Dashboard;
beforeAll(async () => {
  prefix = testPrefix();
  ({ redis, service } = newService(prefix));
  dash = await startDashboard({
    service,
    redisUrl: REDIS_URL,
    port: 0,
    tokens: [
      { name: 'alice', role: 'operator', token: ALICE },
      { name: 'bob', role: 'viewer', token: BOB },
    ],
  });
});
afterAll(() => closeAll(prefix, { dash, service, redis }));

const call = (path: string, token: string, init: RequestInit = {}) =>
  fetch(`${dash.url}${path}`, { ...init, headers: { Authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });
const status = async (p: Promise<Response>) => {
  const r = await p;
  await r.body?.cancel();
  return r.status;
};

function form(csv: string, options: unknown): FormData {
  const f = new FormData();
  f.append('options', JSON.stringify(options));
  f.append('file', new Blob([csv], { type: 'text/csv' }), 'numbers.csv');
  return f;
}

async function audit(query: string, token = ALICE): Promise<AuditEntry[]> {
  const r = await call(`/api/audit${query}`, token);
  expect(r.status).toBe(200);
  return ((await r.json()) as { entries: AuditEntry[] }).entries;
}

describe('the dashboard puts every action on record', () => {
  it('who (the token name), when, from where, what, which campaign, the outcome; a viewer’s try is refused and recorded', async () => {
    const created = await call('/api/campaigns', ALICE, {
      method: 'POST',
      body: form('number\n+4930100\n+4930101\n', { name: 'audited', settings: SETTINGS }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(await status(call(`/api/campaigns/${id}/pause`, ALICE, { method: 'POST' }))).toBe(200);
    expect(await status(call(`/api/campaigns/${id}/pause`, BOB, { method: 'POST' }))).toBe(403);
    expect(await status(call(`/api/campaigns/${id}/resume`, ALICE, { method: 'POST' }))).toBe(200);
    const endAt = new Date(Date.now() + 7200_000).toISOString();
    expect(
      await status(
        call(`/api/campaigns/${id}/schedule`, ALICE, { method: 'POST', body: JSON.stringify({ endAt }), headers: { 'Content-Type': 'application/json' } }),
      ),
    ).toBe(200);
    expect(
      await status(call(`/api/campaigns/${id}/contacts`, ALICE, { method: 'POST', body: 'number\n+4930102\n', headers: { 'Content-Type': 'text/csv' } })),
    ).toBe(200);
    expect(await status(call(`/api/campaigns/${id}/cancel`, ALICE, { method: 'POST' }))).toBe(200);
    expect(await status(call(`/api/campaigns/${id}?confirm=${id}`, ALICE, { method: 'DELETE' }))).toBe(200);

    let entries: AuditEntry[] = [];
    await waitUntil('all recorded', async () => (entries = await audit(`?campaign=${id}`)).length >= 8, 5000);
    const lines = entries.map((e) => `${e.who} ${e.action} ${e.outcome}`).reverse();
    expect(lines).toEqual([
      'alice campaign.create ok',
      'alice campaign.pause ok',
      'bob campaign.pause refused',
      'alice campaign.resume ok',
      'alice campaign.schedule ok',
      'alice campaign.add-contacts ok',
      'alice campaign.cancel ok',
      'alice campaign.delete ok',
    ]);
    for (const e of entries) {
      expect(e).toMatchObject({ via: 'web', campaignId: id, from: expect.stringMatching(/127\.0\.0\.1/) });
      expect(Date.now() - Date.parse(e.at)).toBeLessThan(60_000);
    }
    expect(entries.find((e) => e.action === 'campaign.create')?.detail).toMatchObject({ name: 'audited', accepted: 2 });
    expect(entries.find((e) => e.action === 'campaign.schedule')?.detail).toEqual({ endAt });
  });

  it('logins and wrong tokens are on record (the name, never a token); viewers cannot read the record', async () => {
    const ok = await fetch(`${dash.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: dash.url },
      body: new URLSearchParams({ token: ALICE }),
    });
    expect(ok.status).toBe(303);
    const bad = await fetch(`${dash.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { Origin: dash.url },
      body: new URLSearchParams({ token: 'guess-guess-guess-guess-guess' }),
    });
    expect(bad.status).toBe(401);
    await bad.body?.cancel();
    let entries: AuditEntry[] = [];
    await waitUntil('logins recorded', async () => (entries = await audit('?since=5m')).some((e) => e.action === 'login.failed'), 5000);
    expect(entries.find((e) => e.action === 'login')).toMatchObject({ who: 'alice', outcome: 'ok', detail: { via: 'login' } });
    expect(entries.find((e) => e.action === 'login.failed')).toMatchObject({ who: '-', outcome: 'refused', from: expect.stringMatching(/127\.0\.0\.1/) });
    expect(await status(call('/api/audit', BOB))).toBe(403);
    const raw = JSON.stringify(await redis.xrange(service.keys.audit, '-', '+'));
    for (const secret of [ALICE, BOB, 'guess-guess']) expect(raw).not.toContain(secret);
    expect(await status(call('/api/audit?since=yesterday', ALICE))).toBe(400);
  });
});

describe('the CLI puts its actions on record as user@host', () => {
  it('campaign pause and a failed cancel, then `ari-dialer audit --campaign ID`', async () => {
    const r = await service.create({
      name: 'cli-audited',
      settings: SETTINGS,
      open: () =>
        (async function* () {
          yield 'number\n+4930200\n';
        })() as never,
    });
    const env = { REDIS_URL, DIALER_PREFIX: prefix };
    expect((await runCli(ARI_DIALER, ['campaign', 'pause', r.id!], env)).code).toBe(0);
    expect((await runCli(ARI_DIALER, ['campaign', 'pause', 'no-such-campaign'], env)).code).not.toBe(0);
    const out = await runCli(ARI_DIALER, ['audit', '--campaign', r.id!, '--json'], env);
    expect(out.code).toBe(0);
    const entries = out.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);
    expect(entries).toEqual([
      expect.objectContaining({
        via: 'cli',
        action: 'campaign.pause',
        campaignId: r.id,
        outcome: 'ok',
        from: hostname(),
        who: expect.stringMatching(new RegExp(`@${hostname()}$`)),
      }),
    ]);
    expect((await runCli(ARI_DIALER, ['suppress', 'add', '+4930999', '+4930998'], env)).code).toBe(0);
    const all = await runCli(ARI_DIALER, ['audit', '--since', '10m'], env);
    expect(all.stdout).toMatch(/campaign\.pause {2}no-such-campaign {2}refused {2}error=NOT_FOUND/);
    expect(all.stdout).toMatch(/ cli {2}\S+ {2}suppression\.add {2}- {2}ok {2}numbers=2/);
  });
});

describe('storage', () => {
  const base = Date.now();
  const entry = (i: number, campaignId?: string): AuditEntry => ({
    at: new Date(base - (10 - i) * 60_000).toISOString(),
    who: `u${i}`,
    from: '127.0.0.1',
    via: 'web',
    action: 'campaign.pause',
    ...(campaignId ? { campaignId } : {}),
    outcome: 'ok',
    detail: { n: i },
  });
  async function contract(log: AuditLog): Promise<void> {
    for (let i = 0; i < 10; i++) await log.record(entry(i, i % 2 ? 'odd' : 'even'));
    expect((await log.list()).map((e) => e.who)).toEqual(['u9', 'u8', 'u7', 'u6', 'u5', 'u4', 'u3', 'u2', 'u1', 'u0']);
    expect((await log.list({ campaignId: 'odd', limit: 2 })).map((e) => e.who)).toEqual(['u9', 'u7']);
    expect((await log.list({ since: base - 3.5 * 60_000 })).map((e) => e.who)).toEqual(['u9', 'u8', 'u7']);
    expect((await log.list({ limit: 1 }))[0]).toEqual(entry(9, 'odd'));
  }

  it('Redis: a stream capped at its length', async () => {
    const keys = new Keys(`${prefix}-stream`);
    await contract(new RedisAuditLog(redis, keys));
    const capped = new RedisAuditLog(redis, new Keys(`${prefix}-capped`), 10);
    for (let i = 0; i < 300; i++) await capped.record(entry(i % 10));
    expect(await redis.xlen(new Keys(`${prefix}-capped`).audit)).toBeLessThan(150);
    await redis.del(keys.audit, new Keys(`${prefix}-capped`).audit);
  });

  it('PostgreSQL: the audit table of migration 5', async () => {
    const { history, drop } = await testHistory('audit');
    try {
      await contract(new PgAuditLog(history.pool));
    } finally {
      await drop();
    }
  });

  it('--since takes spans and ISO times', () => {
    const now = Date.parse('2026-05-01T12:00:00Z');
    expect(parseSince('1d', now)).toBe(now - 86_400_000);
    expect(parseSince('30m', now)).toBe(now - 1_800_000);
    expect(parseSince('2026-04-30T00:00:00Z', now)).toBe(Date.parse('2026-04-30T00:00:00Z'));
    expect(() => parseSince('yesterday', now)).toThrow(/30m, 12h, 1d or 2w/);
  });
});
