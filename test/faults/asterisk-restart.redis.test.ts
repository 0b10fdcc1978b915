import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/redis-test.js';
import { numbersFor, report, Rig } from './harness.js';

let rig: Rig;
beforeAll(async () => {
  rig = await Rig.start('restart');
});
afterAll(() => rig.close());

describe('fault: Asterisk restarts (every channel gone, no events)', () => {
  it('calls in flight end FAILED with the reason, dialing goes on once it is back, nothing waits forever', async () => {
    const worker = await rig.worker();
    const numbers = numbersFor(300, 102);
    const id = await rig.campaign('restart', numbers);
    await rig.inFlight(100);
    const inFlight = new Set(rig.sim.liveChannels().map((c) => c.id));
    const restartedAt = Date.now();
    await rig.sim.restart(2000);
    await waitUntil('socket back', () => worker.events.connected, 15_000, 10);
    await rig.finished(id);
    const a = await rig.expectClean(id, numbers);
    report('asterisk-restart', a);

    // Every call the restart took ended FAILED with why, none hangs on.
    let gone = 0;
    for await (const r of rig.svc.attempts(id)) {
      if (!inFlight.has(r.channel_id)) continue;
      gone++;
      // Answered calls cut by the restart stay ANSWERED (someone was reached); the others are FAILED.
      expect(r.disposition, r.channel_id).toBe(r.answered_at ? 'ANSWERED' : 'FAILED');
      expect(r.reason).toMatch(/channel gone without a ChannelDestroyed event/);
    }
    expect(gone).toBeGreaterThanOrEqual(100);
    // Attempts that came up while Asterisk was away waited for it instead of failing; only an originate already on
    // its way when the socket dropped may end ERROR. Before the fix every attempt of the downtime did (55 of 300
    // numbers for a 1 s restart), and with the check before the Redis round trips instead of right before the
    // originate, 10 to 12.
    expect(a.byDisposition.ERROR ?? 0).toBeLessThanOrEqual(3);
    // Dialing went on after the restart.
    const after = rig.sim.stats.originateTimestamps.filter((t) => t > restartedAt + 2000).length;
    expect(after).toBeGreaterThan(50);
  });
});
