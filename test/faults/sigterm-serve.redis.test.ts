import { request, type ClientRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { ReadyReport } from '../../src/ops/readiness.js';
import { waitUntil } from '../helpers/redis-test.js';
import { getText, metric, parseMetrics } from '../ops/ops-helpers.js';
import { HistoryStore } from '../../src/store/history/history-store.js';
import { Rig, type WorkerChild } from './harness.js';
import { OwnRedis } from './own-redis.js';
import { busyCampaign, CuttableDatabase, expectWithinBound, GRACE_S, logLines, sigterm } from './sigterm-rig.js';

/**
 * `serve` (the dashboard and its API; it runs no worker, but the history archiver and the retention sweeper) stops
 * within shutdownGraceS + 10 s of SIGTERM whatever is down, with a worker's exit codes. Asterisk is not among what it
 * talks to; a webhook receiver neither (deliveries are the workers' jobs: sigterm-webhook-hangs).
 */
const serveArgs = ['--grace', String(GRACE_S), '--port', '0', '--metrics-port', '0'];

/** The dashboard's and the metrics' URLs, as `serve` prints them. */
function urlsOf(serve: WorkerChild): { dash: string; health: string } {
  const dash = /Dashboard: (http:\/\/\S+)/.exec(serve.stdout())?.[1];
  const health = /Metrics: (http:\/\/\S+)\/metrics/.exec(serve.stdout())?.[1];
  if (!dash || !health) throw new Error(`serve printed no URLs: ${serve.stdout()}`);
  return { dash, health };
}

const readyz = async (health: string) => {
  const r = await getText(`${health}/readyz`);
  return { status: r.status, report: JSON.parse(r.body) as ReadyReport };
};

/** A worker in the test's process dialing campaigns whose contacts and history are in `db` (directly, not cut). */
async function pgWorker(rig: Rig, db: CuttableDatabase): Promise<HistoryStore> {
  const history = new HistoryStore({ url: db.directUrl });
  await rig.worker({ history });
  return history;
}

/** A live page: its socket holds a Redis subscription in `serve`. */
async function livePage(dash: string): Promise<WebSocket> {
  const ws = new WebSocket(`${dash.replace('http', 'ws')}/live`);
  ws.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('close', () => reject(new Error('live page closed before its first message')));
  });
  return ws;
}

