import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, verifySignature } from '../../src/webhook/sign.js';
import { waitUntil } from '../helpers/redis-test.js';
import { BUSY_CAMPAIGN, numbersFor, report, Rig } from './harness.js';

const SECRET = 'whsec-dead-trunk';
/** The campaign's webhook receiver: every body it got, with its signature. */
const received: Array<{ body: string; signature: string }> = [];
let receiver: Server;
let rig: Rig;
beforeAll(async () => {
  rig = await Rig.start('dead-trunk', {}, undefined, ['127.0.0.1']);
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ body, signature: String(req.headers[SIGNATURE_HEADER]) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await rig.close();
  await new Promise((r) => receiver.close(r));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const THRESHOLD = 10;

describe('fault: a trunk Asterisk cannot reach (the issue: 300 of 300 numbers final ERROR in under a minute)', () => {
  it('a mistyped endpoint burns no number: the breaker holds the attempts back and pauses the campaign with the reason', async () => {
    // Two workers, each with its own breaker: both may trip; the campaign is paused, and announced, once.
    const worker = await rig.worker({ app: 'typo-a', breaker: { threshold: THRESHOLD, probeDelayMs: 200 } });
    const other = await rig.worker({ app: 'typo-b', breaker: { threshold: THRESHOLD, probeDelayMs: 200 } });
    const numbers = numbersFor(300, 120);
    const webhook = { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, secret: SECRET };
    const id = await rig.campaign('typo', numbers, { ...BUSY_CAMPAIGN, endpoint: 'SIP/nosuchtrunk/{number}', cps: 50, webhook });
    await waitUntil('campaign paused by its breaker', async () => (await rig.svc.get(id)).state === 'paused', 30_000, 50);
    const meta = await rig.svc.get(id);
    expect(meta.paused).toMatchObject({ by: 'breaker' });
    expect(meta.paused?.reason).toMatch(/^\d+ originates in a row failed: 500 Allocation failed on SIP\/nosuchtrunk\/\+1/);
    // Nothing was dialed and nothing is recorded: every number still waits for a working endpoint.
    await sleep(500);
    const status = await rig.svc.status(id);
    expect(status.counters).toMatchObject({ done: 0, attempts: 0, inflight: 0 });
    expect(rig.sim.stats.originates).toBe(0);
    const q = status.queue;
    expect(q.waiting + q.paused + q.delayed + q.active + q.prioritized).toBe(300);
    report('typo', await rig.audit(id, numbers), { pausedReason: meta.paused?.reason });
    // The receiver hears why, signed like every delivery.
    await waitUntil('campaign.paused webhook', () => received.some((r) => r.body.includes('"campaign.paused"')), 10_000, 50);
    const paused = received.find((r) => r.body.includes('"campaign.paused"'))!;
    expect(JSON.parse(paused.body)).toMatchObject({ event: 'campaign.paused', campaign_id: id, by: 'breaker', reason: meta.paused?.reason });
    expect(verifySignature(SECRET, paused.body, paused.signature)).toBe(true);
    await sleep(1500);
    expect(received.filter((r) => r.body.includes('"campaign.paused"'))).toHaveLength(1);
    // Paused for everyone: every worker's breaker, not only the one that tripped, starts afresh on resume.
    expect([worker.breakers.state(id), other.breakers.state(id)]).toEqual(['closed', 'closed']);
    await rig.svc.cancel(id);
    await Promise.all([worker.stop(500), other.stop(500)]);
  });

  it('an outage that ends on its own costs nothing: refused originates go back to the queue and out again once it is back', async () => {
    const worker = await rig.worker({ breaker: { threshold: THRESHOLD, probeDelayMs: 300, pauseAfterTrips: 100 } });
    const numbers = numbersFor(300, 121);
    const id = await rig.campaign('outage-refuse', numbers, { ...BUSY_CAMPAIGN, cps: 100 });
    await rig.inFlight(50);
    rig.sim.faults.trunkDown('SIP/trunk', { mode: 'refuse' });
    await sleep(3000);
    rig.sim.faults.trunkUp();
    await rig.finished(id, 60_000);
    const a = await rig.expectClean(id, numbers);
    report('outage-refuse', a);
    expect(a.unplacedAttempts, 'attempts recorded but never dialed').toBe(0);
    expect(a.byDisposition.ERROR ?? 0).toBe(0);
    await worker.stop(500);
  });

  it('a trunk whose calls fail with cause 34 consumes at most the threshold (plus the trials) before the breaker stops it', async () => {
    await rig.worker({ breaker: { threshold: THRESHOLD, probeDelayMs: 500 } });
    const numbers = numbersFor(600, 122);
    const id = await rig.campaign('outage-34', numbers, { ...BUSY_CAMPAIGN, cps: 100, retry: 'none' });
    await rig.inFlight(50);
    const downAt = Date.now();
    rig.sim.faults.trunkDown('SIP/trunk', { mode: 'fail', cause: 34 });
    await waitUntil('campaign paused by its breaker', async () => (await rig.svc.get(id)).state === 'paused', 30_000, 50);
    const pausedAfterMs = Date.now() - downAt;
    const reason = (await rig.svc.get(id)).paused?.reason;
    expect(reason).toMatch(/calls in a row ended with a network cause: .*\(34\) on SIP\/trunk\//);
    // Numbers the outage consumed: attempts that ended with cause 34 and spent their number (retry none makes each
    // one final). Calls already on their way when the breaker opened (failures come back ~200 ms after the
    // originate: ~20 at 100 cps) fail too, but the breaker knew by then: they are held, and dialed again later.
    let consumed = 0;
    let held = 0;
    for await (const r of rig.svc.attempts(id)) {
      if (r.cause !== 34 || Date.parse(r.created_at) < downAt - 50) continue;
      if (r.breaker_held) held++;
      else consumed++;
    }
    report('outage-34', await rig.audit(id, numbers), { consumed, held, pausedAfterMs });
    // The threshold's run and one trial per later trip (2).
    expect(consumed).toBeGreaterThanOrEqual(THRESHOLD);
    expect(consumed).toBeLessThanOrEqual(THRESHOLD + 2);
    expect(held).toBeGreaterThan(0);
    // One resume continues it once the trunk is back.
    rig.sim.faults.trunkUp();
    await rig.svc.resume(id);
    await rig.finished(id, 60_000);
    const a = await rig.expectClean(id, numbers);
    // Held attempts were dialed again: their numbers end with what the callee did, not with the dead trunk.
    for await (const f of rig.svc.finals(id)) expect(f.breaker_held, f.number).toBeUndefined();
    expect(a.doubleDials).toBe(0);
  });
});
