// History in PostgreSQL: archive rate, Redis bytes per number (live and finished), and reads on a large history.
// Part of `npm run bench`; alone: `npx tsx scripts/bench/history-bench.ts [--quick] [--json]` (needs Redis and
// PostgreSQL: REDIS_URL, DATABASE_URL, default the local ones). Works in a schema and a key prefix of its own.
import { randomBytes } from 'node:crypto';
import { Writable, Readable } from 'node:stream';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { CampaignWorker } from '../../jobs/campaign-worker.js';
import { writeReport } from '../../src/report/write-report.js';
import { AriSim } from '../../src/sim/index.js';
import { dropPrefix } from '../../src/store/drop-prefix.js';
import { HistoryStore } from '../../src/store/history/history-store.js';
import { connectRedis } from '../../src/store/redis-connection.js';
import { adminQuery, prefixBytes } from './bench-support.js';

export interface HistoryBenchOptions {
  redisUrl: string;
  databaseUrl: string;
  /** Numbers in the live campaign measured for Redis bytes. */
  numbers: number;
  /** Outbox entries archived for the rate. */
  archived: number;
  /** Attempts in the seeded history the reads run on. */
  historyRows: number;
}

export async function benchHistory(o: HistoryBenchOptions): Promise<Record<string, number | string>> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const prefix = `{bench-history-${randomBytes(3).toString('hex')}}`;
  const history = new HistoryStore({ url: o.databaseUrl, schema, max: 6 });
  await history.migrate();
  const redis = connectRedis(o.redisUrl);
  const svc = new CampaignService({ redis, prefix, history });
  try {
    return { ...(await redisBytesPerNumber(svc, o)), ...(await archiveRate(svc, o.archived)), ...(await reads(svc, history, o.historyRows)) };
  } finally {
    await svc.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
    await history.close();
    await adminQuery(o.databaseUrl, `DROP SCHEMA ${schema} CASCADE`);
  }
}

/** A real campaign (simulator, one worker, the archiver): the most bytes per number while it runs, and after. */
async function redisBytesPerNumber(svc: CampaignService, o: HistoryBenchOptions) {
  const sim = await AriSim.start({ users: { dialer: 'pw' }, timeScale: 0.02 });
  const worker = new CampaignWorker({
    redisUrl: o.redisUrl,
    prefix: svc.keys.prefix,
    history: svc.history,
    ari: { url: sim.url, user: 'dialer', password: 'pw' },
    channelCap: 200,
    pollMs: 100,
  });
  await worker.start();
  const archiver = svc.historyArchiver({ archiveEveryMs: 500 });
  archiver.start();
  try {
    const numbers = Array.from({ length: o.numbers }, (_, i) => `+1666${String(i).padStart(7, '0')}`);
    const r = await svc.create({
      name: 'bytes',
      settings: { endpoint: 'SIP/trunk/{number}', cps: 300, maxConcurrent: 100, timeoutS: 5, retry: 'busy=1@50ms,no_answer=1@50ms' },
      open: () => Readable.from([`number,name,crm_id\n${numbers.map((n, i) => `${n},Customer ${i},CRM-${100000 + i}`).join('\n')}\n`]),
    });
    const id = r.id!;
    let live = 0;
    let liveAt = 0;
    let liveKinds: Record<string, number> = {};
    for (;;) {
      const s = await svc.status(id);
      if (s.state === 'finished') break;
      const kinds: Record<string, number> = {};
      const bytes = await prefixBytes(svc.redis, svc.keys.prefix, kinds);
      if (bytes > live) [live, liveAt, liveKinds] = [bytes, s.counters.done, kinds];
      await new Promise((res) => setTimeout(res, 200));
    }
    while (!(await svc.get(id)).archivedAt) await new Promise((res) => setTimeout(res, 100));
    const finished = await prefixBytes(svc.redis, svc.keys.prefix);
    const attempts = (await svc.status(id)).counters.attempts;
    return {
      bytes_numbers: o.numbers,
      bytes_attempts: attempts,
      redis_bytes_per_number_live_max: Math.round(live / o.numbers),
      redis_live_max_at_done: liveAt,
      redis_bytes_per_number_finished: Math.round(finished / o.numbers),
      // Where the live peak's bytes were, per number: BullMQ's jobs (waiting ones, and the last 1,000 finished kept
      // per queue: a fixed cost that a big campaign spreads thin), stored attempts.
      redis_live_peak_by_kind: Object.entries(liveKinds)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([k, v]) => `${k} ${Math.round(v / o.numbers)}`)
        .join(', '),
      redis_1m_numbers_finished_mb_projected: Math.round(((finished / o.numbers) * 1e6) / 1e6),
      redis_1m_numbers_live_mb_projected: Math.round(((live / o.numbers) * 1e6) / 1e6),
    };
  } finally {
    await archiver.stop();
    await worker.stop(1000);
    await sim.stop();
  }
}

