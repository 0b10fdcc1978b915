import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { channelIdFor } from '../../src/dialer/channel-id.js';
import type { SimRule } from '../../src/sim/index.js';
import type { HistoryArchiver } from '../../src/store/history/history-archiver.js';
import { HistoryStore } from '../../src/store/history/history-store.js';
import { waitUntil } from '../helpers/redis-test.js';
import { csvOf, ENDPOINT, numbersFor, Rig } from './harness.js';
import { CuttableDatabase } from './sigterm-rig.js';

/** Short BullMQ locks, so the dead worker's jobs are taken back in ~2 s instead of 30 s. */
const FAST_STALL = ['--lock-ms', '2000', '--stalled-ms', '1000'];
/** Calls of a few hundred ms: 800 numbers take ~10 s at 100 cps. The last digit still decides the outcome. */
const SHORT_CALLS: SimRule[] = [
  { match: /[0-5]$/, outcome: 'answer', ringMs: 150, talkMs: 300 },
  { match: /6$/, outcome: 'busy', ringMs: 100 },
  { match: /8$/, outcome: 'congestion', ringMs: 100 },
  { match: /9$/, outcome: 'rejected', ringMs: 100 },
];
const NUMBERS = 800;

let rig: Rig;
let db: CuttableDatabase;
let history: HistoryStore;
let svc: CampaignService;
let archiver: HistoryArchiver;

beforeAll(async () => {
  db = await CuttableDatabase.create();
  history = new HistoryStore({ url: db.directUrl });
  await history.migrate();
  rig = await Rig.start('feeder-kill', { rules: SHORT_CALLS });
  svc = new CampaignService({ redis: rig.redis, prefix: rig.prefix, history });
  archiver = svc.historyArchiver({ idleMs: 50, archiveEveryMs: 100, purge: false });
  archiver.start();
});
afterAll(async () => {
  await archiver?.stop();
  await svc?.close();
  await rig?.close();
  await history?.close();
  await db?.drop();
});

