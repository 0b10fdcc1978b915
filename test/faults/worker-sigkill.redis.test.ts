import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/redis-test.js';
import { numbersFor, report, Rig } from './harness.js';

let rig: Rig;
beforeAll(async () => {
  rig = await Rig.start('sigkill');
});
afterAll(() => rig.close());

/** Short BullMQ locks, so the dead worker's jobs are taken back in ~2 s instead of 30 s. */
const FAST_STALL = ['--lock-ms', '2000', '--stalled-ms', '1000'];

describe('fault: a worker process is killed with SIGKILL mid-campaign', () => {
  it('another worker takes its stalled jobs back, follows or settles its calls without dialing them again; the campaign completes', async () => {
    const doomed = await rig.spawnWorker('child', [...FAST_STALL, '--app', 'doomed']);
    const numbers = numbersFor(300, 103);
    const id = await rig.campaign('sigkill', numbers);
    await rig.inFlight(60);
    const survivor = await rig.spawnWorker('child', [...FAST_STALL, '--app', 'survivor']);
    await rig.inFlight(100);
    const { signal } = await doomed.kill('SIGKILL');
    expect(signal).toBe('SIGKILL');
    await rig.finished(id, 90_000);
    const a = await rig.expectClean(id, numbers);
    report('worker-sigkill', a);
    // The dead worker's calls were settled by the survivor, never dialed again: followed to their end (takeover),
    // read from what a peer witnessed, or, with no evidence, UNKNOWN "not dialed again".
    const settled = [];
    for await (const r of rig.svc.attempts(id))
      if (r.source === 'takeover' || r.source === 'witness' || /not dialed again/.test(r.reason ?? '')) settled.push(r);
    expect(settled.length).toBeGreaterThan(0);
    await waitUntil('survivor still alive', () => survivor.child.exitCode === null, 100);
  }, 120_000);
});
