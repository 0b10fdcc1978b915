import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryStore } from '../../src/store/history/history-store.js';
import { LATEST_VERSION } from '../../src/store/history/migrations.js';
import type { OutboxEntry } from '../../src/store/history/history-rows.js';
import { checkPostgres } from '../../src/ops/doctor-postgres.js';
import { attempt } from '../report/attempt-fixture.js';
import { DATABASE_URL, dropSchema, testHistory, testSchema } from '../helpers/pg-test.js';

let history: HistoryStore;
let schema: string;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ history, schema, drop } = await testHistory('history'));
});
afterAll(() => drop());

const entry = (over: Parameters<typeof attempt>[0], extra: Partial<OutboxEntry> = {}): OutboxEntry => ({ k: 'a', r: attempt(over), ...extra });

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('history schema migrations', () => {
  it('are at the latest version, and running them again changes nothing', async () => {
    expect(await history.schemaVersion()).toBe(LATEST_VERSION);
    const again = await history.migrate();
    expect(again).toMatchObject({ from: LATEST_VERSION, to: LATEST_VERSION, applied: [] });
  });

  it('run once when several processes migrate at the same time (advisory lock)', async () => {
    const { HistoryStore } = await import('../../src/store/history/history-store.js');
    const s = testSchema('race');
    const stores = [1, 2, 3].map(() => new HistoryStore({ url: DATABASE_URL, schema: s }));
    try {
      const results = await Promise.all(stores.map((h) => h.migrate()));
      expect(results.map((r) => r.applied.length).sort()).toEqual([0, 0, LATEST_VERSION]);
    } finally {
      await Promise.all(stores.map((h) => h.close()));
      await dropSchema(s);
    }
  });
});

describe('writing attempts', () => {
  it('is idempotent by channel id: the same batch twice (a crash before the outbox was trimmed) adds nothing', async () => {
    const batch = [
      entry({ campaignId: 'w1', row: 2, attempt: 1, disposition: 'BUSY' }, { w: 'worker-a' }),
      entry({ campaignId: 'w1', row: 2, attempt: 2, disposition: 'ANSWERED', final: true }, { fs: 1, w: 'worker-b' }),
      {
        k: 'f',
        fs: 1,
        r: attempt({ campaignId: 'w1', row: 3, number: '+4930111', channel_id: '', disposition: 'CANCELLED', final: true }),
      } satisfies OutboxEntry,
    ];
    expect(await history.write(batch)).toEqual({ attempts: 2, finals: 2 });
    expect(await history.write(batch)).toEqual({ attempts: 0, finals: 0 });
    const rows = await history.pool.query(`SELECT channel_id, worker, disposition, ended_at, record FROM attempts WHERE campaign_id = 'w1' ORDER BY seq`);
    expect(rows.rows.map((r) => [r.channel_id, r.worker, r.disposition])).toEqual([
      ['ch-2-1', 'worker-a', 'BUSY'],
      ['ch-2-2', 'worker-b', 'ANSWERED'],
    ]);
    expect((rows.rows[0].ended_at as Date).toISOString()).toBe('2025-06-02T10:00:35.000Z');
    // Reads give back exactly the record the dialer stored.
    expect(await collect(history.attempts('w1'))).toEqual(batch.slice(0, 2).map((e) => e.r));
    expect((await collect(history.finals('w1'))).map((f) => [f.number, f.disposition])).toEqual([
      ['+4930123456', 'ANSWERED'],
      ['+4930111', 'CANCELLED'],
    ]);
  });

  it("keeps a number's first final, as Redis does", async () => {
    await history.write([entry({ campaignId: 'w2', row: 2, attempt: 1, disposition: 'ANSWERED', final: true }, { fs: 1 })]);
    await history.write([entry({ campaignId: 'w2', row: 2, attempt: 2, disposition: 'BUSY', final: true }, { fs: 1 })]);
    expect((await history.finalFor('w2', '+4930123456'))?.attempt).toBe(1);
  });

  it('takes a record with a bad time (null) rather than wedging the batch', async () => {
    const bad = entry({ campaignId: 'w3', ended_at: 'not a time', channel_id: 'bad-time' });
    expect(await history.write([bad])).toEqual({ attempts: 1, finals: 0 });
  });
});