describe("fault: the worker holding a hopper's feeder lock is killed with SIGKILL mid-feed", () => {
  it("another worker takes the feeder over within 15 s (the lock's 10 s TTL); every contact done once, none dialed twice, none forgotten", async () => {
    const env = { DATABASE_URL: db.directUrl };
    const a = await rig.spawnWorker('child', [...FAST_STALL, '--app', 'feeder-a'], env);
    const numbers = numbersFor(NUMBERS, 211);
    const r = await svc.create({
      name: 'feeder-kill',
      settings: { endpoint: ENDPOINT, cps: 100, maxConcurrent: 60, hopperSize: 80, timeoutS: 3, retry: 'busy=1@5s' },
      open: csvOf(numbers),
    });
    expect(r).toMatchObject({ created: true, accepted: NUMBERS });
    const id = r.id!;
    expect((await svc.get(id)).contacts).toBe('pg');
    const lock = svc.keys.feederLock(id);
    await waitUntil('feeder-a holds the feeder lock', async () => (await rig.redis.get(lock)) === 'feeder-a', 20_000);
    const b = await rig.spawnWorker('child', [...FAST_STALL, '--app', 'feeder-b'], env);
    await waitUntil('a fifth of the list done', async () => (await svc.contacts!.counts(id)).done >= NUMBERS / 5, 60_000, 100);
    expect(await rig.redis.get(lock), 'b only waits while a feeds').toBe('feeder-a');
    const before = await svc.contacts!.counts(id);
    expect(before.waiting, 'killed mid-feed: numbers still waiting in PostgreSQL').toBeGreaterThan(NUMBERS / 2);
    // Busy numbers' retries (5 s) wait in PostgreSQL: the survivor's feeder must take them when due.
    expect(before.retry, 'killed with retries parked in PostgreSQL').toBeGreaterThan(0);

    const { signal } = await a.kill('SIGKILL');
    const killedAt = Date.now();
    expect(signal).toBe('SIGKILL');
    await waitUntil('feeder-b takes the lock over', async () => (await rig.redis.get(lock)) === 'feeder-b', 20_000, 50);
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(15_000);

    await waitUntil(`campaign ${id} finished`, async () => (await svc.get(id)).state === 'finished', 120_000, 200);
    // Nothing forgotten: every contact done, none left waiting or queued. A contact is marked done in PostgreSQL when
    // the archiver stores its final, a moment after the campaign finished in Redis.
    await waitUntil('every contact done', async () => (await svc.contacts!.counts(id)).done >= NUMBERS, 30_000, 200);
    expect(await svc.contacts!.counts(id)).toEqual({ waiting: 0, queued: 0, retry: 0, done: NUMBERS });
    // Every number final exactly once, in PostgreSQL (the archiver drains the outbox a moment after).
    const finals = async () =>
      (await history.pool.query<{ n: string; d: string }>('SELECT count(*) AS n, count(DISTINCT number) AS d FROM finals WHERE campaign_id = $1', [id]))
        .rows[0]!;
    await waitUntil('every final archived', async () => Number((await finals()).n) >= NUMBERS, 30_000, 200);
    expect(await finals()).toEqual({ n: String(NUMBERS), d: String(NUMBERS) });
    // Nothing dialed twice: each channel id once (the simulator's count), at most one first attempt per number, and
    // every channel placed has its attempt stored.
    const ours = [...rig.sim.stats.originatesByChannelId].filter(([ch]) => ch.startsWith(`dlr-${id}-`));
    expect(
      ours.filter(([, n]) => n > 1),
      'channels originated twice',
    ).toEqual([]);
    const firstAttempts = ours.filter(([ch]) => ch.endsWith('-a1')).length;
    expect(firstAttempts).toBeLessThanOrEqual(NUMBERS);
    // Every busy number dialed a second time (its parked retry, fed whichever worker held the feeder); any other
    // number dialed twice had its first call cut by the kill (taken over and dialed again, as a restart does).
    const busy = new Set(numbers.filter((n) => n.endsWith('6')));
    const second = new Set(
      ours.filter(([ch]) => ch.endsWith('-a2')).map(([ch]) => numbers.find((n) => ch === channelIdFor({ campaignId: id, contactKey: n, attempt: 2 }))!),
    );
    for (const n of busy) expect(second.has(n), `busy ${n} dialed again`).toBe(true);
    const firstOf = async (n: string) =>
      (await history.pool.query<{ d: string }>('SELECT disposition AS d FROM attempts WHERE campaign_id = $1 AND number = $2 AND attempt = 1', [id, n])).rows[0]
        ?.d;
    for (const n of [...second].filter((x) => !busy.has(x))) expect(await firstOf(n), `${n}: why a second call`).toBe('INTERRUPTED');
    const stored = new Set(
      (await history.pool.query<{ channel_id: string }>('SELECT channel_id FROM attempts WHERE campaign_id = $1', [id])).rows.map((x) => x.channel_id),
    );
    await waitUntil(
      'every attempt archived',
      async () => {
        for (const x of (await history.pool.query<{ channel_id: string }>('SELECT channel_id FROM attempts WHERE campaign_id = $1', [id])).rows)
          stored.add(x.channel_id);
        return ours.every(([ch]) => stored.has(ch));
      },
      30_000,
      200,
    ).catch(() => undefined);
    expect(
      ours.filter(([ch]) => !stored.has(ch)).map(([ch]) => ch),
      'originated without a stored attempt',
    ).toEqual([]);
    process.stderr.write(`feeder-sigkill: takeover ${takeoverMs} ms after SIGKILL; ${before.done} done at the kill, ${ours.length} channels, 0 twice\n`);
    await waitUntil('survivor alive', () => b.child.exitCode === null, 100);
  }, 180_000);
});