/** Entries pushed into the outbox as the Lua script writes them, then drained into PostgreSQL. */
async function archiveRate(svc: CampaignService, n: number) {
  const campaignId = 'bench-archive';
  await svc.store.create({ id: campaignId, name: 'archive rate', settings: { endpoint: 'SIP/t/{number}' } as never, history: 'pg' });
  const redis = svc.redis;
  for (let i = 0; i < n; i += 5000) {
    const p = redis.pipeline();
    for (let j = i; j < Math.min(n, i + 5000); j++)
      p.rpush(svc.keys.outbox(campaignId), JSON.stringify({ k: 'a', w: 'bench-worker', ...(j % 2 ? { fs: 1 } : {}), r: record(campaignId, j) }));
    await p.exec();
  }
  const archiver = svc.historyArchiver({ batchSize: 2000 });
  const t0 = performance.now();
  await archiver.drain();
  const s = (performance.now() - t0) / 1000;
  await archiver.stop();
  return { archived: n, archive_attempts_per_s: Math.round(n / s) };
}

function record(campaignId: string, i: number) {
  const answered = i % 3 === 0;
  return {
    status: 'success',
    answered,
    cause: answered ? 16 : 17,
    cause_txt: answered ? 'Normal Clearing' : 'User busy',
    message: answered ? 'Normal Clearing (16)' : 'User busy (17)',
    disposition: answered ? 'ANSWERED' : 'BUSY',
    channel_id: `${campaignId}-${i}`,
    endpoint: `SIP/trunk/+1777${i}`,
    callerid: '5550100',
    created_at: '2026-11-26T10:00:00.000Z',
    answered_at: answered ? '2026-11-26T10:00:05.000Z' : null,
    ended_at: '2026-11-26T10:00:35.000Z',
    ring_s: 5,
    talk_s: answered ? 30 : 0,
    duration: 35,
    continued: answered,
    campaignId,
    row: i + 2,
    number: `+1777${String(i).padStart(7, '0')}`,
    attempt: 1,
    final: i % 2 === 1,
    vars: { name: `Customer ${i}`, crm_id: `CRM-${i}` },
  };
}

/**
 * A history of `rows` attempts (one campaign of them, two per number, plus 200 small campaigns), written by SQL
 * for speed, then the reads the dashboard and CLI make, timed.
 */
