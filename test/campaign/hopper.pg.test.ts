import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { notFedYet } from '../../src/campaign/campaign-reads.js';
import { campaignFigures } from '../../src/dashboard/campaign-figures.js';
import { CampaignWorker } from '../../jobs/campaign-worker.js';
import { HopperFeeder } from '../../src/campaign/hopper/hopper-feeder.js';
import type { ContactTable } from '../../src/campaign/hopper/contact-table.js';
import { RetryParking } from '../../src/campaign/hopper/retry-parking.js';
import { hopperSizeFor } from '../../src/campaign/hopper/hopper-size.js';
import { sweepSettled } from '../../src/campaign/hopper/settled-sweep.js';
import { callStatus } from '../../src/campaign/calls/call-status.js';
import { dialJobId, type DialJobData } from '../../src/campaign/job-data.js';
import { channelIdFor } from '../../src/dialer/channel-id.js';
import { AriSim } from '../../src/sim/index.js';
import type { HistoryStore } from '../../src/store/history/history-store.js';
import type { HistoryArchiver } from '../../src/store/history/history-archiver.js';
import { dropPrefix, REDIS_URL, testPrefix, testRedis, waitUntil } from '../helpers/redis-test.js';
import { testHistory } from '../helpers/pg-test.js';

/**
 * Lists in PostgreSQL behind a bounded hopper: the import (COPY, checks as in Redis), the hopper never holding more
 * than its size, the order (lead_priority, then row), a contact whose job vanished fed again and dialed once,
 * cancel ending every waiting contact in one statement, and the feeder lock taken over when its holder dies.
 */
const csv = (text: string) => () => Readable.from([text]);
const numbersCsv = (numbers: string[], extra = '') => csv(`number${extra ? ',' + extra : ''}\n${numbers.join('\n')}\n`);
const numbersOf = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `+1555${String(300000 + from + i).padStart(7, '0')}`);

let history: HistoryStore;
let drop: () => Promise<void>;
let redis: Redis;
let svc: CampaignService;
const prefix = testPrefix('hopper');

beforeAll(async () => {
  ({ history, drop } = await testHistory('hopper'));
  redis = testRedis();
  svc = new CampaignService({ redis, prefix, history });
});

afterAll(async () => {
  await svc.close();
  await dropPrefix(redis, prefix);
  redis.disconnect();
  await drop();
});

/** A feeder of the test's campaigns, as a worker named `owner` runs one (fed by hand: no timer). */
const feederAs = (owner: string, lockTtlMs?: number) =>
  new HopperFeeder({ redis, keys: svc.keys, contacts: svc.contacts!, queue: (c) => svc.dialQueue(c), campaign: (c) => svc.get(c), owner, lockTtlMs });

const contactRows = async (id: string) =>
  (await history.pool.query(`SELECT number, row, seq, lead_priority, state, data FROM contacts WHERE campaign_id = $1 ORDER BY seq`, [id])).rows as Array<{
    number: string;
    row: number;
    lead_priority: number;
    state: string;
    data: Record<string, unknown> | null;
  }>;

