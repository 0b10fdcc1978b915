import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { Rig } from './harness.js';
import { busyCampaign, CuttableDatabase, expectWithinBound, GRACE_S, sigterm } from './sigterm-rig.js';

let rig: Rig;
let pgdb: CuttableDatabase;
beforeAll(async () => {
  pgdb = await CuttableDatabase.create();
  rig = await Rig.start('sigterm-pg');
});
afterAll(async () => {
  await rig.close();
  await pgdb.drop();
});

describe('fault: SIGTERM on a worker whose PostgreSQL is unreachable', () => {
  it('exits within the grace + 10 s, exit 0: the archiver does not hold the exit, and the outbox keeps what it did not write', async () => {
    const worker = await rig.spawnWorker('cli', ['--grace', String(GRACE_S), '--migrate'], { DATABASE_URL: pgdb.url });
    const { id } = await busyCampaign(rig, 'sigterm-pg', 163, pgdb);
    await pgdb.proxy.cut();
    const m = await sigterm(worker);
    expectWithinBound('postgres gone', m, worker);
    expect(m.code, worker.stderr().slice(-3000)).toBe(EXIT.OK);

    // Every call placed has its result stored; what PostgreSQL did not get waits in the outbox for the next archiver.
    expect((await rig.svc.status(id)).counters.inflight).toBe(0);
    const originated = rig.sim.stats.originatesByChannelId.size;
    const outbox = await rig.svc.store.outboxCount(id);
    const archived = Number(await pgdb.count('attempts'));
    expect(outbox, 'entries kept for the next archiver').toBeGreaterThan(0);
    expect(archived + outbox, 'results in PostgreSQL or in the outbox').toBeGreaterThanOrEqual(originated);
  });
});
