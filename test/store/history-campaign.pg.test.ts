import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { CampaignWorker } from '../../jobs/campaign-worker.js';
import { summarizeCampaign, writeReport } from '../../src/report/write-report.js';
import { AriSim } from '../../src/sim/index.js';
import { keyFootprint } from '../../src/store/key-footprint.js';
import { sentKey } from '../../src/store/keys.js';
import { HistoryStore } from '../../src/store/history/history-store.js';
import type { HistoryArchiver } from '../../src/store/history/history-archiver.js';
import { dropPrefix, REDIS_URL, testPrefix, testRedis, waitUntil } from '../helpers/redis-test.js';
import { DATABASE_URL, testHistory } from '../helpers/pg-test.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/**
 * A whole campaign with its history in PostgreSQL, reached through a proxy the test cuts mid-campaign: dialing goes
 * on, results wait in Redis, and once PostgreSQL is back every attempt is there exactly once; then the finished
 * campaign leaves Redis and every read answers from PostgreSQL.
 */
const csvOf = (numbers: string[]) => () => Readable.from([`number,name\n${numbers.map((n, i) => `${n},N${i}`).join('\n')}\n`]);

let sim: AriSim;
let redis: Redis;
const prefix = testPrefix('history');
let proxy: TcpProxy;
let direct: HistoryStore;
let viaProxy: HistoryStore;
let drop: () => Promise<void>;
let svc: CampaignService;
let worker: CampaignWorker;
let archiver: HistoryArchiver;

beforeAll(async () => {
  let schema: string;
  ({ history: direct, schema, drop } = await testHistory('campaign'));
  const target = new URL(DATABASE_URL);
  proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
  const proxied = new URL(DATABASE_URL);
  proxied.port = String(proxy.port);
  viaProxy = new HistoryStore({ url: proxied.toString(), schema, connectTimeoutMs: 1000 });
  sim = await AriSim.start({ users: { dialer: 'pw' }, timeScale: 0.01 });
  redis = testRedis();
  svc = new CampaignService({ redis, prefix, history: viaProxy });
  archiver = svc.historyArchiver({ idleMs: 50, retryMaxMs: 200, archiveEveryMs: 100, batchSize: 100 });
  // The same DATABASE_URL as everyone: the worker feeds the list (in PostgreSQL) into its hopper.
  worker = new CampaignWorker({
    redisUrl: REDIS_URL,
    prefix,
    history: viaProxy,
    ari: { url: sim.url, user: 'dialer', password: 'pw' },
    channelCap: 200,
    pollMs: 100,
  });
  await worker.start();
});

afterAll(async () => {
  await archiver.stop();
  await worker.stop(1000);
  await svc.close();
  await dropPrefix(redis, prefix);
  redis.disconnect();
  await sim.stop();
  await viaProxy.close();
  await proxy.stop();
  await drop();
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Bytes Redis uses for every key of this installation (MEMORY USAGE over a SCAN of the prefix). */
const redisBytes = async (): Promise<number> => (await keyFootprint(redis, { starts: [prefix] })).bytes;

describe('a campaign with history in PostgreSQL', () => {
  it('survives a PostgreSQL outage mid-campaign: every attempt present once, then Redis keeps only counters', async () => {
    archiver.start();
    // Last digit decides the simulator's outcome: 0-5 answer, 6 busy, 7 no answer, 8 congestion, 9 rejected.
    const numbers = Array.from({ length: 400 }, (_, i) => `+1555${String(200000 + i).padStart(7, '0')}`);
    const r = await svc.create({
      name: 'history',
      settings: { endpoint: 'SIP/trunk/{number}', cps: 200, maxConcurrent: 50, timeoutS: 5, retry: 'busy=1@20ms,no_answer=1@20ms' },
      open: csvOf(numbers),
    });
    const id = r.id!;
    expect((await svc.get(id)).history).toBe('pg');
    await waitUntil(
      'some attempts archived',
      async () => Number((await direct.pool.query(`SELECT count(*)::int AS n FROM attempts WHERE campaign_id = $1`, [id])).rows[0].n) > 20,
      30_000,
      20,
    );

    await proxy.cut();
    const atCut = (await svc.status(id)).counters.attempts;
    // Dialing goes on without PostgreSQL: attempts keep being recorded, and wait in the outbox.
    await waitUntil('campaign finished while PostgreSQL is down', async () => (await svc.get(id)).state === 'finished', 60_000);
    const whileDown = await svc.status(id);
    expect(whileDown.counters.attempts).toBeGreaterThan(atCut);
    expect(await archiver.pending()).toBeGreaterThan(0);
    expect((await svc.get(id)).archivedAt).toBeUndefined();

    await proxy.restore();
    await waitUntil('campaign archived', async () => (await svc.get(id)).archivedAt !== undefined, 30_000, 50);
    expect(await archiver.pending()).toBe(0);

    const s = await svc.status(id);
    expect(s.counters).toMatchObject({ total: 400, done: 400, inflight: 0 });
    const q = await direct.pool.query(`SELECT count(*)::int AS n, count(DISTINCT channel_id)::int AS d FROM attempts WHERE campaign_id = $1`, [id]);
    expect(q.rows[0]).toEqual({ n: s.counters.attempts, d: s.counters.attempts });
    expect(Number((await direct.pool.query(`SELECT count(*)::int AS n FROM finals WHERE campaign_id = $1`, [id])).rows[0].n)).toBe(400);
    // Every attempt the simulator saw placed is in PostgreSQL once.
    expect(sim.stats.originates).toBe(s.counters.attempts);

    // Reads follow the data: the same answers, now from PostgreSQL.
    const finals = await collect(svc.finals(id));
    expect(finals).toHaveLength(400);
    expect(finals.filter((f) => f.disposition === 'ANSWERED')).toHaveLength(240);
    const attempts = await collect(svc.attempts(id));
    expect(attempts).toHaveLength(s.counters.attempts);
    const summary = await summarizeCampaign(svc, id);
    expect(summary.numbers).toBe(400);
    expect(summary.by_disposition.BUSY).toBe(40);
    const hit = await svc.search('+15550200006');
    expect(hit).toHaveLength(1);
    expect(hit[0]!.attempts.map((a) => a.attempt)).toEqual([1, 2]);
    expect(hit[0]!.final?.disposition).toBe('BUSY');
    const page = await svc.latestAttempts(id, { limit: 5, disposition: 'BUSY' });
    expect(page.total).toBe(s.counters.attempt.BUSY);
    expect(page.items).toHaveLength(5);
    let csv = '';
    await writeReport(svc, id, { format: 'csv', attempts: false }, {
      write: (c: string) => ((csv += c), true),
      once: () => undefined,
    } as unknown as NodeJS.WritableStream);
    expect(csv.trim().split('\n')).toHaveLength(401);
    // The queue's counts survive the queue (finished dial jobs are removed at once: nothing completed is kept).
    expect(await svc.store.queueAtArchive(id)).toMatchObject({ completed: 0, failed: 0, waiting: 0 });

    // The pacer's slot and its list of last sends went with the attempt state.
    expect(await redis.exists(svc.keys.pacer(id), sentKey(svc.keys.pacer(id)))).toBe(0);

    // Redis keeps counters and a summary: goal <= 200 bytes per number.
    const perNumber = (await redisBytes()) / 400;
    expect(perNumber).toBeLessThanOrEqual(200);
  });
});
