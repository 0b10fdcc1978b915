import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptRecord } from '../../src/report/summarize.js';
import { channelPrefixOf } from '../../scripts/soak/audit.js';
import { BUSY_CAMPAIGN, numbersFor, report, Rig } from './harness.js';

let rig: Rig;
beforeAll(async () => {
  rig = await Rig.start('sigterm');
});
afterAll(() => rig.close());

describe('fault: SIGTERM on a worker process', () => {
  it('stops taking jobs, lets calls finish, hangs up the rest after the grace with a result, exits 0', async () => {
    const worker = await rig.spawnWorker('cli', ['--grace', '2']);
    const numbers = numbersFor(300, 108);
    // No-answer calls ring until the 6 s timeout: those are still up when the 2 s grace ends.
    const id = await rig.campaign('sigterm', numbers, { ...BUSY_CAMPAIGN, timeoutS: 6, retry: 'busy=1@300ms,congestion=1@300ms' });
    await rig.inFlight(100);
    const termAt = Date.now();
    const { code, signal } = await worker.kill('SIGTERM');
    const exitedAt = Date.now();
    expect({ code, signal }, worker.stderr().slice(-3000)).toEqual({ code: 0, signal: null });
    // Grace 2 s, then hang-ups and their results: it does not linger.
    expect(exitedAt - termAt).toBeLessThan(8000);
    // No new call after the signal (a job already past its checks may still originate within moments).
    const late = rig.sim.stats.originateTimestamps.filter((t) => t > termAt + 300).map((t) => t - termAt);
    expect(late, 'ms after SIGTERM').toEqual([]);

    // Every call it placed has its result stored; nothing is left marked in flight.
    const prefix = channelPrefixOf(id);
    const originated = [...rig.sim.stats.originatesByChannelId.keys()].filter((c) => c.startsWith(prefix));
    const attempts: AttemptRecord[] = [];
    for await (const r of rig.svc.attempts(id)) attempts.push(r);
    expect(new Set(attempts.map((r) => r.channel_id))).toEqual(new Set(originated));
    expect((await rig.svc.status(id)).counters.inflight).toBe(0);
    const hungUp = attempts.filter((r) => r.disposition === 'CANCELLED');
    expect(hungUp.length).toBeGreaterThan(0);
    for (const r of hungUp) expect(r.final, `${r.number}: a worker's shutdown is not the campaign's cancel`).toBe(false);
    expect(rig.sim.liveChannels()).toEqual([]);

    // Another worker finishes the campaign, calling again the numbers the shutdown hung up.
    await rig.spawnWorker('cli');
    await rig.finished(id, 90_000);
    const a = await rig.expectClean(id, numbers);
    report('worker-sigterm', a);
    expect(a.byDisposition.CANCELLED ?? 0).toBe(0);
  }, 120_000);
});
