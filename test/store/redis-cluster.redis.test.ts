import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { CampaignWorker } from '../../jobs/campaign-worker.js';
import type { Trunk } from '../../src/campaign/pacing/trunk.js';
import { AriSim } from '../../src/sim/index.js';
import { connectRedis } from '../../src/store/redis-connection.js';
import type { HistoryStore } from '../../src/store/history/history-store.js';
import { testHistory } from '../helpers/pg-test.js';
import { RedisClusterSet } from '../helpers/redis-cluster.js';
import { waitUntil } from '../helpers/redis-test.js';

// Three campaigns that would each hold 10 channels, through one trunk of 4: the trunk's leases live on a slot of
// their own, so the limit holds over campaigns that sit on different shards.
const TRUNK: Trunk = { name: 'pstn', match: 'SIP/trunk/', maxChannels: 4 };
const PER_CAMPAIGN = 20;
const csvOf = (numbers: string[]) => () => Readable.from([`number\n${numbers.join('\n')}\n`]);
// Last digit 0-5: answered (ring 1 s, talk 2 s simulated; 0.05 x here).
const numbersFor = (area: number, n: number) => Array.from({ length: n }, (_, i) => `+1${area}555${String(1000 + i * 10 + (i % 6)).padStart(4, '0')}`);

let cluster: RedisClusterSet;
let sim: AriSim;
let redis: Cluster;
let svc: CampaignService;
let workers: CampaignWorker[];
let history: HistoryStore;
let dropHistory: () => Promise<void>;
// No braces: every campaign gets a hash tag (and so a slot) of its own.
const prefix = `tcl-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  cluster = await RedisClusterSet.start(3);
  sim = await AriSim.start({ users: { dialer: 'pw' }, timeScale: 0.05 });
  ({ history, drop: dropHistory } = await testHistory('cluster'));
  redis = connectRedis(cluster.url) as Cluster;
  // History and lists in PostgreSQL, as in production: the hopper feeder, the outbox and the archiver run too.
  svc = new CampaignService({ redis, prefix, history });
  workers = ['cl-a', 'cl-b'].map(
    (app) =>
      new CampaignWorker({
        redisUrl: cluster.url,
        prefix,
        app,
        ari: { url: sim.url, user: 'dialer', password: 'pw' },
        channelCap: 50,
        pollMs: 100,
        trunks: [TRUNK],
        history,
        feedEveryMs: 100,
      }),
  );
  await Promise.all(workers.map((w) => w.start()));
}, 60_000);

afterAll(async () => {
  await Promise.all((workers ?? []).map((w) => w.stop(1000)));
  await svc?.close();
  redis?.disconnect();
  await sim?.stop();
  await cluster?.stop();
  await dropHistory?.();
});

/** The node (its port) that serves a key's slot. */
async function portOf(key: string): Promise<number> {
  const slot = Number(await redis.cluster('KEYSLOT', key));
  return Number(redis.slots[slot]![0]!.split(':').at(-1));
}

describe('Redis Cluster (3 masters, started by the test)', () => {
  it('runs 3 campaigns at once, each on a shard of its own with all its keys, every number final once, the trunk limit held', async () => {
    sim.resetStats();
    // Scheduled a few seconds ahead, so the three start together; a campaign whose slot falls on a shard already
    // taken is cancelled before it dials anything, and another is created.
    const startAt = new Date(Date.now() + 6000).toISOString();
    const settings = { endpoint: 'SIP/trunk/{number}', cps: 50, maxConcurrent: 10, timeoutS: 10, retry: 'none', startAt };
    const kept = new Map<number, string>();
    const dropped: string[] = [];
    for (let i = 0; kept.size < 3; i++) {
      expect(i, 'campaigns created to find three shards').toBeLessThan(30);
      const r = await svc.create({ name: `cluster-${i}`, settings, open: csvOf(numbersFor(200 + i, PER_CAMPAIGN)) });
      const port = await portOf(svc.keys.campaign(r.id!));
      if (kept.has(port)) {
        await svc.cancel(r.id!);
        dropped.push(r.id!);
      } else kept.set(port, r.id!);
    }
    expect(Date.now(), 'the three were found before their start').toBeLessThan(Date.parse(startAt));
    const ids = [...kept.values()];
    await waitUntil(
      'the three campaigns finished',
      async () => (await Promise.all(ids.map((id) => svc.get(id)))).every((m) => m.state === 'finished'),
      60_000,
      200,
    );

    // Every number final once, one attempt each (its record in PostgreSQL, below), nothing dialed for the cancelled.
    for (const id of ids) {
      const c = (await svc.status(id)).counters;
      expect(c).toMatchObject({ total: PER_CAMPAIGN, done: PER_CAMPAIGN, attempts: PER_CAMPAIGN, inflight: 0 });
    }
    expect(sim.stats.originateTimestamps).toHaveLength(3 * PER_CAMPAIGN);
    // The trunk's channels held over all three campaigns and both workers, and every lease was given back.
    expect(sim.stats.peakActiveChannels).toBeGreaterThan(1);
    expect(sim.stats.peakActiveChannels).toBeLessThanOrEqual(TRUNK.maxChannels!);
    expect(await redis.zcard(svc.keys.trunkChannels(TRUNK.name))).toBe(0);

    // Each campaign's keys (its BullMQ queues included) are all on one node, the node its slot names; three nodes.
    const where = new Map<string, Set<number>>();
    for (const port of cluster.ports) {
      for (const key of await cluster.keysOn(port, `${prefix}:c:*`)) {
        const id = /^[^:]+:c:\{([^}]+)\}/.exec(key)![1]!;
        if (!where.has(id)) where.set(id, new Set());
        where.get(id)!.add(port);
      }
    }
    for (const [port, id] of kept) {
      expect([...where.get(id)!]).toEqual([port]);
      expect((await cluster.keysOn(port, `${prefix}:c:{${id}}:bull:*`)).length).toBeGreaterThan(0);
    }
    expect(new Set(kept.keys()).size).toBe(3);
    for (const id of dropped) expect((await svc.status(id)).counters).toMatchObject({ done: PER_CAMPAIGN, attempts: 0 });

    // Each campaign's outbox drains into PostgreSQL under that campaign's lock, then the campaign is archived.
    const archiver = svc.historyArchiver({ archiveEveryMs: 100, idleMs: 50 });
    archiver.start();
    try {
      await waitUntil(
        'the three archived',
        async () => (await Promise.all(ids.map((id) => svc.get(id)))).every((m) => m.archivedAt !== undefined),
        30_000,
        100,
      );
    } finally {
      await archiver.stop();
    }
    for (const id of ids) {
      let attempts = 0;
      for await (const _ of svc.attempts(id)) attempts++;
      expect(attempts).toBe(PER_CAMPAIGN);
      const finals: string[] = [];
      for await (const f of svc.finals(id)) finals.push(f.number);
      expect(finals.sort()).toEqual(numbersFor(200 + Number(/cluster-(\d+)/.exec((await svc.get(id)).name)![1]), PER_CAMPAIGN).sort());
      expect(await svc.store.outboxCount(id)).toBe(0);
    }
  }, 90_000);
});
