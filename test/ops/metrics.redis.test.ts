import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { CampaignWorker } from '../../jobs/campaign-worker.js';
import { DialerMetrics } from '../../src/ops/dialer-metrics.js';
import { startHealthServer, type HealthServer } from '../../src/ops/health-server.js';
import { ariSocketCheck, redisCheck } from '../../src/ops/readiness.js';
import { AriSim } from '../../src/sim/index.js';
import { dropPrefix, REDIS_URL, testPrefix, testRedis, waitUntil } from '../helpers/redis-test.js';
import { getText, metric, parseMetrics } from './ops-helpers.js';

const prefix = testPrefix('metrics');
let sim: AriSim;
let redis: Redis;
let svc: CampaignService;
let worker: CampaignWorker;
let metrics: DialerMetrics;
let health: HealthServer;
let hook: Server;
let hookUrl: string;

beforeAll(async () => {
  sim = await AriSim.start({ users: { dialer: 'pw' }, timeScale: 0.01 });
  redis = testRedis();
  svc = new CampaignService({ redis, prefix, webhookAllowHosts: ['127.0.0.1'] });
  metrics = new DialerMetrics({ processMetrics: false });
  worker = new CampaignWorker({
    redisUrl: REDIS_URL,
    prefix,
    ari: { url: sim.url, user: 'dialer', password: 'pw' },
    pollMs: 100,
    webhookAllowHosts: ['127.0.0.1'],
    observer: metrics.callObserver(),
    onBreaker: metrics.breakerObserver(),
  });
  metrics.watchStream(worker.events);
  metrics.watchHealth(worker);
  metrics.watchInFlight(() => worker.callsInFlight);
  metrics.watchCampaigns(worker.service, { cacheMs: 0 });
  health = await startHealthServer({ metrics, port: 0, checks: [ariSocketCheck(worker.events), redisCheck(worker.service.redis)] });
  await worker.start();
  // The webhook receiver refuses results of numbers ending in 1: those deliveries fail (one attempt only).
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const number = (JSON.parse(body) as { result: { number: string } }).result.number;
      res.writeHead(number.endsWith('1') ? 500 : 200).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  await worker.stop(1000);
  await health.close();
  await svc.close();
  await dropPrefix(redis, prefix);
  redis.disconnect();
  await sim.stop();
  await new Promise<void>((resolve) => hook.close(() => resolve()));
});

const scrape = async () => {
  const r = await getText(`${health.url}/metrics`);
  expect(r.status).toBe(200);
  return parseMetrics(r.body);
};

describe('/metrics during a small campaign', () => {
  it('counters move by exactly what happened', async () => {
    const before = await scrape();
    const delta = (after: Map<string, number>, name: string, labels: Record<string, string> = {}) => metric(after, name, labels) - metric(before, name, labels);
    // The simulator decides by the last digit: 0-5 answer, 6 busy, 8 congestion, 9 rejected. The first originate
    // (one job at a time, in CSV order) gets a 500 from "Asterisk": refused, so it goes back to the queue and out
    // again (every number is dialed once); the refusal shows as a REST error and an ERROR end, not as an originate.
    sim.faults.failRest(500, { count: 1, match: /^POST \/ari\/channels\/[^/]+$/ });
    const numbers = ['+15550001003', '+15550001000', '+15550001001', '+15550001002', '+15550001006', '+15550001008', '+15550001009'];
    const r = await svc.create({
      name: 'metrics',
      settings: {
        endpoint: 'SIP/trunk/{number}',
        cps: 100,
        maxConcurrent: 1,
        timeoutS: 5,
        retry: 'none',
        webhook: { url: hookUrl, attempts: 1, ratePerSecond: 100 },
      },
      open: () => Readable.from([`number\n${numbers.join('\n')}\n`]),
    });
    const id = r.id!;
    await waitUntil('campaign finished', async () => (await svc.get(id)).state === 'finished', 20_000);
    await waitUntil('webhooks settled', async () => {
      const c = await svc.store.counters(id);
      return c.webhookDelivered + c.webhookFailed === numbers.length;
    });
    const after = await scrape();

    expect(delta(after, 'ari_dialer_originates_total')).toBe(7);
    expect(delta(after, 'ari_dialer_calls_total')).toBe(8);
    expect(delta(after, 'ari_dialer_calls_total', { disposition: 'ANSWERED', cause: '16' })).toBe(4);
    expect(delta(after, 'ari_dialer_calls_total', { disposition: 'BUSY', cause: '17' })).toBe(1);
    expect(delta(after, 'ari_dialer_calls_total', { disposition: 'CONGESTION', cause: '34' })).toBe(1);
    expect(delta(after, 'ari_dialer_calls_total', { disposition: 'REJECTED', cause: '21' })).toBe(1);
    expect(delta(after, 'ari_dialer_calls_total', { disposition: 'ERROR' })).toBe(1);
    expect(delta(after, 'ari_dialer_ari_rest_errors_total', { status: '500', method: 'POST' })).toBe(1);
    expect(delta(after, 'ari_dialer_originate_to_answer_seconds_count')).toBe(4);
    expect(delta(after, 'ari_dialer_up_to_continue_seconds_count')).toBe(4);
    // Every answered call rang 10 ms here (timeScale 0.01): all in the first bucket.
    expect(delta(after, 'ari_dialer_originate_to_answer_seconds_bucket', { le: '0.5' })).toBe(4);
    // One refusal is no run: Asterisk up, no breaker open, none tripped.
    expect(metric(after, 'ari_dialer_asterisk_up')).toBe(1);
    expect(delta(after, 'ari_dialer_breaker_trips_total', { campaign: id })).toBe(0);
    expect(metric(after, 'ari_dialer_calls_in_flight')).toBe(0);
    expect(metric(after, 'ari_dialer_ari_connected')).toBe(1);
    // A finished dial job is removed at once (its result is in the campaign store).
    expect(metric(after, 'ari_dialer_queue_jobs', { campaign: id, state: 'completed' })).toBe(0);
    expect(metric(after, 'ari_dialer_queue_jobs', { campaign: id, state: 'waiting' })).toBe(0);
    expect(metric(after, 'ari_dialer_webhook_deliveries_total', { campaign: id })).toBe(6);
    expect(metric(after, 'ari_dialer_webhook_failures_total', { campaign: id })).toBe(1);
  });

  it('metrics live in their own registry: two instances never collide, the global one stays empty', async () => {
    const { register } = await import('prom-client');
    const other = new DialerMetrics({ processMetrics: false });
    other.originates.inc();
    expect(await register.metrics()).not.toContain('ari_dialer_');
    expect(metric(parseMetrics((await other.render()).body), 'ari_dialer_originates_total')).toBe(1);
  });

  it('/healthz answers, unknown paths are 404, other methods 405', async () => {
    expect(await getText(`${health.url}/healthz`)).toEqual({ status: 200, body: 'ok\n' });
    expect((await getText(`${health.url}/readyz`)).status).toBe(200);
    expect((await getText(`${health.url}/nope`)).status).toBe(404);
    expect((await fetch(`${health.url}/metrics`, { method: 'POST' })).status).toBe(405);
  });
});
