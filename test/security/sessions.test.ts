import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { startDashboard, type Dashboard, type DashboardOptions } from '../../src/dashboard/server.js';
import { resolveDashboardOptions } from '../../src/dashboard/dashboard-options.js';
import { TokenSet } from '../../src/dashboard/security/dashboard-tokens.js';
import { Sessions } from '../../src/dashboard/security/sessions.js';
import { ARI_DIALER, runCli } from '../helpers/run-cli.js';
import { closeAll, newService, REDIS_URL, testPrefix } from '../dashboard/harness.js';

/** Issue 15, item 3: the cookie held the raw token, /logout ended nothing, a 9-character token was accepted. */

const OPERATOR = 'op-session-token-0123456789abcdef';
const VIEWER = 'viewer-session-token-0123456789ab';
const ALICE = 'alice-named-token-0123456789abcdef';
const BOB = 'bob-named-token-0123456789abcdefgh';
const hex = (s: string) => createHash('sha256').update(s).digest('hex');

let prefix: string;
let redis: Redis;
let service: CampaignService;
const started: Dashboard[] = [];

beforeAll(() => {
  prefix = testPrefix();
  ({ redis, service } = newService(prefix));
});
afterAll(async () => {
  for (const d of started) await d.close();
  await closeAll(prefix, { service, redis });
});

async function dashboard(o: Partial<DashboardOptions> = {}): Promise<Dashboard> {
  const d = await startDashboard({ service, redisUrl: REDIS_URL, port: 0, operatorToken: OPERATOR, viewerToken: VIEWER, ...o });
  started.push(d);
  return d;
}

