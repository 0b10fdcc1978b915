import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, verifySignature } from '../../src/webhook/sign.js';
import { maxPerSecond, waitUntil } from '../helpers/redis-test.js';
import { BUSY_CAMPAIGN, numbersFor, report, Rig } from './harness.js';

const SECRET = 'whsec-fault-suite';
const RATE = 40;

interface Delivery {
  at: number;
  key: string;
  signature: string;
  body: string;
}

/** A CRM that can go away: while down its port refuses connections. */
class Receiver {
  readonly deliveries: Delivery[] = [];
  private server: Server | undefined;
  port = 0;

  async up(): Promise<void> {
    const server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        this.deliveries.push({ at: Date.now(), key: String(req.headers[IDEMPOTENCY_HEADER]), signature: String(req.headers[SIGNATURE_HEADER]), body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

let rig: Rig;
const receiver = new Receiver();
beforeAll(async () => {
  rig = await Rig.start('webhook-down', {}, undefined, ['127.0.0.1']);
  await receiver.up();
});
afterAll(async () => {
  await rig.close();
  await receiver.down();
});

describe('fault: the webhook receiver is down for a while', () => {
  it('retries deliveries later; none lost, none twice, signed, within the rate limit', async () => {
    const worker = await rig.worker({ webhookBackoffMs: 200 });
    const numbers = numbersFor(300, 106);
    const id = await rig.campaign('webhook-down', numbers, {
      ...BUSY_CAMPAIGN,
      webhook: { url: `http://127.0.0.1:${receiver.port}/hooks/calls`, secret: SECRET, ratePerSecond: RATE, attempts: 12 },
    });
    await rig.inFlight(100);
    await waitUntil('first deliveries', () => receiver.deliveries.length > 10);
    await receiver.down();
    const downFrom = Date.now();
    await new Promise((r) => setTimeout(r, 6000));
    const whileDown = receiver.deliveries.filter((d) => d.at >= downFrom).length;
    await receiver.up();
    await rig.finished(id, 60_000);
    await waitUntil('every final delivered', () => receiver.deliveries.length >= numbers.length, 60_000, 100).catch(async (err: Error) => {
      const q = await rig.svc.webhookQueue(id).getJobCounts();
      throw new Error(
        `${err.message}: ${receiver.deliveries.length} received; webhook queue ${JSON.stringify(q)}; counters ${JSON.stringify((await rig.svc.status(id)).counters)}`,
      );
    });
    await new Promise((r) => setTimeout(r, 500)); // a late duplicate would show up here
    const a = await rig.expectClean(id, numbers);
    report('webhook-down', a, { deliveries: receiver.deliveries.length });
    expect(whileDown).toBe(0);

    // None lost, none twice: one delivery per number, keyed `<campaign>:<number>`.
    const byKey = new Map<string, Delivery[]>();
    for (const d of receiver.deliveries) byKey.set(d.key, [...(byKey.get(d.key) ?? []), d]);
    expect([...byKey.keys()].sort()).toEqual(numbers.map((n) => `${id}:${n}`).sort());
    expect([...byKey.values()].filter((ds) => ds.length > 1)).toEqual([]);

    // Each body is the number's stored final result, signed with the campaign's secret.
    const finals = new Map<string, unknown>();
    for await (const f of rig.svc.finals(id)) finals.set(f.number, f);
    for (const d of receiver.deliveries) {
      expect(verifySignature(SECRET, d.body, d.signature), d.key).toBe(true);
      expect(verifySignature('not-the-secret', d.body, d.signature)).toBe(false);
      const body = JSON.parse(d.body) as { event: string; idempotency_key: string; result: { number: string } };
      expect(body).toMatchObject({ event: 'call.final', idempotency_key: d.key });
      expect(body.result).toEqual(finals.get(body.result.number));
    }

    // Retried: deliveries that met the closed port went through on a later try.
    const completed = await rig.svc.webhookQueue(id).getJobs(['completed'], 0, 999);
    expect(completed.filter((j) => j.attemptsMade > 1).length).toBeGreaterThan(0);
    const counters = (await rig.svc.status(id)).counters;
    expect(counters).toMatchObject({ webhookDelivered: numbers.length, webhookFailed: 0 });
    // The rate limit held across the catch-up burst.
    expect(maxPerSecond(receiver.deliveries.map((d) => d.at))).toBeLessThanOrEqual(RATE + 1);
    await worker.stop(1000);
  }, 90_000);

  it('a worker started after the campaign finished still delivers what the receiver missed', async () => {
    const first = await rig.worker({ webhookBackoffMs: 100 });
    await receiver.down();
    // Numbers ending in 9 are rejected after 0.8 s of ringing: the campaign is over in a second or two.
    const numbers = Array.from({ length: 20 }, (_, i) => `+1107000${String(i).padStart(2, '0')}9`);
    const id = await rig.campaign('webhook-late', numbers, {
      ...BUSY_CAMPAIGN,
      retry: 'none',
      webhook: { url: `http://127.0.0.1:${receiver.port}/late`, secret: SECRET, ratePerSecond: RATE, attempts: 20 },
    });
    await rig.finished(id, 30_000);
    await first.stop(1000);
    const before = receiver.deliveries.length;
    await receiver.up();
    await rig.worker({ webhookBackoffMs: 100 });
    await waitUntil('the backlog delivered', () => receiver.deliveries.length - before >= numbers.length, 30_000, 100);
    const keys = receiver.deliveries.slice(before).map((d) => d.key);
    expect(keys.sort()).toEqual(numbers.map((n) => `${id}:${n}`).sort());
  }, 60_000);
});