/** An upload whose body never ends: a write in flight until the server cuts it. */
function endlessUpload(dash: string): ClientRequest {
  const boundary = 'sigterm-serve-boundary';
  const req = request(`${dash}/api/campaigns`, {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-ari-dialer': '1', 'transfer-encoding': 'chunked' },
  });
  req.on('error', () => undefined);
  req.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="numbers.csv"\r\nContent-Type: text/csv\r\n\r\nnumber\n+15550001001\n`);
  return req;
}

describe('fault: SIGTERM on serve with its Redis and PostgreSQL up', () => {
  let rig: Rig;
  let pgdb: CuttableDatabase;
  beforeAll(async () => {
    pgdb = await CuttableDatabase.create();
    rig = await Rig.start('sigterm-serve');
  });
  afterAll(async () => {
    await rig.close();
    await pgdb.drop();
  });

  it('an upload still arriving at the end of the grace is cut (exit 5); meanwhile /readyz is 503 "stopping" and ari_dialer_stopping is 1', async () => {
    const serve = await rig.spawnWorker('serve', serveArgs);
    const { dash, health } = urlsOf(serve);
    expect(await readyz(health)).toMatchObject({ status: 200, report: { ready: true, checks: { stopping: { ok: true, detail: 'running' } } } });
    expect(metric(parseMetrics((await getText(`${health}/metrics`)).body), 'ari_dialer_stopping')).toBe(0);
    const upload = endlessUpload(dash);
    // Time for its headers to reach the server: from then on it counts, while its body is read.
    await new Promise((r) => setTimeout(r, 1000));
    const stop = sigterm(serve);
    await waitUntil('readyz stopping', async () => (await readyz(health).catch(() => ({ status: 0 }))).status === 503, 5000, 20);
    const during = await readyz(health);
    expect(during.report).toEqual({
      ready: false,
      checks: { stopping: { ok: false, detail: 'stopping: draining 1 requests in flight' }, redis: expect.objectContaining({ ok: true }) },
    });
    expect(metric(parseMetrics((await getText(`${health}/metrics`)).body), 'ari_dialer_stopping')).toBe(1);
    const m = await stop;
    upload.destroy();
    expectWithinBound('serve, upload under way', m, serve);
    expect(m.code, serve.stderr().slice(-3000)).toBe(EXIT.SHUTDOWN_RESULTS_NOT_STORED);
    expect(m.ms).toBeGreaterThanOrEqual(GRACE_S * 1000);
    expect(logLines(serve, 'draining: 1 request in flight (1 writing)').length).toBeGreaterThan(0);
    expect(logLines(serve, 'serve stopped')[0]).toMatchObject({ requestsCut: 1, writesCut: 1, exitCode: EXIT.SHUTDOWN_RESULTS_NOT_STORED });
  });

  it('PostgreSQL hanging (nothing goes through) while the archiver writes: exit 0 within the bound; the outbox keeps the rest', async () => {
    const serve = await rig.spawnWorker('serve', [...serveArgs, '--migrate'], { DATABASE_URL: pgdb.url });
    const history = await pgWorker(rig, pgdb);
    const { id } = await busyCampaign(rig, 'sigterm-serve-pg', 171, pgdb, 30);
    await waitUntil('outbox filling', async () => (await rig.svc.store.outboxCount(id)) > 0 || (await pgdb.count('attempts')) > 0, 10_000, 20);
    pgdb.proxy.hang();
    // Calls keep ending: the archiver's next write (every 200 ms when there is work) waits on PostgreSQL forever.
    await new Promise((r) => setTimeout(r, 1500));
    const m = await sigterm(serve);
    expectWithinBound('serve, postgres hangs', m, serve);
    expect(m.code, serve.stderr().slice(-3000)).toBe(EXIT.OK);
    expect(logLines(serve, 'serve stopped')[0]?.timedOut, 'the archiver was caught writing').toContain('history archiver');
    expect(await rig.svc.store.outboxCount(id), 'entries kept for the next archiver').toBeGreaterThan(0);
    await history.close();
  });
});

describe('fault: SIGTERM on serve whose Redis (and PostgreSQL) are gone', () => {
  let redis: OwnRedis;
  let pgdb: CuttableDatabase;
  let rig: Rig;
  beforeAll(async () => {
    redis = await OwnRedis.start();
    pgdb = await CuttableDatabase.create();
    rig = await Rig.start('sigterm-serve-own', {}, redis.url);
  });
  afterAll(async () => {
    await rig.close();
    await redis.stop();
    await pgdb.drop();
  });

  it('Redis gone under a live page: exit 0 within the bound', async () => {
    const serve = await rig.spawnWorker('serve', serveArgs);
    const page = await livePage(urlsOf(serve).dash);
    await redis.kill9();
    const m = await sigterm(serve);
    page.terminate();
    expectWithinBound('serve, redis gone', m, serve);
    expect(m.code, serve.stderr().slice(-3000)).toBe(EXIT.OK);
    await redis.restart();
  });

  it('Redis gone and PostgreSQL hanging while the archiver writes: exit 0 within the bound', async () => {
    const serve = await rig.spawnWorker('serve', [...serveArgs, '--migrate'], { DATABASE_URL: pgdb.url });
    const page = await livePage(urlsOf(serve).dash);
    const history = await pgWorker(rig, pgdb);
    await busyCampaign(rig, 'sigterm-serve-all', 172, pgdb, 30);
    pgdb.proxy.hang();
    await new Promise((r) => setTimeout(r, 1500));
    await redis.kill9();
    const m = await sigterm(serve);
    page.terminate();
    expectWithinBound('serve, all gone', m, serve);
    expect(m.code, serve.stderr().slice(-3000)).toBe(EXIT.OK);
    await history.close();
    // Back, for the test's own clean-up.
    await redis.restart();
  });
});
