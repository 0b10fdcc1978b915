import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/redis-test.js';
import { BUSY_CAMPAIGN, numbersFor, report, Rig } from './harness.js';

let rig: Rig;
beforeAll(async () => {
  rig = await Rig.start('conn-reset');
});
afterAll(() => rig.close());

const RESETS = 3;
const APART_MS = 2000;

describe('fault: a network blip resets every TCP connection to ARI (REST and WebSocket) three times, 2 s apart', () => {
  it('reconnects at once; calls whose end fell into a gap are UNKNOWN with what was known, never FAILED; no number lost or dialed twice', async () => {
    const worker = await rig.worker();
    const gaps: number[] = [];
    worker.events.on('reconnected', ({ downMs }: { downMs: number }) => gaps.push(downMs));
    const numbers = numbersFor(600, 110);
    const id = await rig.campaign('conn-reset', numbers, { ...BUSY_CAMPAIGN, cps: 50 });
    // At 40 % of the numbers dialed, as in the measurement against Asterisk 20.
    await waitUntil('40 % dialed', () => rig.sim.stats.originates >= numbers.length * 0.4, 30_000, 5);
    for (let i = 0; i < RESETS; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, APART_MS));
      rig.sim.faults.resetConnections();
    }
    await waitUntil('socket back', () => worker.events.connected, 10_000, 10);
    await rig.finished(id);
    const a = await rig.expectClean(id, numbers);
    const lostSight = [];
    const failedGone = [];
    for await (const r of rig.svc.attempts(id)) {
      if (/lost sight/.test(r.reason ?? '')) lostSight.push(r);
      if (r.disposition === 'FAILED' && /without a ChannelDestroyed/.test(r.reason ?? '')) failedGone.push(r);
    }
    report('connection-reset', a, {
      gapsMs: gaps,
      lostSight: lostSight.length,
      lostSightStates: lostSight.map((r) => r.last_state),
      failedChannelGone: failedGone.length,
    });
    expect(gaps.length).toBeGreaterThanOrEqual(RESETS);
    expect(failedGone.map((r) => r.reason)).toEqual([]);
    for (const r of lostSight) {
      expect(r.disposition).toBe('UNKNOWN');
      expect(r.last_state).toMatch(/^(dialing|ringing)$/);
    }
    // At most the calls that answered or ended during the reconnects themselves (a few ms each at 50 cps).
    expect(lostSight.length).toBeLessThanOrEqual(2 * RESETS);
  });
});