async function login(d: Dashboard, token: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${d.url}/login`, { method: 'POST', redirect: 'manual', headers: { Origin: d.url, ...headers }, body: new URLSearchParams({ token }) });
}

async function whoami(d: Dashboard, headers: Record<string, string>): Promise<{ status: number; body?: { role: string; name: string } }> {
  const r = await fetch(`${d.url}/api/whoami`, { headers });
  return { status: r.status, body: r.ok ? ((await r.json()) as { role: string; name: string }) : (await r.body?.cancel(), undefined) };
}

describe('the login cookie', () => {
  let d: Dashboard;
  beforeAll(async () => {
    d = await dashboard();
  });

  it('carries a signed session id with an expiry, never the token: HttpOnly, SameSite=Strict, 12 h, not Secure over plain HTTP', async () => {
    const r = await login(d, OPERATOR);
    expect(r.status).toBe(303);
    const set = r.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/^dialer_session=[A-Za-z0-9_-]{24}\.\d+\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    for (const form of [OPERATOR, encodeURIComponent(OPERATOR), hex(OPERATOR), createHash('sha256').update(OPERATOR).digest('base64url')])
      expect(set).not.toContain(form);
    const value = set.split(';')[0]!.split('=')[1]!;
    const expires = Number(value.split('.')[1]) * 1000;
    expect(expires - Date.now()).toBeGreaterThan(12 * 3600_000 - 60_000);
    expect(expires - Date.now()).toBeLessThanOrEqual(12 * 3600_000);
    const id = value.split('.')[0]!;
    const ttl = await redis.ttl(service.keys.session(id));
    expect(ttl).toBeGreaterThan(43_100);
    expect(await redis.get(service.keys.session(id))).not.toContain(OPERATOR);
    expect(await whoami(d, { Cookie: `dialer_session=${value}` })).toMatchObject({ status: 200, body: { role: 'operator', name: 'operator' } });
  });

  it('refuses the old cookie holding the raw token, and a forged or tampered session (each counted as a guess)', async () => {
    expect((await whoami(d, { Cookie: `dialer_token=${OPERATOR}` })).status).toBe(401);
    expect((await whoami(d, { Cookie: `dialer_session=${OPERATOR}` })).status).toBe(401);
    const value = (await login(d, VIEWER)).headers.get('set-cookie')!.split(';')[0]!.split('=')[1]!;
    const [id, exp, mac] = value.split('.') as [string, string, string];
    expect((await whoami(d, { Cookie: `dialer_session=${id}.${Number(exp) + 86_400}.${mac}` })).status).toBe(401);
    expect((await whoami(d, { Cookie: `dialer_session=${id}.${exp}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}` })).status).toBe(401);
    expect(await whoami(d, { Cookie: `dialer_session=${value}` })).toMatchObject({ status: 200, body: { role: 'viewer', name: 'viewer' } });
  });

  it('/logout ends the session: a copy of the cookie kept from before is refused', async () => {
    const jar = (await login(d, OPERATOR)).headers.get('set-cookie')!.split(';')[0]!;
    expect((await whoami(d, { Cookie: jar })).status).toBe(200);
    const out = await fetch(`${d.url}/logout`, { method: 'POST', redirect: 'manual', headers: { Origin: d.url, Cookie: jar } });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/^dialer_session=; .*Max-Age=0/);
    expect((await whoami(d, { Cookie: jar })).status).toBe(401);
  });

  it('is Secure when dashboardPublicUrl is https, or a trusted proxy says the request came over HTTPS', async () => {
    const pub = await dashboard({ publicUrl: 'https://dialer.example.test' });
    expect((await login(pub, OPERATOR)).headers.get('set-cookie')).toMatch(/; Secure$/);
    const proxied = await dashboard({ trustProxy: 'loopback' });
    expect((await login(proxied, OPERATOR, { 'X-Forwarded-Proto': 'https' })).headers.get('set-cookie')).toMatch(/; Secure$/);
    // Without trustProxy the header is anyone's to send: not believed.
    expect((await login(d, OPERATOR, { 'X-Forwarded-Proto': 'https' })).headers.get('set-cookie')).not.toMatch(/Secure/);
  });

  it('a session ends when its token is changed in the configuration', async () => {
    const jar = (await login(d, OPERATOR)).headers.get('set-cookie')!.split(';')[0]!;
    const rotated = await dashboard({ operatorToken: `${OPERATOR}-rotated` });
    expect((await whoami(rotated, { Cookie: jar })).status).toBe(401);
    expect((await whoami(d, { Cookie: jar })).status).toBe(200);
  });

  it('expires after its lifetime even while Redis still holds it', async () => {
    let now = Date.now();
    const tokens = new TokenSet([{ name: 'operator', role: 'operator', token: OPERATOR }]);
    const sessions = await Sessions.open({ redis, keys: service.keys, tokens, now: () => now });
    const cookie = await sessions.create({ name: 'operator', role: 'operator' });
    expect(await sessions.resolve(cookie)).toEqual({ ok: true, who: { name: 'operator', role: 'operator' } });
    now += 12 * 3600_000 + 1000;
    expect(await sessions.resolve(cookie)).toEqual({ ok: false, reason: 'expired' });
  });
});

describe('tokens', () => {
  it('refuses a token shorter than 24 characters where the dashboard is reachable from elsewhere, naming the setting (never the token)', () => {
    const silent = pino({ level: 'silent' });
    const resolve = (o: Partial<DashboardOptions>) => {
      try {
        resolveDashboardOptions({ service, port: 0, host: '0.0.0.0', ...o }, silent);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    };
    const short = 'nine-char';
    const e1 = resolve({ operatorToken: short });
    expect(e1).toMatch(/dashboardToken \(DASHBOARD_TOKEN\): the token is 9 characters long, at least 24 are required/);
    expect(e1).not.toContain(short);
    expect(resolve({ operatorToken: OPERATOR, viewerToken: 'x'.repeat(23) })).toMatch(
      /dashboardViewerToken \(DASHBOARD_VIEWER_TOKEN\): the token is 23 characters long/,
    );
    expect(resolve({ tokens: [{ name: 'carol', role: 'operator', token: 'short-one', setting: 'dashboardTokens[0] (carol)' }] })).toMatch(
      /dashboardTokens\[0\] \(carol\): the token is 9 characters long/,
    );
    expect(resolve({ operatorToken: OPERATOR })).toBeUndefined();
  });

  it('on loopback a short token is a warning naming the setting, and the dashboard starts', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, cb) => (lines.push(chunk.toString()), cb()) });
    const d = await dashboard({ operatorToken: 'tok-operator', logger: pino({ level: 'info' }, sink) });
    expect(await whoami(d, { Authorization: 'Bearer tok-operator' })).toMatchObject({ status: 200 });
    const warning = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => l.level === 40 && /DASHBOARD_TOKEN/.test(l.msg));
    expect(warning?.msg).toMatch(/dashboardToken \(DASHBOARD_TOKEN\): the token is 12 characters long, at least 24 .*loopback only/);
    expect(lines.join('')).not.toContain('tok-operator');
  });

  it('`ari-dialer serve --host 0.0.0.0` with a short DASHBOARD_TOKEN exits before listening, with the setting named', async () => {
    const r = await runCli(ARI_DIALER, ['serve', '--host', '0.0.0.0', '--port', '0'], { REDIS_URL, DIALER_PREFIX: prefix, DASHBOARD_TOKEN: 'tok-operator' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/dashboardToken \(DASHBOARD_TOKEN\): the token is 12 characters long, at least 24/);
    expect(r.stderr + r.stdout).not.toContain('tok-operator');
  });

  it('named tokens (the token or only its SHA-256) say who acts; the env tokens are "operator" and "viewer"', async () => {
    const d = await dashboard({
      tokens: [
        { name: 'alice', role: 'operator', sha256: hex(ALICE) },
        { name: 'bob', role: 'viewer', token: BOB },
      ],
    });
    expect(await whoami(d, { Authorization: `Bearer ${ALICE}` })).toMatchObject({ status: 200, body: { name: 'alice', role: 'operator' } });
    expect(await whoami(d, { Authorization: `Bearer ${BOB}` })).toMatchObject({ status: 200, body: { name: 'bob', role: 'viewer' } });
    expect(await whoami(d, { Authorization: `Bearer ${VIEWER}` })).toMatchObject({ status: 200, body: { name: 'viewer', role: 'viewer' } });
    const jar = (await login(d, ALICE)).headers.get('set-cookie')!.split(';')[0]!;
    expect(await whoami(d, { Cookie: jar })).toMatchObject({ status: 200, body: { name: 'alice' } });
    const pause = await fetch(`${d.url}/api/campaigns/nope/pause`, { method: 'POST', headers: { Authorization: `Bearer ${BOB}` } });
    expect(pause.status).toBe(403);
    await pause.body?.cancel();
  });
});

describe('trustProxy', () => {
  const guess = (d: Dashboard, from?: string) =>
    fetch(`${d.url}/api/whoami`, { headers: { Authorization: 'Bearer wrong-token-0123456789abcdef', ...(from ? { 'X-Forwarded-For': from } : {}) } }).then(
      async (r) => (await r.body?.cancel(), r.status),
    );

  it('off: X-Forwarded-For is not believed, so a guesser cannot pick a fresh address for each try', async () => {
    const d = await dashboard();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push(await guess(d, `203.0.113.${i}`));
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it('on: the client address comes from the trusted proxy, so one client is throttled without locking out the others', async () => {
    const d = await dashboard({ trustProxy: 'loopback' });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push(await guess(d, '203.0.113.7'));
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    expect(await guess(d, '203.0.113.8')).toBe(401);
  });

  it('on: the origin check uses the Host the browser sent through the proxy (X-Forwarded-Host)', async () => {
    const d = await dashboard({ trustProxy: 'loopback', publicUrl: 'https://dialer.example.test' });
    const post = (headers: Record<string, string>) =>
      fetch(`${d.url}/api/campaigns/nope/pause`, { method: 'POST', headers: { Authorization: `Bearer ${OPERATOR}`, ...headers } }).then(
        async (r) => (await r.body?.cancel(), r.status),
      );
    expect(await post({ 'X-Forwarded-Host': 'dialer.example.test', 'X-Forwarded-Proto': 'https', Origin: 'https://dialer.example.test' })).toBe(404);
    expect(await post({ 'X-Forwarded-Host': 'rebind.attacker.example', Origin: 'http://rebind.attacker.example' })).toBe(421);
    // Without trustProxy the same header is ignored (the Host is ours): the foreign Origin is what refuses it.
    const plain = await dashboard();
    const r = await fetch(`${plain.url}/api/campaigns/nope/pause`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${OPERATOR}`, 'X-Forwarded-Host': 'dialer.example.test', Origin: 'https://dialer.example.test' },
    });
    expect(r.status).toBe(403);
    await r.body?.cancel();
  });

  it('refuses a value Express cannot read, and "true" (which would believe anyone), naming the setting', async () => {
    await expect(startDashboard({ service, port: 0, trustProxy: 'true' })).rejects.toThrow(/trustProxy: "true" would believe X-Forwarded-For from anyone/);
    await expect(startDashboard({ service, port: 0, trustProxy: 'not-an-address' })).rejects.toThrow(/trustProxy: "not-an-address" is not/);
  });
});
