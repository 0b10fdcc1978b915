import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/redis-test.js';
import { numbersFor, report, Rig } from './harness.js';

let rig: Rig;
beforeAll(async () => {
  rig = await Rig.start('ws-drop');
});
afterAll(() => rig.close());

describe('fault: the ARI WebSocket drops mid-call', () => {
  it('reconnects, asks Asterisk about every call in flight, each call ends with one result, no double dial', async () => {
    const worker = await rig.worker();
    const numbers = numbersFor(300, 101);
    const id = await rig.campaign('ws-drop', numbers);
    await rig.inFlight(100);
    const getsBefore = rig.sim.stats.restRequests;
    rig.sim.faults.dropSockets();
    await waitUntil('socket back', () => worker.events.connected, 10_000, 10);
    await rig.finished(id);
    const a = await rig.expectClean(id, numbers);
    // The reconnect made the calls in flight look each one up (GET /channels/{id}).
    expect(rig.sim.stats.restRequests - getsBefore).toBeGreaterThan(100);
    report('ws-drop', a);
    // Calls that ended while no socket was there (answered ones are hung up by Asterisk then) lost their events:
    // they are FAILED with the reason, never left open.
    for await (const f of rig.svc.finals(id)) {
      if (f.disposition === 'FAILED') expect(f.reason).toMatch(/channel gone without a ChannelDestroyed event/);
    }
    expect(a.unplacedAttempts).toBe(0);
  });
});
