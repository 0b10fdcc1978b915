import { randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { CampaignWorker } from '../../jobs/campaign-worker.js';
import { writeReport } from '../../src/report/write-report.js';
import { AriSim } from '../../src/sim/index.js';
import { dropPrefix, REDIS_URL, testPrefix, testRedis, waitUntil } from '../helpers/redis-test.js';

let redis: Redis;
let svc: CampaignService;
const prefix = testPrefix('input-csv');
const settings = { endpoint: 'SIP/trunk/{number}', cps: 200, maxConcurrent: 50, timeoutS: 5, retry: 'none' };
const from = (data: string | Buffer) => () => Readable.from([typeof data === 'string' ? Buffer.from(data) : data]);

/** Everything Redis holds for the campaigns that existed before a bad upload: a bad upload must not touch it. */
async function snapshot(): Promise<string> {
  const keys = (await redis.keys(`${prefix}*`)).filter((k) => !k.includes(':preview:')).sort();
  const parts = await Promise.all(keys.map(async (k) => `${k}=${await redis.type(k)}`));
  const ids = await svc.store.ids();
  const counters = await Promise.all(ids.map((id) => svc.store.counters(id)));
  return JSON.stringify({ parts, ids, counters });
}

let earlier: string;
beforeAll(async () => {
  redis = testRedis();
  svc = new CampaignService({ redis, prefix });
  // A campaign accepted before the bad uploads (nobody dials it here): it must come out of them untouched.
  const r = await svc.create({ name: 'earlier', settings, open: from('number\n+15551230001\n+15551230002\n') });
  earlier = r.id!;
});

afterAll(async () => {
  await svc.close();
  await dropPrefix(redis, prefix);
  redis.disconnect();
});

describe('bad CSV uploads: a message naming what is wrong, nothing created, nothing accepted before lost', () => {
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['an empty file', '', /^the file is empty$/],
    ['only a header', 'number,name\n', /^CSV has a header but no rows$/],
    ['no number column', 'name,city\nAnn,Berlin\n', /^line 1: no "number" or "phone" column; the header has "name", "city"$/],
    ['an unclosed quote', 'number,name\n+15550001,Ann\n+15550002,"Bob\n+15550003,Cy\n', /^line 3: unclosed quote: a quoted field never ends$/],
    ['text after a closing quote', 'number,name\n+15550001,"Ann"x\n', /^line 2: a closing quote is followed by more text/],
    ['a 10 MB single line', `number,name\n+15550001,${'x'.repeat(10 * 1024 * 1024)}\n`, /^line 2 is longer than 65536 bytes$/],
    ['a binary file', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(4096)]), /looks like a binary file, not CSV/],
    [
      'an Excel workbook',
      Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), randomBytes(2048)]),
      /binary file, not CSV \(a ZIP archive, e\.g\. an Excel \.xlsx workbook: export it as "CSV UTF-8"\)/,
    ],
    [
      'Latin-1 text',
      Buffer.from('number,name\n+15550001,Ann\n+15550002,Jürgen Müller\n', 'latin1'),
      /^the file is not UTF-8 \(line 3\); save it as UTF-8 — it looks like Latin-1\/Windows-1252$/,
    ],
  ];
  it.each(cases)('%s', async (_name, data, message) => {
    const before = await snapshot();
    const err = await svc.create({ name: 'bad', settings, open: from(data) }).then(
      () => undefined,
      (e: unknown) => e as { code?: string; message: string },
    );
    expect(err?.code).toBe('BAD_CSV');
    expect(err?.message).toMatch(message);
    expect(await snapshot()).toBe(before);
    // The preview says the same, and creates nothing either.
    await expect(svc.preview({ settings, open: from(data) })).rejects.toThrow(message);
    expect(await snapshot()).toBe(before);
  });

  it('rows that cannot be dialed: every bad line listed, nothing enqueued', async () => {
    const before = await snapshot();
    const r = await svc.create({ name: 'bad-rows', settings, open: from('number,name\n+15550001,A\nabc,B\n\ncall me,C\n+15550002,D\n') });
    expect(r.created).toBe(false);
    expect(r.errors.map((e) => e.line)).toEqual([3, 5]);
    expect(r.errors[0]!.reason).toMatch(/letters/);
    expect(await snapshot()).toBe(before);
  });

  it('the campaign accepted before is still whole', async () => {
    const s = await svc.status(earlier);
    expect(s.counters).toMatchObject({ total: 2, done: 0 });
    expect(s.queue.waiting + s.queue.prioritized).toBe(2);
  });
});

