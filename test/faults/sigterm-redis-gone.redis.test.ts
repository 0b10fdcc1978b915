import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { waitUntil } from '../helpers/redis-test.js';
import { Rig } from './harness.js';
import { OwnRedis } from './own-redis.js';
import { attemptsOf, busyCampaign, expectWithinBound, GRACE_S, logLines, sigterm } from './sigterm-rig.js';

let redis: OwnRedis;
let rig: Rig;
beforeAll(async () => {
  redis = await OwnRedis.start();
  rig = await Rig.start('sigterm-redis', {}, redis.url);
});
afterAll(async () => {
  await rig.close();
  await redis.stop();
});

describe('fault: SIGTERM on a worker whose Redis is gone', () => {
  it('exits within the grace + 10 s saying how many results it could not store; their in-flight marks let a takeover settle them', async () => {
    const worker = await rig.spawnWorker('cli', ['--grace', String(GRACE_S)]);
    const { id } = await busyCampaign(rig, 'sigterm-redis', 162);
    await redis.kill9();
    const m = await sigterm(worker);
    expectWithinBound('redis gone', m, worker);
    expect(m.code, worker.stderr().slice(-3000)).toBe(EXIT.SHUTDOWN_RESULTS_NOT_STORED);
    const [stopped] = logLines(worker, 'worker stopped');
    const notStored = Number(stopped?.notStored);
    expect(notStored, 'results it said it could not store').toBeGreaterThan(20);
    expect(logLines(worker, 'result not stored').length, 'each one logged with what it was').toBe(notStored);
    // Asterisk was fine: the calls were hung up, none is left ringing or talking.
    expect(rig.sim.liveChannels()).toEqual([]);

    // Redis back (AOF): the marks of the calls whose results were lost are all there, still this worker's.
    await redis.restart();
    const marks = (await rig.svc.store.inflight(id)).filter((c) => c.worker === stopped?.worker);
    expect(marks.length).toBeGreaterThanOrEqual(notStored);
    // Jobs that marked their attempt and then waited for their originate slot were never dialed: marked, not counted.
    expect(marks.length).toBeLessThanOrEqual(notStored + Number(stopped?.unfinished) + Number(stopped?.notDialed));
    // A live worker takes them over: each ends with an attempt, nothing is left marked in flight.
    await rig.spawnWorker('cli');
    await waitUntil(
      'marks settled by takeover',
      async () => (await rig.svc.store.inflight(id)).every((c) => !marks.some((d) => d.channelId === c.channelId)),
      15_000,
      200,
    );
    const attempts = await attemptsOf(rig, id);
    for (const c of marks) expect(attempts.get(c.channelId), c.channelId).toBeDefined();
  });
});
