import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AriEventStream } from '../../src/ari/event-stream.js';
import { CampaignWorker } from '../../jobs/campaign-worker.js';
import { DialerMetrics } from '../../src/ops/dialer-metrics.js';
import { startHealthServer, type HealthServer } from '../../src/ops/health-server.js';
import type { ReadyReport } from '../../src/ops/readiness.js';
import { ariSocketCheck, redisCheck } from '../../src/ops/readiness.js';
import { AriSim } from '../../src/sim/index.js';
import { REDIS_URL, testPrefix, waitUntil } from '../helpers/redis-test.js';
import { getText, metric, parseMetrics } from './ops-helpers.js';

const prefix = testPrefix('readyz');
let sim: AriSim;
let worker: CampaignWorker;
let metrics: DialerMetrics;
let health: HealthServer;

beforeAll(async () => {
  sim = await AriSim.start({ users: { dialer: 'pw' }, timeScale: 0.01 });
  metrics = new DialerMetrics({ processMetrics: false });
  worker = new CampaignWorker({
    redisUrl: REDIS_URL,
    prefix,
    ari: { url: sim.url, user: 'dialer', password: 'pw' },
    app: `readyz-${process.pid}`,
    pollMs: 200,
  });
  metrics.watchStream(worker.events);
  health = await startHealthServer({ metrics, port: 0, checks: [ariSocketCheck(worker.events), redisCheck(worker.service.redis)] });
});

afterAll(async () => {
  await worker.stop(500);
  await health.close();
  await sim.stop();
});

async function ready(): Promise<{ status: number; report: ReadyReport }> {
  const r = await getText(`${health.url}/readyz`);
  return { status: r.status, report: JSON.parse(r.body) as ReadyReport };
}

const gauge = async (name: string) => metric(parseMetrics((await getText(`${health.url}/metrics`)).body), name);

describe('/readyz follows the ARI socket and Redis', () => {
  it('is 503 before the worker connects, 200 once it has', async () => {
    const early = await ready();
    expect(early.status).toBe(503);
    expect(early.report.checks.ari).toMatchObject({ ok: false, detail: expect.stringContaining('not connected') });
    expect((await getText(`${health.url}/healthz`)).status).toBe(200);
    await worker.start();
    const r = await ready();
    expect(r.status).toBe(200);
    expect(r.report).toMatchObject({ ready: true, checks: { ari: { ok: true }, redis: { ok: true } } });
  });

  it('turns 503 when the simulator drops and refuses the socket, and 200 again after the reconnect', async () => {
    const reconnectsBefore = await gauge('ari_dialer_ari_reconnects_total');
    sim.faults.refuseConnections(true);
    sim.faults.dropSockets();
    await waitUntil('readyz 503', async () => (await ready()).status === 503, 5000, 20);
    const down = await ready();
    expect(down.report.ready).toBe(false);
    expect(down.report.checks.ari?.detail).toMatch(/^event socket of app readyz-\d+ not connected for [\d.]+ s$/);
    expect(down.report.checks.redis?.ok).toBe(true);
    expect(await gauge('ari_dialer_ari_connected')).toBe(0);
    // Still refused after a few reconnect attempts: still not ready.
    await new Promise((r) => setTimeout(r, 600));
    expect((await ready()).status).toBe(503);
    sim.faults.refuseConnections(false);
    await waitUntil('readyz 200 again', async () => (await ready()).status === 200, 15_000, 50);
    expect(await gauge('ari_dialer_ari_connected')).toBe(1);
    expect((await gauge('ari_dialer_ari_reconnects_total')) - reconnectsBefore).toBe(1);
  });

  it('a bare drop reconnects by itself and ends ready', async () => {
    const before = await gauge('ari_dialer_ari_reconnects_total');
    sim.faults.dropSockets();
    await waitUntil('reconnected', async () => (await gauge('ari_dialer_ari_reconnects_total')) === before + 1, 10_000, 20);
    expect((await ready()).status).toBe(200);
  });

  it('stays 503 once another process takes the app name (ApplicationReplaced)', async () => {
    const rival = new AriEventStream({ url: sim.url, user: 'dialer', password: 'pw', app: worker.name });
    await rival.start();
    try {
      await waitUntil('readyz 503', async () => (await ready()).status === 503, 5000, 20);
      expect((await ready()).report.checks.ari?.detail).toBe(`app ${worker.name} was taken over by another connection (ApplicationReplaced)`);
      expect(await gauge('ari_dialer_ari_app_replaced_total')).toBe(1);
    } finally {
      await rival.close();
    }
  });
});
