import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { CampaignWorker } from '../../jobs/campaign-worker.js';
import { checkRedis } from '../../src/ops/doctor-redis.js';
import { AriSim } from '../../src/sim/index.js';
import { connectRedis } from '../../src/store/redis-connection.js';
import { SentinelSet } from '../helpers/sentinel-set.js';
import { waitUntil } from '../helpers/redis-test.js';

// Numbers ending 0-5: the simulator answers them, so no retry waits for minutes.
const csvOf = (start: number, n: number) => () =>
  Readable.from([`number\n${Array.from({ length: n }, (_, i) => `+1555${String(start + Math.floor(i / 6) * 10 + (i % 6)).padStart(7, '0')}`).join('\n')}\n`]);

let set: SentinelSet;
let sim: AriSim;
let redis: Redis;
let svc: CampaignService;
let worker: CampaignWorker;
const prefix = '{t-sentinel}';

beforeAll(async () => {
  set = await SentinelSet.start();
  sim = await AriSim.start({ users: { dialer: 'pw' }, timeScale: 0.01 });
  redis = connectRedis(set.url) as Redis;
  svc = new CampaignService({ redis, prefix });
  worker = new CampaignWorker({ redisUrl: set.url, prefix, ari: { url: sim.url, user: 'dialer', password: 'pw' }, channelCap: 100, pollMs: 100 });
  await worker.start();
}, 60_000);

afterAll(async () => {
  await worker?.stop(1000);
  await svc?.close();
  redis?.disconnect();
  await sim?.stop();
  await set?.stop();
});

async function runCampaign(name: string, start: number, n: number): Promise<void> {
  const r = await svc.create({ name, settings: { endpoint: 'SIP/trunk/{number}', cps: 200, maxConcurrent: 50, timeoutS: 5 }, open: csvOf(start, n) });
  expect(r).toMatchObject({ created: true, accepted: n });
  await waitUntil(`${name} finished`, async () => (await svc.get(r.id!)).state === 'finished', 20_000);
  expect((await svc.status(r.id!)).counters).toMatchObject({ total: n, done: n, attempts: n });
}

describe('Redis through Sentinel (redis+sentinel://)', () => {
  it('doctor finds the master through the sentinel', async () => {
    const checks = await checkRedis({ url: set.url, prefix, timeoutMs: 3000 });
    const reachable = checks.find((c) => c.id === 'redis.reachable')!;
    expect(reachable.status).toBe('pass');
    expect(reachable.detail).toContain(`master "dialer" at 127.0.0.1:${set.ports.master}, found through Sentinel`);
    expect(reachable.detail).not.toContain(set.password);
  });

  it('runs a campaign: service, BullMQ queues and workers all connected through the sentinel', async () => {
    await runCampaign('before failover', 100_000, 60);
    expect(await set.masterPort()).toBe(set.ports.master);
  });

  it('follows a failover (SENTINEL FAILOVER): the same clients reach the promoted replica and the next campaign runs', async () => {
    await set.sentinel('FAILOVER', set.masterName);
    await waitUntil('the replica promoted', async () => (await set.masterPort()) === set.ports.replica, 30_000, 200);
    // The old master keeps taking writes until Sentinel demotes it, and then resyncs from the new one, losing them
    // (replication is asynchronous): wait for the demotion, then for our client to be on the new master.
    await waitUntil('the old master demoted', async () => (await set.role(set.ports.master).catch(() => '')) === 'slave', 30_000, 200);
    await waitUntil(
      'the client on the new master',
      async () => {
        await redis.set(`${prefix}:probe`, '1').catch(() => null);
        return redis.stream?.remotePort === set.ports.replica;
      },
      30_000,
      200,
    );
    await runCampaign('after failover', 200_000, 60);
    expect(await set.masterPort()).toBe(set.ports.replica);
  }, 90_000);
});