async function reads(svc: CampaignService, history: HistoryStore, rows: number) {
  const t0 = performance.now();
  await history.pool.query(`
    INSERT INTO campaigns (id, name, state, created_at, finished_at, settings, counters, archived_at)
    SELECT 'c-' || g, 'campaign ' || g, 'finished', now() - g * interval '1 hour', now(), '{"endpoint":"SIP/t/{number}"}',
           '{"total":1000,"done":1000,"attempts":1300,"final":{},"attempt":{}}', now()
    FROM generate_series(1, 200) g`);
  await history.pool.query(
    `
    INSERT INTO campaigns (id, name, state, created_at, finished_at, settings, counters, archived_at)
    VALUES ('big', 'big', 'finished', now(), now(), '{"endpoint":"SIP/t/{number}"}', $1, now())`,
    [JSON.stringify({ total: rows / 2, done: rows / 2, attempts: rows, final: {}, attempt: { BUSY: rows / 2, ANSWERED: rows / 2 } })],
  );
  await history.pool.query(
    `
    INSERT INTO attempts (channel_id, campaign_id, number, row, attempt, final, worker, status, disposition, answered, cause, cause_txt,
      message, endpoint, callerid, created_at, answered_at, ended_at, ring_s, talk_s, duration, vars, record)
    SELECT 'big-' || g, 'big', n, g % $2 + 2, a, a = 2, 'w1', 'success', d, a = 2, c, ct, ct || ' (' || c || ')', 'SIP/t/' || n, '5550100',
      now(), CASE WHEN a = 2 THEN now() END, now(), 5, CASE WHEN a = 2 THEN 30 ELSE 0 END, 35,
      jsonb_build_object('name', 'Customer ' || g, 'crm_id', 'CRM-' || g),
      jsonb_build_object('status', 'success', 'answered', a = 2, 'cause', c, 'cause_txt', ct, 'message', ct || ' (' || c || ')', 'disposition', d,
        'channel_id', 'big-' || g, 'endpoint', 'SIP/t/' || n, 'callerid', '5550100', 'created_at', '2026-11-26T10:00:00.000Z',
        'answered_at', CASE WHEN a = 2 THEN '2026-11-26T10:00:05.000Z' END, 'ended_at', '2026-11-26T10:00:35.000Z', 'ring_s', 5,
        'talk_s', CASE WHEN a = 2 THEN 30 ELSE 0 END, 'duration', 35, 'campaignId', 'big', 'row', g % $2 + 2, 'number', n, 'attempt', a,
        'final', a = 2, 'vars', jsonb_build_object('name', 'Customer ' || g, 'crm_id', 'CRM-' || g))
    FROM (SELECT g, '+1888' || lpad((g % $2)::text, 7, '0') AS n, CASE WHEN g <= $2 THEN 1 ELSE 2 END AS a,
                 CASE WHEN g <= $2 THEN 'BUSY' ELSE 'ANSWERED' END AS d, CASE WHEN g <= $2 THEN 17 ELSE 16 END AS c,
                 CASE WHEN g <= $2 THEN 'User busy' ELSE 'Normal Clearing' END AS ct
          FROM generate_series(1, $1::int) g) s`,
    [rows, rows / 2],
  );
  await history.pool.query(`
    INSERT INTO finals (campaign_id, number, channel_id, row, attempt, disposition, answered, ended_at, record)
    SELECT campaign_id, number, channel_id, row, attempt, disposition, answered, ended_at, record FROM attempts WHERE campaign_id = 'big' AND final`);
  await history.pool.query('ANALYZE');
  const seedS = (performance.now() - t0) / 1000;

  const time = async (f: () => Promise<unknown>, runs = 20) => {
    await f();
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await f();
      ms.push(performance.now() - t);
    }
    return Math.round(ms.sort((a, b) => a - b)[Math.floor(runs / 2)]! * 10) / 10;
  };
  let k = 0;
  const search = await time(() => svc.search(`+1888${String((k++ * 7919) % (rows / 2)).padStart(7, '0')}`));
  const list = await time(() => svc.list(), 10);
  const page = await time(
    () => Promise.all([svc.status('big'), svc.latestAttempts('big', { limit: 50 }), svc.latestAttempts('big', { limit: 50, disposition: 'BUSY' })]),
    10,
  );
  let lines = 0;
  const sink = new Writable({
    write(chunk: Buffer | string, _e, cb) {
      lines++;
      cb();
    },
  });
  const rss0 = process.memoryUsage().rss;
  const t1 = performance.now();
  await writeReport(svc, 'big', { format: 'csv', attempts: true }, sink);
  const reportS = (performance.now() - t1) / 1000;
  return {
    history_rows: rows,
    history_seed_s: Math.round(seedS),
    search_by_number_ms_p50: search,
    campaign_list_ms_p50: list,
    campaign_page_ms_p50: page,
    csv_report_rows_per_s: Math.round(rows / reportS),
    csv_report_lines: lines,
    csv_report_rss_growth_mb: Math.round((process.memoryUsage().rss - rss0) / 1e6),
  };
}

/** The bench's sizes (`--quick`: smaller) and where it runs (REDIS_URL, DATABASE_URL). */
export function historyBenchOptions(quick: boolean): HistoryBenchOptions {
  return {
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    numbers: quick ? 1000 : 2000,
    archived: quick ? 20_000 : 50_000,
    historyRows: quick ? 100_000 : 1_000_000,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const figures = await benchHistory(historyBenchOptions(process.argv.includes('--quick')));
  process.stdout.write(`${JSON.stringify(figures)}\n`);
  process.exit(0);
}
