import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startDashboard } from '../../src/dashboard/server.js';
import { parseCsv } from './harness.js';
import { wsText } from '../../src/ari/ws-text.js';
import { auth, csvForm, dash, errorOf, OPERATOR, redis, req, seeded, service, SETTINGS, useApiDashboard, VIEWER, type Who } from './api-rig.js';

useApiDashboard();

describe('authentication and roles', () => {
  // Every endpoint: who may call it. Operator-only ones must answer 403 to a viewer.
  const endpoints: Array<{ method: string; path: () => string; operatorOnly: boolean; body?: () => BodyInit }> = [
    { method: 'GET', path: () => '/api/whoami', operatorOnly: false },
    { method: 'GET', path: () => '/api/campaigns', operatorOnly: false },
    { method: 'GET', path: () => `/api/campaigns/${seeded}`, operatorOnly: false },
    { method: 'GET', path: () => `/api/campaigns/${seeded}/attempts`, operatorOnly: false },
    { method: 'GET', path: () => `/api/campaigns/${seeded}/inflight`, operatorOnly: false },
    { method: 'GET', path: () => `/api/campaigns/${seeded}/timeline`, operatorOnly: false },
    { method: 'GET', path: () => `/api/campaigns/${seeded}/report?format=csv`, operatorOnly: false },
    { method: 'GET', path: () => '/api/search?q=4930100', operatorOnly: false },
    { method: 'GET', path: () => '/queues/api/queues', operatorOnly: false },
    { method: 'POST', path: () => '/api/campaigns?preview=1', operatorOnly: true, body: () => csvForm('number\n4930100\n', { settings: SETTINGS }) },
    { method: 'POST', path: () => `/api/campaigns/${seeded}/pause`, operatorOnly: true },
    { method: 'POST', path: () => `/api/campaigns/${seeded}/resume`, operatorOnly: true },
    { method: 'PUT', path: () => `/queues/api/queues/${encodeURIComponent(`dial-${seeded}`)}/retry/failed`, operatorOnly: true },
  ];

  for (const e of endpoints) {
    it(`${e.method} ${e.path.toString().replace(/^\(\) => /, '')}: 401 without a token, ${e.operatorOnly ? '403 for a viewer' : '200 for a viewer'}, OK for an operator`, async () => {
      const none = await req(e.path(), 'none', { method: e.method, body: e.body?.() });
      expect(none.status).toBe(401);
      expect((await errorOf(none)).code).toBe('UNAUTHORIZED');

      const bad = await req(e.path(), 'none', { method: e.method, body: e.body?.(), headers: { Authorization: 'Bearer not-the-token' } });
      expect(bad.status).toBe(401);
      await bad.body?.cancel();

      const viewer = await req(e.path(), 'viewer', { method: e.method, body: e.body?.() });
      if (e.operatorOnly) {
        expect(viewer.status).toBe(403);
        expect((await errorOf(viewer)).code).toBe('FORBIDDEN');
      } else {
        expect(viewer.status).toBe(200);
        await viewer.body?.cancel();
      }

      const op = await req(e.path(), 'operator', { method: e.method, body: e.body?.() });
      expect(op.status).toBeLessThan(300);
      await op.body?.cancel();
    });
  }

  it('POST /api/campaigns/:id/cancel: 401, 403 for a viewer, cancels for an operator', async () => {
    const c = await service.create({ name: 'to cancel', settings: SETTINGS, open: () => Readable.from(['number\n4930111\n4930112\n']) });
    const path = `/api/campaigns/${c.id}/cancel`;
    expect((await req(path, 'none', { method: 'POST' })).status).toBe(401);
    expect((await req(path, 'viewer', { method: 'POST' })).status).toBe(403);
    const res = await req(path, 'operator', { method: 'POST' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { campaign: { state: string; done: number } };
    expect(body.campaign.state).toBe('cancelled');
    expect(body.campaign.done).toBe(2);
  });

  it('whoami tells the role and the token name', async () => {
    expect(await (await req('/api/whoami', 'viewer')).json()).toEqual({ role: 'viewer', name: 'viewer', open: false, maxUploadBytes: expect.any(Number) });
    expect(await (await req('/api/whoami', 'operator')).json()).toEqual({
      role: 'operator',
      name: 'operator',
      open: false,
      maxUploadBytes: expect.any(Number),
    });
  });

  it('never takes a token from the URL', async () => {
    const res = await req(`/api/campaigns?token=${OPERATOR}`, 'none');
    expect(res.status).toBe(401);
    await res.body?.cancel();
  });

  it('sends pages without a token to the login form; the form sets an HttpOnly SameSite=Strict cookie that works', async () => {
    const page = await req('/', 'none', { headers: { Accept: 'text/html' } });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login');
    const form = await req('/login', 'none');
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('<label for="token">');
    expect(html).not.toContain(OPERATOR);

    const wrong = await req('/login', 'none', { method: 'POST', body: new URLSearchParams({ token: 'nope' }), headers: { Origin: dash.url } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    await wrong.body?.cancel();

    const ok = await req('/login', 'none', { method: 'POST', body: new URLSearchParams({ token: VIEWER }), headers: { Origin: dash.url } });
    expect(ok.status).toBe(303);
    const cookie = ok.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^dialer_session=/);
    expect(cookie).not.toContain(VIEWER);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const jar = cookie.split(';')[0]!;
    const index = await req('/', 'none', { headers: { Cookie: jar } });
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<label for="u-file">CSV file</label>');
    const who = await req('/api/whoami', 'none', { headers: { Cookie: jar } });
    expect(((await who.json()) as { role: string }).role).toBe('viewer');
  });

  it('refuses a cross-site action made with the cookie', async () => {
    const login = await req('/login', 'none', { method: 'POST', body: new URLSearchParams({ token: OPERATOR }), headers: { Origin: dash.url } });
    const jar = login.headers.get('set-cookie')!.split(';')[0]!;
    const res = await req(`/api/campaigns/${seeded}/pause`, 'none', { method: 'POST', headers: { Cookie: jar, Origin: 'http://evil.example' } });
    expect(res.status).toBe(403);
    await res.body?.cancel();
  });

  it('never sends ARI credentials or webhook secrets to the page', async () => {
    const c = await service.create({
      name: 'hooked',
      settings: { ...SETTINGS, webhook: { url: 'https://user:pw-in-url@hooks.example/x', secret: 's3cret-hook' } },
      open: () => Readable.from(['number\n4930120\n']),
    });
    const text = (await Promise.all([req('/api/campaigns', 'viewer'), req(`/api/campaigns/${c.id}`, 'viewer')].map(async (p) => (await p).text()))).join('\n');
    expect(text).not.toContain('s3cret-hook');
    expect(text).not.toContain('pw-in-url');
    expect(text).toContain('"signed":true');
    await service.cancel(c.id!);
  });
});

describe('campaign API', () => {
  it('lists campaigns with progress, answered rate and ACD', async () => {
    const res = await req('/api/campaigns', 'viewer');
    const { campaigns } = (await res.json()) as { campaigns: Array<Record<string, unknown>> };
    const row = campaigns.find((c) => c.id === seeded)!;
    expect(row).toMatchObject({ name: 'seeded', total: 3, done: 3, progress: 1, attempts: 4, answered: 1, acdS: 3 });
    expect(row.answeredRate).toBeCloseTo(1 / 3);
    expect(row.state).toBe('finished');
  });

  it('gives one campaign with outcomes, causes, timeline and calls in flight', async () => {
    const d = (await (await req(`/api/campaigns/${seeded}`, 'viewer')).json()) as {
      campaign: { id: string };
      final: unknown;
      causes: unknown;
      timeline: { attempts: number }[];
      inflight: unknown;
    };
    expect(d.campaign.id).toBe(seeded);
    expect(d.final).toEqual({ ANSWERED: 1, BUSY: 1, NO_ANSWER: 1 });
    expect(d.causes).toEqual(expect.arrayContaining([{ cause: 'User busy (17)', count: 2 }]));
    expect(d.timeline.reduce((n, b) => n + b.attempts, 0)).toBe(4);
    expect(d.inflight).toEqual([]);
  });

  it('answers 404 for an unknown campaign on every campaign endpoint', async () => {
    for (const [method, path] of [
      ['GET', '/api/campaigns/nope-123'],
      ['GET', '/api/campaigns/nope-123/attempts'],
      ['GET', '/api/campaigns/nope-123/inflight'],
      ['GET', '/api/campaigns/nope-123/timeline'],
      ['GET', '/api/campaigns/nope-123/report'],
      ['POST', '/api/campaigns/nope-123/pause'],
      ['POST', '/api/campaigns/nope-123/resume'],
      ['POST', '/api/campaigns/nope-123/cancel'],
      ['GET', '/api/campaigns/..%2F..%2Fetc/attempts'],
    ] as const) {
      const res = await req(path, 'operator', { method });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect((await errorOf(res)).code).toBe('NOT_FOUND');
    }
  });

  it('pages the latest results and filters them by disposition', async () => {
    const all = (await (await req(`/api/campaigns/${seeded}/attempts?limit=2`, 'viewer')).json()) as {
      total: number;
      items: Array<{ number: string; disposition: string }>;
    };
    expect(all.total).toBe(4);
    expect(all.items.map((a) => a.number)).toEqual(['4930107', '4930106']);
    const next = (await (await req(`/api/campaigns/${seeded}/attempts?limit=2&offset=2`, 'viewer')).json()) as typeof all;
    expect(next.items.map((a) => a.number)).toEqual(['4930100', '4930106']);
    const busy = (await (await req(`/api/campaigns/${seeded}/attempts?disposition=BUSY`, 'viewer')).json()) as typeof all;
    expect(busy.total).toBe(2);
    expect(busy.items.every((a) => a.disposition === 'BUSY')).toBe(true);
    for (const bad of ['limit=0', 'limit=9999', 'offset=-1', 'disposition=MAYBE']) {
      const res = await req(`/api/campaigns/${seeded}/attempts?${bad}`, 'viewer');
      expect(res.status, bad).toBe(400);
      expect((await errorOf(res)).message).toMatch(/^\?(limit|offset|disposition): /);
    }
  });

  it('downloads the CSV report: one row per number, as an attachment', async () => {
    const res = await req(`/api/campaigns/${seeded}/report?format=csv`, 'viewer');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${seeded}-final.csv"`);
    const [header, ...rows] = parseCsv(await res.text());
    const col = (name: string) => header!.indexOf(name);
    expect(rows).toHaveLength(3);
    const byNumber = Object.fromEntries(rows.map((r) => [r[col('number')], r[col('disposition')]]));
    expect(byNumber).toEqual({ '4930100': 'ANSWERED', '4930106': 'BUSY', '4930107': 'NO_ANSWER' });
  });

  it('downloads every attempt as NDJSON and a JSON report with its summary', async () => {
    const nd = await req(`/api/campaigns/${seeded}/report?format=ndjson&attempts=1`, 'viewer');
    expect(nd.headers.get('content-disposition')).toBe(`attachment; filename="${seeded}-attempts.ndjson"`);
    const lines = (await nd.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { number: string });
    expect(lines).toHaveLength(4);
    const json = await req(`/api/campaigns/${seeded}/report?format=json`, 'viewer');
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.stringify(await json.json())).toContain('4930106');
    const bad = await req(`/api/campaigns/${seeded}/report?format=xlsx`, 'viewer');
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toMatch(/^\?format: /);
  });

  it('finds a number, or a job id, across campaigns', async () => {
    const byNumber = (await (await req('/api/search?q=4930106', 'viewer')).json()) as { results: Array<{ campaignId: string; attempts: unknown[] }> };
    // The campaign by its name, as its pages show it, not only its id.
    expect(byNumber.results).toEqual([expect.objectContaining({ campaignId: seeded, campaignName: 'seeded', number: '4930106' })]);
    expect(byNumber.results[0]!.attempts).toHaveLength(2);
    const byJob = (await (await req(`/api/search?q=${encodeURIComponent(`${seeded}|4930100|a1`)}`, 'viewer')).json()) as typeof byNumber;
    expect(byJob.results[0]!.attempts).toHaveLength(1);
    const empty = await req('/api/search?q=', 'viewer');
    expect(empty.status).toBe(400);
    await empty.body?.cancel();
  });

  it('pauses and resumes a running campaign', async () => {
    const c = await service.create({ name: 'pausable', settings: SETTINGS, open: () => Readable.from(['number\n4930131\n']) });
    const paused = (await (await req(`/api/campaigns/${c.id}/pause`, 'operator', { method: 'POST' })).json()) as { campaign: { state: string } };
    expect(paused.campaign.state).toBe('paused');
    const resumed = (await (await req(`/api/campaigns/${c.id}/resume`, 'operator', { method: 'POST' })).json()) as { campaign: { state: string } };
    expect(resumed.campaign.state).toBe('running');
    await service.cancel(c.id!);
  });

  it('sets and clears a waiting campaign’s schedule; a time without an offset is refused, naming the field', async () => {
    const startAt = new Date(Date.now() + 3_600_000).toISOString();
    const c = await service.create({ name: 'scheduled', settings: { ...SETTINGS, startAt }, open: () => Readable.from(['number\n4930141\n']) });
    const post = (body: string) =>
      req(`/api/campaigns/${c.id}/schedule`, 'operator', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    const endAt = new Date(Date.now() + 7_200_000).toISOString().replace('Z', '+00:00');
    const ok = (await (await post(JSON.stringify({ endAt }))).json()) as {
      campaign: { settings: { startAt?: string; endAt?: string }; holdingBack: Array<{ reason: string; detail: string }> };
    };
    expect(ok.campaign.settings).toMatchObject({ startAt, endAt });
    expect(ok.campaign.holdingBack).toContainEqual(expect.objectContaining({ reason: 'schedule', detail: `starts at ${startAt}` }));
    const bad = await post(JSON.stringify({ startAt: '2026-12-01T09:00:00' }));
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).message).toMatch(/startAt: must be an ISO time with a zone.*no offset/);
    const unknownField = await post(JSON.stringify({ start: 'x' }));
    expect(await errorOf(unknownField)).toMatchObject({ message: '$.start: unknown field', problems: [{ path: '$.start', message: 'unknown field' }] });
    const cleared = (await (await post(JSON.stringify({ startAt: null }))).json()) as typeof ok;
    expect(cleared.campaign.settings.startAt).toBeUndefined();
    const viewer = await req(`/api/campaigns/${c.id}/schedule`, 'viewer', { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(viewer.status).toBe(403);
    await viewer.body?.cancel();
    await service.cancel(c.id!);
  });

  it('answers unknown API paths with a JSON 404', async () => {
    const res = await req('/api/nothing-here', 'viewer');
    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('NOT_FOUND');
  });
});

describe('queues (bull-board)', () => {
  it('lists campaign queues for a viewer, and keeps queue changes to operators', async () => {
    const res = await req('/queues/api/queues', 'viewer');
    const body = (await res.json()) as { queues: Array<{ name: string }> };
    expect(body.queues.map((q) => q.name)).toContain(`dial-${seeded}`);
    const ui = await req('/queues/', 'viewer');
    expect(ui.status).toBe(200);
    expect(await ui.text()).toMatch(/<html/i);
    const pause = await req(`/queues/api/queues/${encodeURIComponent(`dial-${seeded}`)}/pause`, 'viewer', { method: 'PUT' });
    expect(pause.status).toBe(403);
    await pause.body?.cancel();
  });
});

describe('live feed', () => {
  function connect(who: Who, headers: Record<string, string> = {}): WebSocket {
    return new WebSocket(`${dash.url.replace('http', 'ws')}/live`, { headers: auth(who, headers) });
  }

  it('refuses a socket without a token, or from another site', async () => {
    for (const ws of [connect('none'), connect('operator', { Origin: 'http://evil.example' })]) {
      const status = await new Promise<number>((resolve) => {
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
        ws.on('error', () => undefined);
      });
      expect([401, 403]).toContain(status);
      ws.terminate();
    }
  });

  it('pushes a snapshot on connect, then coalesced updates: a burst of events is a few messages', async () => {
    const ws = connect('viewer');
    const messages: Array<{ type: string; detail?: { campaign: { id: string } } }> = [];
    ws.on('message', (d) => messages.push(JSON.parse(wsText(d)) as (typeof messages)[number]));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await expect.poll(() => messages.map((m) => m.type)).toEqual(['hello', 'campaigns']);
    ws.send(JSON.stringify({ watch: seeded }));
    await expect.poll(() => messages.filter((m) => m.type === 'campaign').length).toBe(1);
    expect(messages.at(-1)!.detail!.campaign.id).toBe(seeded);

    const start = messages.length;
    const t0 = Date.now();
    for (let i = 0; i < 200; i++) await redis.publish(service.keys.events, JSON.stringify({ type: 'attempt', id: seeded }));
    await new Promise((r) => setTimeout(r, 700));
    const burst = messages.slice(start);
    const elapsed = (Date.now() - t0) / 1000;
    expect(burst.length).toBeGreaterThanOrEqual(1);
    // 200 events, at most ~4 updates a second (plus one for the boundary).
    expect(burst.length).toBeLessThanOrEqual(Math.ceil(elapsed * 4) + 1);
    expect(burst.every((m) => m.type === 'campaign')).toBe(true);
    ws.close();
  });
});

describe('open mode and options', () => {
  it('without tokens, everything is open as operator on loopback', async () => {
    const open = await startDashboard({ service, port: 0 });
    try {
      const who = await fetch(`${open.url}/api/whoami`);
      expect(await who.json()).toEqual({ role: 'operator', name: 'local', open: true, maxUploadBytes: 50 * 1024 * 1024 });
      const login = await fetch(`${open.url}/login`, { redirect: 'manual' });
      expect(login.status).toBe(303);
    } finally {
      await open.close();
    }
  });

  it('refuses a non-loopback address without an operator token, and a viewer token alone', async () => {
    await expect(startDashboard({ service, host: '0.0.0.0', port: 0 })).rejects.toThrow(/not a loopback address: set an operator token/);
    await expect(startDashboard({ service, port: 0, viewerToken: 'v' })).rejects.toThrow(/viewerToken needs an operatorToken/);
  });
});
