import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { Rig } from './harness.js';
import { OwnRedis } from './own-redis.js';
import { busyCampaign, CuttableDatabase, expectWithinBound, GRACE_S, logLines, sigterm } from './sigterm-rig.js';

let redis: OwnRedis;
let pgdb: CuttableDatabase;
let rig: Rig;
beforeAll(async () => {
  redis = await OwnRedis.start();
  pgdb = await CuttableDatabase.create();
  rig = await Rig.start('sigterm-all', {}, redis.url);
});
afterAll(async () => {
  await rig.close();
  await redis.stop();
  await pgdb.drop();
});

describe('fault: SIGTERM on a worker whose Asterisk, Redis and PostgreSQL are all gone', () => {
  it('exits within the grace + 10 s with the code for results not stored, and says what it left', async () => {
    const worker = await rig.spawnWorker('cli', ['--grace', String(GRACE_S), '--migrate'], { DATABASE_URL: pgdb.url });
    await busyCampaign(rig, 'sigterm-all', 164, pgdb);
    const live = rig.sim.liveChannels().length;
    await Promise.all([rig.sim.stop(), redis.kill9(), pgdb.proxy.cut()]);
    const m = await sigterm(worker);
    expectWithinBound('all gone', m, worker);
    expect(m.code, worker.stderr().slice(-3000)).toBe(EXIT.SHUTDOWN_RESULTS_NOT_STORED);
    const [stopped] = logLines(worker, 'worker stopped');
    // Nothing could be hung up, followed or stored: each of those calls is counted, none silently dropped.
    expect(Number(stopped?.notStored) + Number(stopped?.unfinished)).toBeGreaterThanOrEqual(live);
    expect(Number(stopped?.notStored)).toBeGreaterThan(0);
    // Back, for the test's own clean-up.
    await redis.restart();
  });
});