describe('importing a list into PostgreSQL', () => {
  it('names every bad line and stores nothing, no campaign either, unless --skip-invalid', async () => {
    const file = csv('number,trunk\n+15550000001,pstn\nnot-a-number,pstn\n+15550000002,evil@10.0.0.1\n+15550000003,pstn\n');
    const settings = { endpoint: 'PJSIP/{number}@{trunk}' };
    const strict = await svc.create({ name: 'strict', settings, open: file });
    expect(strict.created).toBe(false);
    expect(strict.errors.map((e) => e.line)).toEqual([3, 4]);
    expect(strict.errors[1]!.reason).toMatch(/trunk/);
    expect(Number((await history.pool.query('SELECT count(*) AS n FROM contacts')).rows[0].n)).toBe(0);
    expect(await svc.store.ids()).toEqual([]);

    const rejected: number[] = [];
    const loose = await svc.create({ name: 'loose', settings, open: file, skipInvalid: true, onRejected: (e) => rejected.push(e.line) });
    expect(loose).toMatchObject({ created: true, rows: 4, accepted: 2, rejected: 2 });
    expect(rejected).toEqual([3, 4]);
    const rows = await contactRows(loose.id!);
    expect(rows.map((r) => [r.number, r.row, r.state])).toEqual([
      ['+15550000001', 2, 'waiting'],
      ['+15550000003', 5, 'waiting'],
    ]);
    expect(rows[0]!.data).toEqual({ vars: { trunk: 'pstn' } });
    const meta = await svc.get(loose.id!);
    expect(meta).toMatchObject({ contacts: 'pg', history: 'pg', state: 'running' });
    expect((await svc.store.counters(loose.id!)).total).toBe(2);
    // Nothing per number in Redis: no dedupe set, no job.
    expect(await redis.exists(svc.keys.numbers(loose.id!))).toBe(0);
    expect((await svc.queueCounts(loose.id!)).waiting).toBe(0);
  });

  it('drops duplicates (in the file and against the campaign) and suppressed numbers, counting each', async () => {
    await redis.sadd(svc.keys.suppression, '+15550000013');
    const r = await svc.create({
      name: 'dedupe',
      settings: { endpoint: 'SIP/{number}' },
      open: numbersCsv(['+15550000011', '+15550000012', '+1 555 000 0011', '+15550000013', '+15550000014']),
      suppression: ['+15550000014'],
    });
    expect(r).toMatchObject({ created: true, rows: 5, accepted: 2, duplicates: 1, suppressed: 2 });
    const added = await svc.add(r.id!, { open: numbersCsv(['+15550000012', '+15550000015']) });
    expect(added).toMatchObject({ stored: true, accepted: 1, duplicates: 1 });
    expect((await contactRows(r.id!)).map((x) => x.number)).toEqual(['+15550000011', '+15550000012', '+15550000015']);
    expect((await svc.store.counters(r.id!)).total).toBe(3);
  });

  it('a number the file repeats keeps its first line, new campaign or appended, past the memory bound of held repeats too', async () => {
    // 6,000 numbers, then each again with another name and 1.5 KB more: ~9 MB of repeats, more than the 8 MB held.
    const n = 6000;
    const nums = numbersOf(n, 20_000);
    const pad = 'x'.repeat(1500);
    const file = () =>
      csv(`number,name,pad\n${nums.map((x, i) => `${x},first-${i},`).join('\n')}\n${nums.map((x, i) => `${x},second-${i},${pad}`).join('\n')}\n`);
    const r = await svc.create({ name: 'repeats', settings: { endpoint: 'SIP/{number}' }, open: file() });
    expect(r).toMatchObject({ created: true, rows: 2 * n, accepted: n, duplicates: n });
    const rows = await contactRows(r.id!);
    expect(rows).toHaveLength(n);
    expect(rows.every((x, i) => x.number === nums[i] && x.row === i + 2 && (x.data as { vars: { name: string } }).vars.name === `first-${i}`)).toBe(true);
    // Appended: the campaign's own numbers are duplicates, the file's repeats keep their first line, seq follows on.
    const more = numbersOf(3, 30_000);
    const added = await svc.add(r.id!, { open: csv(`number,name,pad\n${nums[0]},again,\n${more[0]},a,\n${more[1]},b,\n${more[0]},a2,\n${more[2]},c,\n`) });
    expect(added).toMatchObject({ stored: true, rows: 5, accepted: 3, duplicates: 2 });
    const tail = (await contactRows(r.id!)).slice(n);
    expect(tail.map((x) => [x.number, x.row, (x.data as { vars: { name: string } }).vars.name])).toEqual([
      [more[0], 3, 'a'],
      [more[1], 4, 'b'],
      [more[2], 6, 'c'],
    ]);
    // Strict with a bad row: nothing stored, the counts as a kept import would have them.
    const strict = await svc.create({
      name: 'repeats-strict',
      settings: { endpoint: 'SIP/{number}' },
      open: csv(`number\n${more[0]}\n${more[0]}\nbad\n${more[1]}\n`),
    });
    expect(strict).toMatchObject({ created: false, rows: 4, accepted: 2, duplicates: 1, rejected: 1 });
  });

  it('previews in PostgreSQL without storing anything', async () => {
    const before = Number((await history.pool.query('SELECT count(*) AS n FROM contacts')).rows[0].n);
    const p = await svc.preview({ settings: { endpoint: 'SIP/{number}' }, open: numbersCsv(['+15550000021', '+15550000021', 'x']) });
    expect(p).toMatchObject({ rows: 3, accepted: 1, duplicates: 1, rejected: 1 });
    expect(Number((await history.pool.query('SELECT count(*) AS n FROM contacts')).rows[0].n)).toBe(before);
  });

  it('a file that breaks half way stores nothing', async () => {
    const bad = csv(`number\n${numbersOf(3000).join('\n')}\n"+1555,unclosed\n`);
    await expect(svc.create({ name: 'broken', settings: { endpoint: 'SIP/{number}' }, open: bad, skipInvalid: true })).rejects.toThrow(/line 3002/);
    expect(Number((await history.pool.query(`SELECT count(*) AS n FROM contacts WHERE campaign_id LIKE 'broken-%'`)).rows[0].n)).toBe(0);
  });
});

