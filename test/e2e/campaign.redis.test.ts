import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { CampaignWorker } from '../../jobs/campaign-worker.js';
import { SuppressionList } from '../../src/campaign/suppression-list.js';
import type { AttemptRecord } from '../../src/report/summarize.js';
import { summarizeCampaign } from '../../src/report/write-report.js';
import { AriSim } from '../../src/sim/index.js';
import { createLogger } from '../../src/log.js';
import { maxPerSecond, REDIS_URL, testPrefix, waitUntil } from '../helpers/redis-test.js';
import { startCampaignRig, type CampaignRig } from '../helpers/campaign-rig.js';

const csvOf =
  (numbers: string[], header = 'number,name') =>
  () =>
    Readable.from([`${header}\n${numbers.map((n, i) => `${n},N${i}`).join('\n')}\n`]);

let sim: AriSim;
let redis: Redis;
const prefix = testPrefix('campaign');
let svc: CampaignService;

let rig: CampaignRig;

beforeAll(async () => {
  rig = await startCampaignRig(prefix, {
    worker: { channelCap: 200, logger: process.env.TEST_LOG ? createLogger({ level: process.env.TEST_LOG }) : undefined },
  });
  ({ sim, redis, svc } = rig);
});

afterAll(() => rig.close());

async function finished(id: string, timeoutMs = 60_000) {
  await waitUntil(`campaign ${id} finished`, async () => ['finished', 'cancelled'].includes((await svc.get(id)).state), timeoutMs);
  return svc.status(id);
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('a 500-number campaign with mixed outcomes', () => {
  it('ends with exactly one final result per number, retries as the policy says, never dials twice', async () => {
    // Last digit decides the simulator's outcome: 0-5 answer, 6 busy, 7 no answer, 8 congestion, 9 rejected.
    const numbers = Array.from({ length: 500 }, (_, i) => `+1555${String(100000 + i).padStart(7, '0')}`);
    const r = await svc.create({
      name: 'mixed',
      settings: { endpoint: 'SIP/trunk/{number}', cps: 400, maxConcurrent: 100, timeoutS: 5, retry: 'busy=2@20ms,no_answer=1@20ms,congestion=3@20ms' },
      open: csvOf(numbers),
    });
    expect(r).toMatchObject({ created: true, accepted: 500, rejected: 0 });
    const s = await finished(r.id!);
    expect(s.counters).toMatchObject({ total: 500, done: 500, inflight: 0 });
    const finals = await collect(svc.finals(r.id!));
    expect(finals).toHaveLength(500);
    expect(new Set(finals.map((f) => f.number)).size).toBe(500);
    const attempts = await collect(svc.attempts(r.id!));
    const byNumber = new Map<string, AttemptRecord[]>();
    for (const a of attempts) byNumber.set(a.number, [...(byNumber.get(a.number) ?? []), a]);
    const expected: Record<string, [string, number]> = { '6': ['BUSY', 3], '7': ['NO_ANSWER', 2], '8': ['CONGESTION', 4], '9': ['REJECTED', 1] };
    for (const f of finals) {
      const [disposition, tries] = expected[f.number.at(-1)!] ?? ['ANSWERED', 1];
      expect(f.disposition, f.number).toBe(disposition);
      const mine = byNumber.get(f.number) ?? [];
      expect(mine.map((a) => a.attempt).sort()).toEqual(Array.from({ length: tries }, (_, i) => i + 1));
      expect(mine.filter((a) => a.final)).toHaveLength(1);
      // Zero double dials: the simulator saw exactly as many originates as we recorded attempts.
      expect(sim.stats.originatesByEndpoint.get(`SIP/trunk/${f.number}`), f.number).toBe(mine.length);
    }
    const summary = await summarizeCampaign(svc, r.id!);
    expect(summary.numbers).toBe(500);
    expect(summary.asr).toBeCloseTo(300 / 500, 5);
    expect(summary.by_disposition.BUSY).toBe(50);
  });
});

describe('pacing', () => {
  it('holds calls per second (sliding window) and concurrent channels', async () => {
    const numbers = Array.from({ length: 60 }, (_, i) => `+1444${String(300000 + i * 10).padStart(7, '0')}`);
    sim.resetStats();
    const t0 = Date.now();
    const r = await svc.create({ name: 'paced', settings: { endpoint: 'SIP/trunk/{number}', cps: 20, maxConcurrent: 4, timeoutS: 5 }, open: csvOf(numbers) });
    await finished(r.id!);
    const starts = sim.stats.originateTimestamps.filter((t) => t >= t0);
    expect(starts).toHaveLength(60);
    expect(maxPerSecond(starts)).toBeLessThanOrEqual(21);
    expect(sim.stats.peakActiveChannels).toBeLessThanOrEqual(4);
    // Exact pacing: 60 calls at 20/s span ~3 s (the concurrency cap may stretch it, never shrink it).
    expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(2900);
  });
});

describe('several Asterisk servers', () => {
  it("a campaign pinned to one server is dialed only by that server's worker", async () => {
    const east = await AriSim.start({ users: { dialer: 'pw' }, timeScale: 0.01 });
    const eastWorker = new CampaignWorker({
      redisUrl: REDIS_URL,
      prefix,
      ari: { url: east.url, user: 'dialer', password: 'pw' },
      asterisk: 'east',
      pollMs: 100,
    });
    await eastWorker.start();
    try {
      const numbers = Array.from({ length: 20 }, (_, i) => `+1333${String(400000 + i * 10).padStart(7, '0')}`);
      const r = await svc.create({
        name: 'pinned',
        settings: { endpoint: 'SIP/trunk/{number}', cps: 100, maxConcurrent: 10, timeoutS: 5, asterisks: ['east'] },
        open: csvOf(numbers),
      });
      await finished(r.id!);
      for (const n of numbers) {
        expect(east.stats.originatesByEndpoint.get(`SIP/trunk/${n}`)).toBe(1);
        expect(sim.stats.originatesByEndpoint.get(`SIP/trunk/${n}`) ?? 0).toBe(0);
      }
    } finally {
      await eastWorker.stop(1000);
      await east.stop();
    }
  });
});

describe('pause, resume, cancel', () => {
  it('pause stops new originates within a second; resume goes on; cancel marks the rest CANCELLED', async () => {
    const numbers = Array.from({ length: 60 }, (_, i) => `+1666${String(200000 + i * 10).padStart(7, '0')}`);
    const r = await svc.create({ name: 'steer', settings: { endpoint: 'SIP/trunk/{number}', cps: 20, maxConcurrent: 5, timeoutS: 5 }, open: csvOf(numbers) });
    const id = r.id!;
    const dialedOf = () => numbers.reduce((n, x) => n + (sim.stats.originatesByEndpoint.get(`SIP/trunk/${x}`) ?? 0), 0);
    await waitUntil('some calls', () => dialedOf() >= 5);
    await svc.pause(id);
    await new Promise((res) => setTimeout(res, 1000));
    const atPause = dialedOf();
    await new Promise((res) => setTimeout(res, 700));
    expect(dialedOf()).toBe(atPause);
    expect((await svc.get(id)).state).toBe('paused');
    await svc.resume(id);
    await waitUntil('more calls after resume', () => dialedOf() > atPause + 3);
    await svc.cancel(id);
    const s = await finished(id);
    expect(s.state).toBe('cancelled');
    await waitUntil('in-flight calls recorded', async () => (await svc.status(id)).counters.done === 60);
    const finals = await collect(svc.finals(id));
    expect(finals).toHaveLength(60);
    const cancelled = finals.filter((f) => f.disposition === 'CANCELLED');
    expect(cancelled.length).toBeGreaterThan(10);
    for (const f of cancelled) expect(sim.stats.originatesByEndpoint.get(`SIP/trunk/${f.number}`) ?? 0).toBe(0);
    const afterCancel = dialedOf();
    await new Promise((res) => setTimeout(res, 500));
    expect(dialedOf()).toBe(afterCancel);
  });
});

describe('calling window', () => {
  it('originates nothing outside the window; a row timezone where it is open is dialed', async () => {
    const now = new Date();
    const hh = (h: number) => String(((h % 24) + 24) % 24).padStart(2, '0');
    // Open from two to three hours from now, UTC: closed now in UTC, open now where clocks run two hours ahead.
    const window = `${hh(now.getUTCHours() + 2)}:00-${hh(now.getUTCHours() + 3)}:00 UTC`;
    const numbers = ['+17770000010', '+17770000020'];
    const r = await svc.create({
      name: 'window',
      settings: { endpoint: 'SIP/trunk/{number}', cps: 50, maxConcurrent: 5, timeoutS: 5, window },
      open: () => Readable.from([`number,timezone\n${numbers[0]},UTC\n${numbers[1]},Etc/GMT-2\n`]),
    });
    expect(r.created).toBe(true);
    // Etc/GMT-2 is UTC+2: its clock is two hours ahead, so the window is open there now.
    await waitUntil('the open-zone row dialed', async () => (await svc.status(r.id!)).counters.done === 1);
    expect(sim.stats.originatesByEndpoint.get(`SIP/trunk/${numbers[0]}`) ?? 0).toBe(0);
    expect(sim.stats.originatesByEndpoint.get(`SIP/trunk/${numbers[1]}`)).toBe(1);
    const q = await svc.queueCounts(r.id!);
    expect(q.delayed).toBe(1);
    await svc.cancel(r.id!);
  });
});

describe('invalid CSVs enqueue nothing', () => {
  const settings = { endpoint: 'SIP/trunk/{number}' };
  const big = () => {
    const lines = ['number'];
    for (let i = 2; i <= 4000; i++) lines.push(i === 3012 ? 'not-a-number' : `+1888${String(i).padStart(7, '0')}`);
    return Readable.from([lines.join('\n')]);
  };
  it.each([
    ['empty', () => Readable.from(['']), /empty/i],
    ['no number column', () => Readable.from(['name,city\nA,B\n']), /number/i],
    ['malformed quotes', () => Readable.from(['number,name\n"+15551234,"x\n']), /quote/i],
    ['no header / header only', () => Readable.from(['number\n']), /no rows|header/i],
  ])('%s', async (_name, open, message) => {
    const before = await svc.store.ids();
    await expect(svc.create({ name: 'bad', settings, open })).rejects.toThrow(message);
    expect(await svc.store.ids()).toEqual(before);
  });

  it('a bad row at line 3,012 rejects the upload, names the line, creates nothing', async () => {
    const before = await svc.store.ids();
    const r = await svc.create({ name: 'bad-row', settings, open: big });
    expect(r.created).toBe(false);
    expect(r.id).toBeUndefined();
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.line).toBe(3012);
    expect(await svc.store.ids()).toEqual(before);
  });

  it('with skipInvalid the good rows are taken and the bad one reported', async () => {
    const rejected: number[] = [];
    const r = await svc.create({
      name: 'skip',
      settings: { ...settings, cps: 1, maxConcurrent: 1 },
      open: big,
      skipInvalid: true,
      onRejected: (e) => rejected.push(e.line),
    });
    expect(r).toMatchObject({ created: true, accepted: 3998, rejected: 1 });
    expect(rejected).toEqual([3012]);
    await svc.cancel(r.id!);
  });

  it('duplicates are dialed once and suppressed numbers (upload list and Redis list) never', async () => {
    await new SuppressionList(redis, svc.keys).add(['+1 999 000 0004']);
    const r = await svc.create({
      name: 'dups',
      settings: { endpoint: 'SIP/trunk/{number}', cps: 100, maxConcurrent: 10, timeoutS: 5 },
      open: () => Readable.from(['number\n+19990000001\n+1 999 000 0001\n+19990000002\n+19990000003\n+19990000004\n']),
      suppression: ['+19990000003'],
    });
    expect(r).toMatchObject({ accepted: 2, duplicates: 1, suppressed: 2 });
    expect(sim.stats.originatesByEndpoint.get('SIP/trunk/+19990000004') ?? 0).toBe(0);
    await finished(r.id!);
    expect(sim.stats.originatesByEndpoint.get('SIP/trunk/+19990000001')).toBe(1);
    expect(sim.stats.originatesByEndpoint.get('SIP/trunk/+19990000003') ?? 0).toBe(0);
  });
});