describe('reading', () => {
  beforeAll(async () => {
    const batch: OutboxEntry[] = [];
    for (let i = 0; i < 2500; i++) {
      const number = `+1555${String(i % 1000).padStart(7, '0')}`;
      batch.push(entry({ campaignId: i < 2000 ? 'r1' : 'r2', row: i + 2, number, channel_id: `r-${i}`, disposition: i % 3 ? 'BUSY' : 'ANSWERED' }));
    }
    await history.write(batch);
  });

  it('streams a campaign in the order its attempts were written, across cursor pages', async () => {
    const all = await collect(history.attempts('r1'));
    expect(all).toHaveLength(2000);
    expect(all.map((a) => a.channel_id)).toEqual(Array.from({ length: 2000 }, (_, i) => `r-${i}`));
  });

  it('pages the latest attempts, newest first, optionally one disposition', async () => {
    const page = await history.latestAttempts('r1', { offset: 0, limit: 3 });
    expect(page.map((a) => a.channel_id)).toEqual(['r-1999', 'r-1998', 'r-1997']);
    const answered = await history.latestAttempts('r1', { offset: 1, limit: 2, disposition: 'ANSWERED' });
    expect(answered.map((a) => a.channel_id)).toEqual(['r-1995', 'r-1992']);
  });

  it('finds a number across campaigns', async () => {
    const found = await history.searchNumber('+15550000007');
    expect([...found.keys()].sort()).toEqual(['r1', 'r2']);
    expect(found.get('r1')!.attempts.map((a) => a.channel_id)).toEqual(['r-7', 'r-1007']);
    expect(found.get('r2')!.attempts.map((a) => a.channel_id)).toEqual(['r-2007']);
  });
});

describe('doctor', () => {
  it('passes reachable, schema and write on a migrated schema', async () => {
    const checks = await checkPostgres({ url: DATABASE_URL, schema, timeoutMs: 3000 });
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['postgres.reachable', 'pass'],
      ['postgres.schema', 'pass'],
      ['postgres.write', 'pass'],
    ]);
    // The write check rolls back.
    expect((await history.pool.query(`SELECT count(*)::int AS n FROM campaigns WHERE id = 'ari-dialer-doctor'`)).rows[0].n).toBe(0);
  });

  it('fails the schema on a database nobody migrated, and reachability on a port with nothing behind it', async () => {
    const empty = await checkPostgres({ url: DATABASE_URL, schema: testSchema('empty'), timeoutMs: 3000 });
    expect(empty.find((c) => c.id === 'postgres.schema')).toMatchObject({ status: 'fail', fix: expect.stringContaining('db migrate') });
    const down = await checkPostgres({ url: 'postgres://postgres:s3cret@127.0.0.1:1/test', timeoutMs: 1000 });
    expect(down[0]).toMatchObject({ id: 'postgres.reachable', status: 'fail' });
    expect(JSON.stringify(down)).not.toContain('s3cret');
  });
});

describe('campaign delete --history', () => {
  it('deletes the campaign, its attempts and its finals, and nothing of another campaign', async () => {
    await history.write([
      entry({ campaignId: 'd1', row: 2, attempt: 1, channel_id: 'del-1-2', disposition: 'ANSWERED', final: true }, { fs: 1 }),
      entry({ campaignId: 'd1', row: 3, attempt: 1, channel_id: 'del-1-3', disposition: 'BUSY' }),
      entry({ campaignId: 'd2', row: 2, attempt: 1, channel_id: 'del-2-2', disposition: 'ANSWERED', final: true }, { fs: 1 }),
    ]);
    expect(await history.deleteCampaign('d1')).toEqual({ attempts: 2 });
    const left = await history.pool.query(`SELECT campaign_id, count(*)::int AS n FROM attempts WHERE campaign_id IN ('d1', 'd2') GROUP BY 1 ORDER BY 1`);
    expect(left.rows).toEqual([{ campaign_id: 'd2', n: 1 }]);
    const finals = await history.pool.query(`SELECT count(*)::int AS n FROM finals WHERE campaign_id = 'd1'`);
    expect(finals.rows[0].n).toBe(0);
    // Idempotent: again deletes nothing.
    expect(await history.deleteCampaign('d1')).toEqual({ attempts: 0 });
  });
});
