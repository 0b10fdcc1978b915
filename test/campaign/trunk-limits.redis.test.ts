import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { CampaignWorker } from '../../jobs/campaign-worker.js';
import { ChannelLeases } from '../../src/campaign/pacing/channel-leases.js';
import type { Trunk } from '../../src/campaign/pacing/trunk.js';
import { AriSim } from '../../src/sim/index.js';
import { dropPrefix, maxPerSecond, REDIS_URL, testPrefix, testRedis, waitUntil } from '../helpers/redis-test.js';

// Two campaigns that would each go at 10 cps and 10 channels, through one trunk of 4 cps and 3 channels.
const TRUNK: Trunk = { name: 'sim-trunk', match: 'SIP/trunk/', cps: 4, maxChannels: 3 };
const csvOf = (numbers: string[]) => () => Readable.from([`number\n${numbers.join('\n')}\n`]);
// Last digit 0-5: answered after 1 s ringing and 2 s talk (simulated; 0.25 x here: about 0.75 s a call).
const numbersFor = (area: string, n: number) => Array.from({ length: n }, (_, i) => `+1${area}555${String(1000 + i * 10 + (i % 6)).padStart(4, '0')}`);

let sim: AriSim;
let redis: Redis;
const prefix = testPrefix('trunk');
let svc: CampaignService;
let workers: CampaignWorker[];

beforeAll(async () => {
  sim = await AriSim.start({ users: { dialer: 'pw' }, timeScale: 0.25 });
  redis = testRedis();
  svc = new CampaignService({ redis, prefix });
  // Two workers, as two processes would be: the trunk's limits hold over both.
  workers = ['trunk-a', 'trunk-b'].map(
    (app) =>
      new CampaignWorker({
        redisUrl: REDIS_URL,
        prefix,
        app,
        ari: { url: sim.url, user: 'dialer', password: 'pw' },
        channelCap: 50,
        pollMs: 100,
        trunks: [TRUNK],
      }),
  );
  await Promise.all(workers.map((w) => w.start()));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop(1000)));
  await svc.close();
  await dropPrefix(redis, prefix);
  redis.disconnect();
  await sim.stop();
});

describe('a trunk shared by two campaigns', () => {
  it('holds the trunk cps and channels over both campaigns and both workers, and status says so', async () => {
    sim.resetStats();
    const settings = { endpoint: 'SIP/trunk/{number}', cps: 10, maxConcurrent: 10, timeoutS: 10, retry: 'none' };
    const [a, b] = await Promise.all([
      svc.create({ name: 'trunk-a', settings, open: csvOf(numbersFor('212', 12)) }),
      svc.create({ name: 'trunk-b', settings, open: csvOf(numbersFor('415', 12)) }),
    ]);
    const reasons = new Set<string>();
    await waitUntil(
      'both campaigns finished',
      async () => {
        const all = await Promise.all([a.id!, b.id!].map((id) => svc.status(id)));
        for (const s of all) for (const h of s.holdingBack) reasons.add(`${h.reason}: ${h.detail}`);
        return all.every((s) => s.state === 'finished');
      },
      60_000,
      200,
    );
    const perSecond = maxPerSecond(sim.stats.originateTimestamps);
    expect(sim.stats.originateTimestamps).toHaveLength(24);
    // The Pacer's bound: at most cps + 1 in any sliding second (see src/campaign/pacing/pacer.ts), here the trunk's.
    expect(perSecond).toBeLessThanOrEqual(TRUNK.cps! + 1);
    expect(sim.stats.peakActiveChannels).toBeLessThanOrEqual(TRUNK.maxChannels!);
    expect([...reasons].some((r) => r.startsWith('trunk-'))).toBe(true);
    expect([...reasons].join('\n')).toMatch(/trunk sim-trunk at (4 cps|its 3 channels)/);
    // Every lease was given back.
    expect(await redis.zcard(svc.keys.trunkChannels(TRUNK.name))).toBe(0);
    for (const id of [a.id!, b.id!]) expect((await svc.status(id)).holdingBack).toEqual([]);
  }, 90_000);
});

describe('ChannelLeases', () => {
  it('a dead worker’s lease lapses; a live one is renewed', async () => {
    const key = `${prefix}:leases-test`;
    const leases = new ChannelLeases(redis, { ttlMs: 300, pollMs: 20 });
    // What a worker that died leaves behind: a lease nobody renews, due to lapse 300 ms from now.
    const t = await redis.time();
    await redis.zadd(key, Number(t[0]) * 1000 + Math.floor(Number(t[1]) / 1000) + 300, 'dead-worker-call');
    const live = await leases.acquire(key, 'live-call', 2);
    expect(await leases.count(key)).toBe(2);
    const t0 = Date.now();
    const third = await leases.acquire(key, 'new-call', 2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(200);
    // The live lease outlived its first TTL: it was renewed.
    await new Promise((r) => setTimeout(r, 400));
    expect(await redis.zscore(key, 'live-call')).not.toBeNull();
    await Promise.all([live!.release(), third!.release()]);
    expect(await leases.count(key)).toBe(0);
    const aborted = new AbortController();
    aborted.abort();
    expect(await leases.acquire(key, 'x', 1, aborted.signal)).toBeUndefined();
  });
});