describe('the hopper', () => {
  it('sizes itself from cps and concurrency, at most 10,000', () => {
    expect(hopperSizeFor({ cps: 5, maxConcurrent: 20 })).toBe(300);
    expect(hopperSizeFor({ cps: 0.5, maxConcurrent: 40 })).toBe(80);
    expect(hopperSizeFor({ cps: 1000, maxConcurrent: 20 })).toBe(10_000);
    expect(hopperSizeFor({ cps: 1000, maxConcurrent: 20, hopperSize: 7 })).toBe(7);
  });

  it('feeds lead_priority first then row order, at most hopperSize jobs, and one feeder at a time', async () => {
    const rows = ['+15550000031,0', '+15550000032,5', '+15550000033,', '+15550000034,5', '+15550000035,9'];
    const r = await svc.create({
      name: 'order',
      settings: { endpoint: 'SIP/{number}', hopperSize: 3 },
      open: csv(`number,lead_priority\n${rows.join('\n')}\n`),
    });
    const id = r.id!;
    await svc.pause(id); // jobs stay put where the test can read them
    await svc.resume(id);
    await svc.dialQueue(id).pause();
    const a = feederAs('a', 300);
    const b = feederAs('b', 300);
    expect(await a.feed(id)).toBe(3);
    expect(await b.feed(id)).toBe(0); // a holds the lock
    expect(await a.feed(id)).toBe(0); // the hopper is full
    const queued = (await svc.dialQueue(id).getJobs(['paused', 'waiting'], 0, -1)).map((j) => j.data.number).sort();
    expect(queued).toEqual(['+15550000032', '+15550000034', '+15550000035'].sort());
    const states = Object.fromEntries((await contactRows(id)).map((c) => [c.number, c.state]));
    expect(states).toEqual({
      '+15550000031': 'waiting',
      '+15550000032': 'queued',
      '+15550000033': 'waiting',
      '+15550000034': 'queued',
      '+15550000035': 'queued',
    });
    // Status counts the numbers still in PostgreSQL, not only the hopper's jobs as waiting.
    const status = await svc.status(id);
    expect(status.queue.paused + status.queue.waiting).toBe(3);
    expect(notFedYet(status)).toBe(2);
    expect(campaignFigures(status, Date.now()).inList).toBe(2);
    // a dies (stops renewing): b takes over once the lock lapses, and sees the hopper full.
    await new Promise((res) => setTimeout(res, 350));
    expect(await b.feed(id)).toBe(0);
    expect(await a.feed(id)).toBe(0);
    expect(await redis.get(b.lockKey(id))).toBe('b');
    await svc.cancel(id);
  });

  it('parks a retry in the list: idempotent, due first, its job id; a vanished retry job is fed again as that attempt', async () => {
    const numbers = numbersOf(4, 150);
    const r = await svc.create({ name: 'park', settings: { endpoint: 'SIP/{number}', hopperSize: 2 }, open: numbersCsv(numbers) });
    const id = r.id!;
    await svc.dialQueue(id).pause();
    const f = feederAs('p');
    expect(await f.feed(id)).toBe(2);
    const [first] = await svc.dialQueue(id).getJobs(['paused', 'waiting'], 0, 0);
    const data = first!.data as DialJobData;
    const next: DialJobData = { ...data, attempt: 2, tries: { BUSY: 1 } };
    const park = async (n: DialJobData, delayMs: number) => (await svc.contacts!.parkMany(id, [{ next: n, delayMs }])).get(n.number);
    // Its first job done (a busy call): the retry waits in PostgreSQL, a second park of it changes nothing.
    await first!.remove();
    expect(await park(next, 60_000)).toBe(true);
    expect(await park(next, 0)).toBe(true);
    const parked = (await contactRows(id)).find((c) => c.number === data.number)!;
    expect(parked).toMatchObject({ state: 'retry', data: expect.objectContaining({ tries: { BUSY: 1 } }) });
    expect(await svc.contacts!.stateOf(id, data.number)).toEqual({ state: 'retry', attempt: 2 });
    // Not due: the feeder takes the waiting numbers, not the parked retry.
    expect(await f.feed(id)).toBe(1);
    expect((await svc.dialQueue(id).getJobs(['paused', 'waiting'], 0, -1)).map((j) => j.id)).not.toContain(dialJobId(id, data.number, 2));
    // Due now: taken first, as its second attempt's job.
    await history.pool.query(`UPDATE contacts SET not_before = now() WHERE campaign_id = $1 AND number = $2`, [id, data.number]);
    for (const j of await svc.dialQueue(id).getJobs(['paused', 'waiting'], 0, -1)) if (j.data.number !== data.number) await j.remove();
    expect(await f.feed(id)).toBe(2);
    const retryJob = await svc.dialQueue(id).getJob(dialJobId(id, data.number, 2));
    expect(retryJob?.data).toMatchObject({ number: data.number, attempt: 2, tries: { BUSY: 1 } });
    // Redis loses it: back to a retry due now, fed again with the same job id (the two jobs removed above to make
    // room are found too, and go back to waiting).
    await retryJob!.remove();
    expect(await f.reconcile(id)).toBe(3);
    expect(await svc.contacts!.stateOf(id, data.number)).toEqual({ state: 'retry', attempt: 2 });
    expect(await f.feed(id)).toBeGreaterThanOrEqual(1);
    expect(await svc.dialQueue(id).getJob(dialJobId(id, data.number, 2))).toBeDefined();
    // A number the list does not have is not parked: the caller keeps the retry as a delayed job.
    expect(await park({ ...next, number: '+15550009999' }, 60_000)).toBe(false);
    await svc.cancel(id);
  });

  it("a worker's retries of one window are parked together, each answered for itself", async () => {
    const numbers = numbersOf(3, 170);
    const r = await svc.create({ name: 'park-batch', settings: { endpoint: 'SIP/{number}', hopperSize: 3 }, open: numbersCsv(numbers) });
    const id = r.id!;
    await svc.dialQueue(id).pause();
    expect(await feederAs('pb').feed(id)).toBe(3);
    const parking = new RetryParking(svc.contacts!, 50);
    const next = (number: string): DialJobData => ({ campaignId: id, number, row: 2, attempt: 2, tries: { NO_ANSWER: 1 } });
    const parked = await Promise.all([...numbers, '+15550009998'].map((n) => parking.park(next(n), 60_000)));
    expect(parked).toEqual([true, true, true, false]);
    expect((await contactRows(id)).map((c) => c.state)).toEqual(['retry', 'retry', 'retry']);
    // A batch PostgreSQL refuses fails each of its parks (each caller then keeps its retry as a delayed job).
    const broken = new RetryParking({ parkMany: () => Promise.reject(new Error('connection terminated')) } as unknown as ContactTable, 10);
    await expect(Promise.all([broken.park(next(numbers[0]!), 1), broken.park(next(numbers[1]!), 1)])).rejects.toThrow('connection terminated');
    await svc.cancel(id);
  });

  it('feeds a queued contact whose job vanished again, with the same job id; dialed once', async () => {
    const r = await svc.create({ name: 'vanish', settings: { endpoint: 'SIP/{number}', hopperSize: 4 }, open: numbersCsv(numbersOf(6, 100)) });
    const id = r.id!;
    await svc.dialQueue(id).pause();
    const f = feederAs('x');
    expect(await f.feed(id)).toBe(4);
    // Redis loses two jobs (as after a restart without persistence).
    const jobs = await svc.dialQueue(id).getJobs(['paused', 'waiting'], 0, -1);
    const lost = jobs.slice(0, 2);
    for (const j of lost) await j.remove();
    expect(await f.reconcile(id)).toBe(2);
    expect(await f.feed(id)).toBe(2);
    const ids = (await svc.dialQueue(id).getJobs(['paused', 'waiting'], 0, -1)).map((j) => j.id).sort();
    expect(ids).toHaveLength(4);
    for (const j of lost) expect(ids).toContain(j.id);
    // A number with a final result is not fed again even without a job.
    await redis.hset(svc.keys.finals(id), jobs[2]!.data.number, '1');
    await jobs[2]!.remove();
    expect(await f.reconcile(id)).toBe(0);
    await svc.cancel(id);
  });

  it('cancel ends every waiting contact CANCELLED in one statement, and the queued ones from their jobs', async () => {
    const r = await svc.create({ name: 'cancel', settings: { endpoint: 'SIP/{number}', hopperSize: 5 }, open: numbersCsv(numbersOf(50, 200)) });
    const id = r.id!;
    await svc.dialQueue(id).pause();
    const f = feederAs('x');
    expect(await f.feed(id)).toBe(5);
    await svc.cancel(id);
    const c = await svc.store.counters(id);
    expect(c).toMatchObject({ total: 50, done: 50, final: { CANCELLED: 50 } });
    const finals = await history.pool.query(`SELECT number, record FROM finals WHERE campaign_id = $1`, [id]);
    // 45 written by the statement; the 5 fed ones go through the outbox (no archiver runs here).
    expect(finals.rowCount).toBe(45);
    expect(finals.rows[0].record).toMatchObject({
      disposition: 'CANCELLED',
      final: true,
      campaignId: id,
      message: 'campaign cancelled before this number was dialed',
    });
    expect((await svc.contacts!.counts(id)).waiting).toBe(0);
  });
});