describe('cells starting with = + - @ are data: kept as typed, escaped on export', () => {
  it('keeps them in the job and the result, and the CSV report neutralizes them', async () => {
    const csv = [
      'number,note,who',
      '+15550101,"=HYPERLINK(""http://evil.example"",""click"")",@SUM(1+1)',
      "+15550102,-2+3+cmd|' /C calc'!A0,=1+1",
      '+15550103,plain,@mention',
    ].join('\n');
    const r = await svc.create({ name: 'formulas', settings, open: from(csv) });
    expect(r).toMatchObject({ created: true, accepted: 3 });
    // Kept exactly as typed, in the job (they become channel variables)...
    const job = await svc.dialQueue(r.id!).getJob(`${r.id}|+15550101|a1`);
    expect(job?.data.vars).toEqual({ note: '=HYPERLINK("http://evil.example","click")', who: '@SUM(1+1)' });
    // ...and in the stored results (cancel records every number).
    await svc.cancel(r.id!);
    const finals = new Map<string, Record<string, string> | undefined>();
    for await (const f of svc.finals(r.id!)) finals.set(f.number, f.vars);
    expect(finals.get('+15550102')).toEqual({ note: "-2+3+cmd|' /C calc'!A0", who: '=1+1' });
    // On export every such cell starts with an apostrophe (text, not a formula).
    let out = '';
    await writeReport(svc, r.id!, { format: 'csv', attempts: false }, new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) }));
    expect(out).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(out).toContain(`"'@SUM(1+1)"`);
    expect(out).toContain(`"'-2+3+cmd|' /C calc'!A0"`);
    expect(out).toContain(`"'=1+1"`);
    expect(out).toContain(`"'@mention"`);
    expect(out).toContain(',plain,');
    for (const line of out.trim().split('\r\n').slice(1)) {
      for (const cell of line.match(/(?<=^|,)("(?:[^"]|"")*"|[^,]*)/g) ?? []) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@]/);
    }
  });
});

describe('1,000 rows of the same number', () => {
  it('are accepted once and dialed once', async () => {
    // A prefix of its own, so the worker dials this campaign only.
    const own = testPrefix('input-dupes');
    const dupes = new CampaignService({ redis, prefix: own });
    const sim = await AriSim.start({ users: { dialer: 'pw' }, timeScale: 0.01 });
    const worker = new CampaignWorker({ redisUrl: REDIS_URL, prefix: own, ari: { url: sim.url, user: 'dialer', password: 'pw' }, pollMs: 100 });
    try {
      await worker.start();
      const forms = ['+15557770001', '+1 555 777 0001', '+1-555-777-0001', '+1 (555) 777-0001'];
      const rows = Array.from({ length: 1000 }, (_, i) => forms[i % forms.length]!);
      const r = await dupes.create({ name: 'same-number', settings, open: from(`number\n${rows.map((n) => `"${n}"`).join('\n')}\n`) });
      expect(r, JSON.stringify(r)).toMatchObject({ created: true, rows: 1000, accepted: 1, duplicates: 999, rejected: 0 });
      await waitUntil('finished', async () => (await dupes.get(r.id!)).state === 'finished', 20_000);
      expect(sim.stats.originatesByEndpoint.get('SIP/trunk/+15557770001')).toBe(1);
      expect(sim.stats.originates).toBe(1);
    } finally {
      await worker.stop(500);
      await sim.stop();
      await dupes.close();
      await dropPrefix(redis, own);
    }
  });
});
