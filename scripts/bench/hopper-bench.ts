// Lists in PostgreSQL behind a hopper: Redis bytes per number WAITING (imported, nothing dialed yet) with the list
// in Redis and with it in PostgreSQL, and the COPY import's rows per second and RSS. Part of `npm run bench`;
// alone: `npx tsx scripts/bench/hopper-bench.ts [--quick] [--json]` (Redis and PostgreSQL: REDIS_URL,
// DATABASE_URL, default the local ones). Works in a schema and key prefixes of its own.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { HopperFeeder } from '../../src/campaign/hopper/hopper-feeder.js';
import { dropPrefix } from '../../src/store/drop-prefix.js';
import { keyFootprint } from '../../src/store/key-footprint.js';
import { HistoryStore } from '../../src/store/history/history-store.js';
import { connectRedis } from '../../src/store/redis-connection.js';
import { adminQuery } from './bench-support.js';

export interface HopperBenchOptions {
  redisUrl: string;
  databaseUrl: string;
  /** Numbers imported for the bytes-per-waiting-number figures. */
  waiting: number;
  /** Rows imported with COPY for the rate. */
  copyRows: number;
}

export const hopperBenchOptions = (quick: boolean): HopperBenchOptions => ({
  redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  waiting: quick ? 20_000 : 100_000,
  copyRows: quick ? 200_000 : 2_000_000,
});

/** The file of the measure: a number and two more columns per row, generated as it is read. */
function csvOf(rows: number, from = 0): () => Readable {
  return () =>
    Readable.from(
      (function* () {
        yield 'number,name,crm_id\n';
        for (let i = 0; i < rows; i += 10_000) {
          let chunk = '';
          for (let j = i; j < Math.min(rows, i + 10_000); j++) chunk += `+1777${String(from + j).padStart(7, '0')},Customer ${j},CRM-${100000 + j}\n`;
          yield chunk;
        }
      })(),
    );
}

export async function benchHopper(o: HopperBenchOptions): Promise<Record<string, number>> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const history = new HistoryStore({ url: o.databaseUrl, schema, max: 4 });
  await history.migrate();
  const redis = connectRedis(o.redisUrl);
  const settings = { endpoint: 'SIP/trunk/{number}', cps: 50, maxConcurrent: 100, startAt: new Date(Date.now() + 3600_000).toISOString() };
  const bytes = async (prefix: string) => (await keyFootprint(redis, { starts: [prefix] })).bytes;
  const out: Record<string, number> = {};
  try {
    // The list in Redis: a BullMQ job per number from the import on.
    const inRedis = `{bench-hopper-r-${randomBytes(3).toString('hex')}}`;
    const r = new CampaignService({ redis, prefix: inRedis });
    await r.create({ name: 'in-redis', settings, open: csvOf(o.waiting), skipInvalid: true });
    out.redis_bytes_per_waiting_number_without_pg = Math.round((await bytes(inRedis)) / o.waiting);
    await r.close();
    await dropPrefix(redis, inRedis);

    // The list in PostgreSQL, its hopper filled (hopperSize 3,000 at 50 cps: 60 s of calls).
    const inPg = `{bench-hopper-p-${randomBytes(3).toString('hex')}}`;
    const p = new CampaignService({ redis, prefix: inPg, history });
    const c = await p.create({ name: 'in-pg', settings: { ...settings, startAt: undefined }, open: csvOf(o.waiting), skipInvalid: true });
    await p.pause(c.id!);
    await p.resume(c.id!);
    await p.dialQueue(c.id!).pause();
    const feeder = new HopperFeeder({
      redis,
      keys: p.keys,
      contacts: p.contacts!,
      queue: (id) => p.dialQueue(id),
      campaign: (id) => p.get(id),
      owner: 'bench',
    });
    out.hopper_jobs = await feeder.feed(c.id!);
    await feeder.stop();
    const pgBytes = await bytes(inPg);
    out.redis_bytes_per_waiting_number_with_pg = Number((pgBytes / o.waiting).toFixed(1));
    out.redis_mb_with_pg = Number((pgBytes / 2 ** 20).toFixed(1));
    out.redis_mb_10m_numbers_projected_with_pg = out.redis_mb_with_pg; // the hopper is bounded: flat in list size
    out.redis_mb_10m_numbers_projected_without_pg = Math.round((out.redis_bytes_per_waiting_number_without_pg * 10_000_000) / 2 ** 20);
    await p.cancel(c.id!);
    await p.close();
    await dropPrefix(redis, inPg);

    // COPY import, end to end (CSV parse, checks, suppression lookups, COPY, dedupe insert, commit).
    const copyPrefix = `{bench-hopper-c-${randomBytes(3).toString('hex')}}`;
    const cp = new CampaignService({ redis, prefix: copyPrefix, history });
    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let rssMax = rss0;
    const sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage().rss)), 100);
    const t0 = performance.now();
    const big = await cp.create({ name: 'copy', settings: { ...settings, startAt: undefined }, open: csvOf(o.copyRows, 5_000_000), skipInvalid: true });
    const s = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    out.copy_rows = big.accepted;
    out.copy_rows_per_s = Math.round(big.accepted / s);
    out.copy_rss_mb = Math.round(rssMax / 2 ** 20);
    await cp.store.setState(big.id!, 'cancelled');
    await cp.close();
    await dropPrefix(redis, copyPrefix);
    return out;
  } finally {
    redis.disconnect();
    await history.close();
    await adminQuery(o.databaseUrl, `DROP SCHEMA ${schema} CASCADE`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchHopper(hopperBenchOptions(process.argv.includes('--quick')));
  process.stdout.write(`${process.argv.includes('--json') ? JSON.stringify(r) : JSON.stringify(r, null, 2)}\n`);
}