describe('archiving a list in PostgreSQL', () => {
  it('waits until every contact is done there: a cancel still ending its waiting contacts is not over', async () => {
    const r = await svc.create({ name: 'archive-open', settings: { endpoint: 'SIP/{number}' }, open: numbersCsv(numbersOf(30, 700)) });
    const id = r.id!;
    // Cancelled in Redis, its waiting contacts not ended yet (the statement still running elsewhere).
    await svc.store.setState(id, 'cancelled');
    await svc.dialQueue(id).pause();
    const archiver = svc.historyArchiver({ purge: true });
    try {
      expect(await archiver.archiveFinished()).not.toContain(id);
      expect(await svc.endCancelled(id)).toBe(30);
      await archiver.drain();
      expect(await archiver.archiveFinished()).toContain(id);
    } finally {
      await archiver.stop();
    }
    expect((await svc.contacts!.counts(id)).done).toBe(30);
  });
});

describe('a whole campaign from PostgreSQL on the simulator', () => {
  let sim: AriSim;
  let worker: CampaignWorker;
  let archiver: HistoryArchiver;
  beforeAll(async () => {
    sim = await AriSim.start({ users: { dialer: 'pw' }, timeScale: 0.01 });
    worker = new CampaignWorker({
      redisUrl: REDIS_URL,
      prefix,
      history,
      ari: { url: sim.url, user: 'dialer', password: 'pw' },
      channelCap: 100,
      pollMs: 100,
      feedEveryMs: 50,
    });
    await worker.start();
    archiver = svc.historyArchiver({ idleMs: 50, archiveEveryMs: 100, purge: false });
    archiver.start();
  });
  afterAll(async () => {
    await archiver.stop();
    await worker.stop(1000);
    await sim.stop();
  });

  it('dials every number once with at most hopperSize jobs ready, every contact done, retries as delayed jobs', async () => {
    const numbers = numbersOf(300, 400);
    const r = await svc.create({
      name: 'run',
      settings: { endpoint: 'SIP/trunk/{number}', cps: 300, maxConcurrent: 20, hopperSize: 25, timeoutS: 5, retry: 'busy=1@20ms' },
      open: numbersCsv(numbers),
    });
    const id = r.id!;
    let peak = 0;
    const sampler = setInterval(() => {
      void svc
        .dialQueue(id)
        .getJobCounts('waiting', 'paused', 'prioritized', 'active')
        .then((c) => {
          peak = Math.max(
            peak,
            Object.values(c).reduce((a, b) => a + b, 0),
          );
        });
    }, 10);
    try {
      await waitUntil('campaign finished', async () => (await svc.store.get(id))?.state === 'finished', 40_000);
    } finally {
      clearInterval(sampler);
    }
    // Ready jobs never past the hopper (a retry is added by its call's job while that job is still active).
    expect(peak).toBeLessThanOrEqual(25 + 20);
    const busy = numbers.filter((n) => n.endsWith('6')).length;
    // Counted by the simulator, for this campaign's endpoints only (the worker serves the other tests' too).
    const ours = [...sim.stats.originatesByEndpoint].filter(([e]) => e.startsWith('SIP/trunk/+1555')).reduce((a, [, n]) => a + n, 0);
    expect(ours).toBe(300 + busy);
    for (const n of sim.stats.originatesByChannelId.values()) expect(n).toBe(1);
    await waitUntil('contacts done', async () => (await svc.contacts!.counts(id)).done === 300, 20_000);
    const finals = await history.pool.query(`SELECT count(*) AS n, count(DISTINCT number) AS d FROM finals WHERE campaign_id = $1`, [id]);
    expect(finals.rows[0]).toEqual({ n: '300', d: '300' });
  }, 60_000);

  it('retries due later wait in PostgreSQL, not as delayed jobs in Redis; fed when due, each attempt dialed once', async () => {
    const numbers = numbersOf(20, 1200);
    const busy = numbers.filter((n) => n.endsWith('6'));
    const r = await svc.create({
      name: 'parked',
      settings: { endpoint: 'SIP/trunk/{number}', cps: 300, maxConcurrent: 20, timeoutS: 5, retry: 'busy=1@6s' },
      open: numbersCsv(numbers),
    });
    const id = r.id!;
    const retries = async () => (await contactRows(id)).filter((c) => c.state === 'retry');
    await waitUntil('busy numbers parked', async () => (await retries()).length === busy.length, 20_000);
    expect((await retries()).map((c) => c.number).sort()).toEqual(busy.sort());
    expect((await svc.dialQueue(id).getJobCounts('delayed')).delayed).toBe(0);
    const status = await svc.status(id);
    expect(notFedYet(status)).toBe(busy.length);
    const second = channelIdFor({ campaignId: id, contactKey: busy[0]!, attempt: 2 });
    expect((await callStatus(svc, second))?.state).toBe('queued');

    await waitUntil('campaign finished', async () => (await svc.store.get(id))?.state === 'finished', 30_000);
    for (const n of numbers) {
      const perChannel = [1, 2].map((a) => sim.stats.originatesByChannelId.get(channelIdFor({ campaignId: id, contactKey: n, attempt: a })) ?? 0);
      expect(perChannel).toEqual(busy.includes(n) ? [1, 1] : [1, 0]);
    }
    await waitUntil('contacts done', async () => (await svc.contacts!.counts(id)).done === 20, 20_000);
    const finals = await history.pool.query(`SELECT number, attempt, disposition FROM finals WHERE campaign_id = $1 AND number = ANY($2)`, [id, busy]);
    expect(finals.rows.map((x) => [x.attempt, x.disposition])).toEqual(busy.map(() => [2, 'BUSY']));
  }, 60_000);

  it('a cancel ends the retries parked in PostgreSQL CANCELLED, with the attempts they had', async () => {
    const numbers = numbersOf(10, 1300);
    const busy = numbers.filter((n) => n.endsWith('6'));
    const r = await svc.create({
      name: 'parked-cancel',
      settings: { endpoint: 'SIP/trunk/{number}', cps: 300, maxConcurrent: 20, timeoutS: 5, retry: 'busy=1@10m' },
      open: numbersCsv(numbers),
    });
    const id = r.id!;
    await waitUntil('busy numbers parked', async () => (await contactRows(id)).filter((c) => c.state === 'retry').length === busy.length, 20_000);
    await waitUntil('the others done', async () => (await svc.status(id)).counters.done === numbers.length - busy.length, 20_000);
    await svc.cancel(id);
    expect((await svc.contacts!.counts(id)).retry).toBe(0);
    const finals = await history.pool.query(`SELECT attempt, disposition, record->>'attempt' AS rec FROM finals WHERE campaign_id = $1 AND number = ANY($2)`, [
      id,
      busy,
    ]);
    expect(finals.rows).toEqual(busy.map(() => ({ attempt: 1, disposition: 'CANCELLED', rec: '1' })));
    expect((await svc.status(id)).counters.done).toBe(numbers.length);
    // Over for PostgreSQL too: every contact done, so the campaign is archived.
    await waitUntil('archived', async () => Boolean((await history.campaign(id))?.archivedAt), 20_000);
  }, 60_000);

  it('drops the Redis marks of numbers final in PostgreSQL whose jobs are gone, never those of a number with a job left', async () => {
    const numbers = numbersOf(40, 900);
    const r = await svc.create({
      name: 'sweep',
      settings: { endpoint: 'SIP/trunk/{number}', cps: 300, maxConcurrent: 20, timeoutS: 5, retry: 'busy=1@20ms' },
      open: numbersCsv(numbers),
    });
    const id = r.id!;
    await waitUntil('finished', async () => (await svc.store.get(id))?.state === 'finished', 20_000);
    await waitUntil('contacts done', async () => (await svc.contacts!.counts(id)).done === 40, 20_000);
    // The marks as RECORD_ATTEMPT leaves them (the feeder may have swept some already: put them all back), plus one
    // of a number whose final is not in PostgreSQL; a job left for the first 20 (one that could still run).
    const ch = (n: string, a: number) => channelIdFor({ campaignId: id, contactKey: n, attempt: a });
    const busy = (n: string) => n.endsWith('6');
    for (const n of [...numbers, '+15550000999']) {
      await redis.hset(svc.keys.finals(id), n, '1');
      for (const a of busy(n) ? [1, 2] : [1]) await redis.hset(svc.keys.attemptIds(id), ch(n, a), '{"settled":1}');
    }
    for (const n of numbers.slice(0, 20))
      await svc.dialQueue(id).add('dial', { campaignId: id, number: n, row: 1, attempt: 1 }, { jobId: dialJobId(id, n, 1), delay: 600_000 });
    const marks = async () => ({ finals: await redis.hlen(svc.keys.finals(id)), ids: await redis.hlen(svc.keys.attemptIds(id)) });
    const idsOf = (ns: string[]) => ns.reduce((x, n) => x + (busy(n) ? 2 : 1), 0);
    expect(await sweepSettled({ redis, keys: svc.keys, contacts: svc.contacts! }, id)).toBe(20);
    const kept = [...numbers.slice(0, 20), '+15550000999'];
    expect(await marks()).toEqual({ finals: 21, ids: idsOf(kept) });
    for (const n of kept) expect(await redis.hexists(svc.keys.finals(id), n)).toBe(1);
    // Their jobs gone: their marks go too; the one PostgreSQL has no final for stays.
    for (const n of numbers.slice(0, 20)) await (await svc.dialQueue(id).getJob(dialJobId(id, n, 1)))?.remove();
    expect(await sweepSettled({ redis, keys: svc.keys, contacts: svc.contacts! }, id)).toBe(20);
    expect(await marks()).toEqual({ finals: 1, ids: 1 });
    // What the marks answered is PostgreSQL's to answer now.
    expect(await svc.store.attemptByChannel(id, ch(numbers[0]!, 1))).toBeUndefined();
    expect((await callStatus(svc, ch(numbers[0]!, 1)))?.state).toBe('ended');
  }, 40_000);

  it('appending to a finished campaign runs it again until the new numbers are done', async () => {
    const r = await svc.create({
      name: 'again',
      settings: { endpoint: 'SIP/trunk/{number}', cps: 300, maxConcurrent: 20, timeoutS: 5, retry: 'busy=1@20ms,no_answer=1@20ms,congestion=1@20ms' },
      open: numbersCsv(numbersOf(10, 800)),
    });
    const id = r.id!;
    await waitUntil('finished', async () => (await svc.store.get(id))?.state === 'finished', 20_000);
    const added = await svc.add(id, { open: numbersCsv(numbersOf(15, 805)) });
    expect(added).toMatchObject({ stored: true, accepted: 10, duplicates: 5 });
    await waitUntil('finished again', async () => (await svc.store.get(id))?.state === 'finished' && (await svc.store.counters(id)).done === 20, 20_000);
    expect((await svc.store.counters(id)).total).toBe(20);
  }, 40_000);
});
