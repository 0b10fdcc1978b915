import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { ReadyReport } from '../../src/ops/readiness.js';
import { waitUntil } from '../helpers/redis-test.js';
import { getText, metric, parseMetrics } from '../ops/ops-helpers.js';
import { numbersFor, Rig } from './harness.js';
import { attemptsOf, DRAIN_CAMPAIGN, expectWithinBound, GRACE_S, logLines, sigterm } from './sigterm-rig.js';

/** A CRM that takes the connection and the request, and never answers. */
class HangingReceiver {
  readonly requests: IncomingMessage[] = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    const server = createServer((req) => {
      this.requests.push(req);
      req.resume();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

let rig: Rig;
const receiver = new HangingReceiver();
beforeAll(async () => {
  await receiver.start();
  rig = await Rig.start('sigterm-webhook', {}, undefined, ['127.0.0.1']);
});
afterAll(async () => {
  await rig.close();
  await receiver.stop();
});

describe('fault: SIGTERM on a worker whose webhook receiver hangs', () => {
  it('exits within the grace + 10 s; the drain says how many deliveries it waits for, /readyz and the metrics say stopping; undelivered finals stay queued', async () => {
    const worker = await rig.spawnWorker('cli', ['--grace', String(GRACE_S), '--metrics-port', '0']);
    const health = String(logLines(worker, 'worker started')[0]?.metrics);
    expect(health).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const numbers = numbersFor(200, 181);
    const id = await rig.campaign('sigterm-webhook', numbers, { ...DRAIN_CAMPAIGN, webhook: { url: receiver.url, ratePerSecond: 100, attempts: 3 } });
    await rig.inFlight(60);
    // Finals (busy, rejected…) come at once: deliveries hang on the receiver.
    await waitUntil('deliveries hanging', () => receiver.requests.length >= 2, 10_000, 20);

    const stop = sigterm(worker);
    await waitUntil('readyz stopping', async () => (await getText(`${health}/readyz`).catch(() => ({ status: 0 }))).status === 503, 5000, 20);
    const ready = JSON.parse((await getText(`${health}/readyz`)).body) as ReadyReport;
    expect(ready.ready).toBe(false);
    expect(ready.checks.stopping).toEqual({
      ok: false,
      detail: expect.stringMatching(/^stopping: draining \d+ calls in flight, [1-9]\d* webhook deliveries$/),
    });
    const metrics = parseMetrics((await getText(`${health}/metrics`)).body);
    expect(metric(metrics, 'ari_dialer_stopping')).toBe(1);
    expect(metric(metrics, 'ari_dialer_webhook_deliveries_in_flight')).toBeGreaterThanOrEqual(1);

    const m = await stop;
    expectWithinBound('webhook receiver hangs', m, worker);
    // Every call ended and its result is stored: the deliveries left behind are not lost, they wait in the queue.
    expect(m.code, worker.stderr().slice(-3000)).toBe(EXIT.OK);
    const [first] = logLines(worker, 'draining');
    expect(first?.msg).toMatch(/^draining: \d+ calls in flight, [1-9]\d* webhook deliver(y|ies)/);
    expect(Number(first?.webhooks)).toBeGreaterThanOrEqual(1);
    const [stopped] = logLines(worker, 'worker stopped');
    expect(Number(stopped?.webhooksCut)).toBeGreaterThanOrEqual(1);
    expect(logLines(worker, `${String(stopped?.webhooksCut)} webhook deliver`)[0]?.msg).toMatch(/cut short .*: they stay in the webhook queue/);

    // A final result whose delivery was cut or never started is still a job of the webhook queue, for the next worker.
    const finals = [...(await attemptsOf(rig, id)).values()].filter((a) => a.final);
    expect(finals.length).toBeGreaterThan(0);
    const queue = rig.svc.webhookQueue(id);
    const left = await Promise.all(finals.map(async (a) => (await queue.getJob(`wh|${id}|${a.number}`))?.getState()));
    expect(
      left.filter((s) => s === undefined || s === 'completed' || s === 'failed' || s === 'unknown'),
      'finals whose delivery is lost',
    ).toEqual([]);
  });
});
