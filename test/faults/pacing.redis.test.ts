import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxPerSecond } from '../helpers/redis-test.js';
import { BUSY_CAMPAIGN, numbersFor, report, Rig } from './harness.js';

let rig: Rig;
beforeAll(async () => {
  rig = await Rig.start('pacing');
});
afterAll(() => rig.close());

// What the simulator sees carries the scheduling jitter of the worker processes and of this process (which runs
// the simulator). 5 cps keeps a wide margin on a loaded CI box. (Before the pacer's send-time window guard, 25 cps
// on two busy CPUs showed cps + 3; with it, 25 cps holds cps + 1 here too.)
const CPS = 5;
const MAX_CONCURRENT = 10;

describe('pacing across two worker processes', () => {
  it(`no one-second window holds more than cps + 1 originates; never more than maxConcurrent channels`, async () => {
    // Each worker may hold 6 channels, fewer than the campaign's 10: both must dial for the campaign to reach it.
    const cap = { CHANNEL_CAP: '6' };
    const workers = await Promise.all([rig.spawnWorker('cli', ['--app', 'pace-a'], cap), rig.spawnWorker('cli', ['--app', 'pace-b'], cap)]);
    const numbers = numbersFor(50, 109);
    // Calls last ~2.5 s: 5 cps would need ~12 at once, so the concurrency cap binds too.
    const id = await rig.campaign('pacing', numbers, { ...BUSY_CAMPAIGN, cps: CPS, maxConcurrent: MAX_CONCURRENT, retry: 'none' });
    await rig.finished(id, 60_000);
    const a = await rig.expectClean(id, numbers);
    const perSecond = maxPerSecond(rig.sim.stats.originateTimestamps);
    const sent: number[] = [];
    for await (const r of rig.svc.attempts(id)) sent.push(Date.parse(r.created_at));
    const perSecondSent = maxPerSecond(sent);
    report('pacing', a, { perSecond, perSecondSent, peak: rig.sim.stats.peakActiveChannels });
    expect(perSecond).toBeLessThanOrEqual(CPS + 1);
    // As the workers sent them (each attempt's start, just before its originate).
    expect(perSecondSent).toBeLessThanOrEqual(CPS + 1);
    expect(perSecond).toBeGreaterThanOrEqual(CPS - 1);
    expect(rig.sim.stats.peakActiveChannels).toBeLessThanOrEqual(MAX_CONCURRENT);
    expect(rig.sim.stats.peakActiveChannels).toBeGreaterThanOrEqual(MAX_CONCURRENT - 2);
    // Both processes dialed.
    for (const w of workers) expect((w.stderr().match(/"attempt ended"/g) ?? []).length).toBeGreaterThan(0);
  }, 90_000);
});
