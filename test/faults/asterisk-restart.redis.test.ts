import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/redis-test.js';
import { BUSY_CAMPAIGN, numbersFor, report, Rig } from './harness.js';

/** What the simulator's rules make of a number by its last digit (test/faults/harness.ts LONG_CALLS). */
const OWN_OUTCOME: Record<string, string> = { '6': 'BUSY', '7': 'NO_ANSWER', '8': 'CONGESTION', '9': 'REJECTED' };

let rig: Rig;
beforeAll(async () => {
  rig = await Rig.start('restart');
});
afterAll(() => rig.close());

describe('fault: `core restart now` with ~100 calls live (the sequence in test/sim/traces/restart)', () => {
  it('refused attempts wait for Asterisk and go out once, ringing calls end INTERRUPTED (never NO_ANSWER) and are called again', async () => {
    const worker = await rig.worker();
    const numbers = numbersFor(300, 102);
    // Interrupted attempts are retried by default after 1 min; here after 300 ms so the test sees the retry.
    const id = await rig.campaign('restart', numbers, { ...BUSY_CAMPAIGN, retry: `${BUSY_CAMPAIGN.retry},interrupted=2@300ms` });
    await rig.inFlight(100);
    const ringing = new Set(
      rig.sim
        .liveChannels()
        .filter((c) => c.state !== 'Up')
        .map((c) => c.id),
    );
    const restartedAt = Date.now();
    await rig.sim.restart();
    await waitUntil('socket back', () => worker.events.connected, 15_000, 10);
    await rig.finished(id);
    const a = await rig.expectClean(id, numbers);
    report('asterisk-restart', a);

    // Nothing Asterisk refused during the shutdown and boot windows was recorded: the attempts waited and went out.
    expect(a.unplacedAttempts, 'attempts recorded but never dialed').toBe(0);
    expect(a.attemptsByDisposition.ERROR ?? 0).toBe(0);
    let interrupted = 0;
    const retried = new Set<string>();
    for await (const r of rig.svc.attempts(id)) {
      // A phone that rang a fraction of the 3 s timeout did not "not answer".
      if (r.disposition === 'NO_ANSWER') expect(r.ring_s, `${r.channel_id} ${r.reason ?? ''}`).toBeGreaterThan(2);
      // A call ringing at the restart was cut (INTERRUPTED) unless its own outcome came first (busy, congestion and
      // rejected end after 0.8 s of ringing, inside the ~1.1 s shutdown window).
      if (ringing.has(r.channel_id) && r.disposition !== 'INTERRUPTED') {
        expect(r.disposition, `${r.channel_id} ${r.reason ?? ''}`).toBe(OWN_OUTCOME[r.number.at(-1)!] ?? 'ANSWERED');
      }
      if (r.disposition === 'INTERRUPTED') {
        interrupted++;
        expect(r.final).toBe(false);
        expect(r.reason).toMatch(/cut by Asterisk going away/);
        retried.add(r.number);
      }
    }
    expect(interrupted).toBeGreaterThanOrEqual(20);
    // Each interrupted number was called again and ended with what its callee did.
    for await (const f of rig.svc.finals(id)) if (retried.has(f.number)) expect(f.disposition).not.toBe('INTERRUPTED');
    // Dialing went on after the restart.
    const after = rig.sim.stats.originateTimestamps.filter((t) => t > restartedAt + 2000).length;
    expect(after).toBeGreaterThan(50);
  });
});
