// The issue's "must show" run for lists in PostgreSQL: a big list imported with COPY, part of it dialed on the
// simulator by worker processes at up to `cps`, then cancelled. Measured on a redis-server of the bench's own (so
// INFO used_memory is ours alone) and a database of its own: Redis peak over the whole run minus the baseline, every
// number final exactly once in PostgreSQL, double dials (the simulator's originates per channel id), and Redis per
// number projected to 10M. Then campaign attempts/s with the list in Redis (no DATABASE_URL: today's path) and with
// it in PostgreSQL behind the hopper, same workers, same run. Part of `npm run bench`; alone:
// `npx tsx scripts/bench/hopper-run-bench.ts [--quick] [--json]` (needs redis-server and PostgreSQL: DATABASE_URL).
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { startPrivateRedis } from '../../src/cli/private-redis.js';
import { HistoryStore } from '../../src/store/history/history-store.js';
import type { RedisClient } from '../../src/store/lua-script.js';
import { connectRedis } from '../../src/store/redis-connection.js';
import { adminQuery, prefixBytes } from './bench-support.js';
import { startSimWithStats } from './sim-process.js';
import { runCampaign, startWorkers, stopWorkers, workersUp } from './worker-processes.js';

export interface HopperRunOptions {
  databaseUrl: string;
  /** Numbers in the list. */
  list: number;
  /** Numbers dialed before the cancel. */
  dial: number;
  cps: number;
  workers: number;
  /** Attempts of each campaign of the Redis-vs-hopper comparison. */
  compareAttempts: number;
}

export const hopperRunOptions = (quick: boolean): HopperRunOptions => ({
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
  list: quick ? 100_000 : 2_000_000,
  dial: quick ? 5_000 : 50_000,
  cps: 1000,
  workers: 2,
  compareAttempts: quick ? 2_000 : 10_000,
});

/** A number and two more columns per row, generated as it is read. */
function csvOf(rows: number): () => Readable {
  return () =>
    Readable.from(
      (function* () {
        yield 'number,name,crm_id\n';
        for (let i = 0; i < rows; i += 10_000) {
          let chunk = '';
          for (let j = i; j < Math.min(rows, i + 10_000); j++) chunk += `+1777${String(j).padStart(7, '0')},Customer ${j},CRM-${100000 + j}\n`;
          yield chunk;
        }
      })(),
    );
}

const usedMemory = async (redis: RedisClient) => Number(/^used_memory:(\d+)/m.exec(await redis.info('memory'))?.[1] ?? 0);
const progressEvery = process.env.BENCH_PROGRESS ? 1000 : 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const progress = (s: string) => process.env.BENCH_PROGRESS && process.stderr.write(`${new Date().toISOString()} ${s}\n`);
const mb = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;

export async function benchHopperRun(o: HopperRunOptions): Promise<Record<string, number | string>> {
  const own = await startPrivateRedis();
  if (!own) throw new Error('the hopper run needs redis-server on the PATH (it runs one of its own)');
  const sim = await startSimWithStats(0.05);
  const database = `ari_dialer_hopper_${randomBytes(4).toString('hex')}`;
  await adminQuery(o.databaseUrl, `CREATE DATABASE ${database}`);
  const dbUrl = new URL(o.databaseUrl);
  dbUrl.pathname = `/${database}`;
  const prefix = 'bench';
  const history = new HistoryStore({ url: dbUrl.toString(), max: 4 });
  await history.migrate();
  const redis = connectRedis(own.url);
  const svc = new CampaignService({ redis, prefix, history });
  const inRedis = new CampaignService({ redis, prefix });
  const env = { REDIS_URL: own.url, DIALER_PREFIX: prefix, ARI_URL: sim.url, ARI_USER: 'bench', ARI_PASSWORD: 'bench', DATABASE_URL: dbUrl.toString() };
  const workers: ChildProcess[] = [];
  const out: Record<string, number | string> = { list: o.list, workers: o.workers, cps_target: o.cps };
  try {
    workers.push(...startWorkers(o.workers, env));
    await workersUp(svc, o.workers);
    progress('workers up');
    const baseline = await usedMemory(redis);
    let peak = baseline;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await usedMemory(redis));
        await sleep(50);
      }
    })();

    // The import: COPY into contacts; the campaign appears in Redis once its rows are committed and dials at once.
    const t0 = performance.now();
    const c = await svc.create({
      name: 'must-show',
      settings: { endpoint: 'SIP/trunk/{number}', timeoutS: 30, cps: o.cps, maxConcurrent: 1000 },
      open: csvOf(o.list),
      skipInvalid: true,
    });
    const id = c.id!;
    progress(`imported ${c.accepted}`);
    out.import_rows_per_s = Math.round(c.accepted / ((performance.now() - t0) / 1000));
    // Redis at 40 % and 80 % of the way (used_memory, the retry backlog), and where its bytes are at 80 %: what grows
    // with the numbers dialed. Measured in passing, so the measure does not delay the cancel.
    const kinds: Record<string, number> = {};
    const at: Array<{ attempts: number; delayed: number; parked: number; jobs: number; marks: number; kinds: Record<string, number> }> = [];
    let running = 0;
    for (;;) {
      const s = await svc.status(id);
      if (s.counters.attempts >= o.dial) break;
      if (at.length < 2 && s.counters.attempts >= (at.length ? 0.8 : 0.4) * o.dial) {
        const q = await svc.dialQueue(id).getJobCounts('waiting', 'paused', 'prioritized', 'active', 'delayed', 'completed', 'failed');
        const k: Record<string, number> = {};
        running = await prefixBytes(redis, prefix, k);
        at.push({
          attempts: s.counters.attempts,
          delayed: q.delayed ?? 0,
          parked: (await svc.contacts!.counts(id)).retry,
          jobs: Object.values(q).reduce((a, b) => a + b, 0),
          marks: await redis.hlen(svc.keys.attemptIds(id)),
          kinds: k,
        });
      }
      progress(`attempts ${s.counters.attempts} state ${s.state}`);
      await sleep(progressEvery);
    }
    Object.assign(kinds, at[1]?.kinds ?? {});
    const cancelledAt = Date.now();
    await svc.cancel(id);
    out.cancel_s = Math.round((Date.now() - cancelledAt) / 100) / 10;
    progress('cancelled');
    while (!(await svc.get(id)).archivedAt) await sleep(200);
    out.cancel_to_archived_s = Math.round((Date.now() - cancelledAt) / 100) / 10;
    progress('archived');
    await sleep(1000);
    const after = await usedMemory(redis);
    const left = await prefixBytes(redis, svc.keys.campaign(id));
    sampling = false;
    await sampler;

    const stats = await sim.stats();
    const attempts = (await svc.status(id)).counters.attempts;
    out.dialed = stats.channels;
    out.attempts = attempts;
    out.cps_achieved = Math.round(((stats.originates - 1) / (stats.lastAt - stats.firstAt)) * 1000);
    out.cps_max_in_calendar_second = stats.maxInCalendarSecond;
    out.double_dials = stats.repeated.length;
    out.redis_peak_mb = mb(peak - baseline);
    out.redis_after_archive_mb = mb(after - baseline);
    out.redis_keys_while_dialing_mb = mb(running);
    out.redis_while_dialing_by_kind = Object.entries(kinds)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([k, v]) => `${k} ${mb(v)} MB`)
      .join(', ');
    // What grows with the list. Waiting numbers cost nothing (PostgreSQL); a number dialed leaves marks that go once
    // its final is archived (sweepSettled); a number waiting for its retry is parked in PostgreSQL (a retry due in
    // less than 5 s, or one PostgreSQL could not take, is a BullMQ delayed job) and keeps the mark of its attempt so
    // far in Redis: that retry backlog is bounded by cps x the retry delays, not by the list.
    // So: the growth per number dialed of every other kind of key, projected over 10M numbers on top of the peak.
    const [a40, a80] = at as [(typeof at)[0], (typeof at)[0]];
    const RETRY_KINDS = new Set(['bull job', 'bull delayed', 'attempt-ids']);
    const per = (k: string) => ((a80.kinds[k] ?? 0) - (a40.kinds[k] ?? 0)) / (a80.attempts - a40.attempts);
    const kindsSeen = [...new Set([...Object.keys(a40.kinds), ...Object.keys(a80.kinds)])];
    const grew = kindsSeen.filter((k) => !RETRY_KINDS.has(k)).reduce((x, k) => x + per(k), 0);
    const retryGrew = kindsSeen.filter((k) => RETRY_KINDS.has(k)).reduce((x, k) => x + per(k), 0);
    const waiting = (x: (typeof at)[0]) => x.delayed + x.parked;
    const retriesPer = (waiting(a80) - waiting(a40)) / (a80.attempts - a40.attempts);
    const jobBytes = retriesPer > 0 ? retryGrew / retriesPer : 0;
    out.redis_growth_by_kind = kindsSeen
      .map((k) => [k, Math.round(per(k))] as const)
      .filter(([, b]) => b !== 0)
      .sort((x, y) => y[1] - x[1])
      .map(([k, b]) => `${k} ${b}`)
      .join(', ');
    out.retry_backlog_jobs = a80.delayed;
    out.retry_backlog_parked = a80.parked;
    out.redis_bytes_per_retry = Math.round(jobBytes);
    out.retries_per_dialed_number = Math.round(retriesPer * 100) / 100;
    out.redis_growth_bytes_per_dialed_number = Math.round(grew);
    out.redis_bytes_per_number_left = Math.round((left / o.list) * 10) / 10;
    out.redis_mb_10m_projected = mb(peak - baseline + Math.max(0, grew) * (10_000_000 - o.dial));

    const q = await history.pool.query<{
      contacts: string;
      done: string;
      finals: string;
      cancelled: string;
      final_attempts: string;
      numbers_final_twice: string;
    }>(
      `SELECT (SELECT count(*) FROM contacts WHERE campaign_id = $1) AS contacts,
              (SELECT count(*) FROM contacts WHERE campaign_id = $1 AND state = 'done') AS done,
              (SELECT count(*) FROM finals WHERE campaign_id = $1) AS finals,
              (SELECT count(*) FROM finals WHERE campaign_id = $1 AND disposition = 'CANCELLED') AS cancelled,
              (SELECT count(*) FROM attempts WHERE campaign_id = $1 AND final) AS final_attempts,
              (SELECT count(*) FROM (SELECT number FROM attempts WHERE campaign_id = $1 AND final GROUP BY number HAVING count(*) > 1) t) AS numbers_final_twice`,
      [id],
    );
    const r = q.rows[0]!;
    out.contacts = Number(r.contacts);
    out.contacts_done = Number(r.done);
    out.finals = Number(r.finals);
    out.finals_cancelled = Number(r.cancelled);
    out.numbers_final_twice = Number(r.numbers_final_twice);
    const open = await history.pool.query<{ state: string; n: string }>(
      `SELECT state, count(*) AS n FROM contacts WHERE campaign_id = $1 AND state <> 'done' GROUP BY state`,
      [id],
    );
    out.contacts_not_done = open.rows.map((x) => `${x.state} ${x.n}`).join(', ') || 'none';
    out.final_once_each = out.contacts === o.list && out.contacts_done === o.list && out.finals === o.list && out.numbers_final_twice === 0 ? 'yes' : 'NO';

    // Redis path vs hopper, same workers: the list in Redis (no DATABASE_URL in the service that imports it) first.
    // Numbers ending 0-5: answered at once by the simulator (6-9 ring out or fail and would wait for their retries).
    const numbers = (lead: string) => Array.from({ length: o.compareAttempts }, (_, i) => `+1${lead}${String(i * 10 + (i % 6)).padStart(8, '0')}`);
    const settings = { cps: 1000, maxConcurrent: 1000 };
    const rates = { redis: [] as number[], pg: [] as number[] };
    // Alternating, three of each (the machine's other load drifts); the median of each path compared.
    for (const [round, lead] of [
      ['redis', '2'],
      ['pg', '3'],
      ['pg', '4'],
      ['redis', '5'],
      ['redis', '6'],
      ['pg', '7'],
    ] as const) {
      const run = await runCampaign(round === 'redis' ? inRedis : svc, `${round}-${lead}`, numbers(lead), settings);
      progress(`${round}: ${run.seconds} s`);
      rates[round].push(o.compareAttempts / run.seconds);
    }
    const best = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    out.compare_attempts = o.compareAttempts;
    out.attempts_per_s_list_in_redis = Math.round(best(rates.redis));
    out.attempts_per_s_hopper = Math.round(best(rates.pg));
    out.hopper_difference_pct = Math.round((best(rates.pg) / best(rates.redis) - 1) * 1000) / 10;
    out.attempts_per_s_runs = `list in Redis ${rates.redis.map(Math.round).join(', ')}; hopper ${rates.pg.map(Math.round).join(', ')}`;
    return out;
  } finally {
    await stopWorkers(workers);
    await svc.close();
    await inRedis.close();
    redis.disconnect();
    await history.close();
    await adminQuery(o.databaseUrl, `DROP DATABASE IF EXISTS ${database}`);
    await sim.stop();
    await own.stop();
  }
}

/** The figures as the bench prints them. */
export function hopperRunTable(h: Record<string, number | string>): string[][] {
  return [
    [`${h.list} numbers imported with COPY, then the campaign on the simulator (${h.workers} workers)`, `${h.import_rows_per_s} rows/s`, '>= 100000'],
    [
      `  ${h.dialed} of them dialed at up to ${h.cps_target} cps: achieved (busiest calendar second)`,
      `${h.cps_achieved} cps (${h.cps_max_in_calendar_second})`,
      `${h.cps_target}`,
    ],
    ['  Redis peak over the whole run (used_memory minus the baseline)', `${h.redis_peak_mb} MB`, '<= 64 MB'],
    ['    where, at 80 % of the dialing', `${h.redis_while_dialing_by_kind}`, ''],
    [
      `    retry backlog then (${h.retries_per_dialed_number} per number dialed, ~${h.redis_bytes_per_retry} B of Redis each; bounded by cps x retry delays): parked in PostgreSQL / delayed jobs in Redis`,
      `${h.retry_backlog_parked} / ${h.retry_backlog_jobs}`,
      '',
    ],
    [
      '  Redis growth per number dialed (keys of the retry backlog aside) / left per number after the archive',
      `${h.redis_growth_bytes_per_dialed_number} / ${h.redis_bytes_per_number_left} B`,
      '',
    ],
    ['    growth per number dialed by kind of key, 40 % to 80 % (B)', `${h.redis_growth_by_kind}`, ''],
    [
      `  Redis for 10M numbers, projected from the above${Number(h.dialed) < 20_000 ? " (too short a run: the outbox and BullMQ's events stream still filling count as growth)" : ''}`,
      `${h.redis_mb_10m_projected} MB`,
      'flat',
    ],
    [`  cancel (${h.finals_cancelled} numbers ended CANCELLED) / to archived`, `${h.cancel_s} / ${h.cancel_to_archived_s} s`, ''],
    [`  every number final exactly once in PostgreSQL (${h.finals} finals, contacts not done: ${h.contacts_not_done})`, `${h.final_once_each}`, 'yes'],
    ['  double dials (simulator: originates per channel id > 1)', `${h.double_dials}`, '0'],
    [
      `campaign attempts/s, ${h.compare_attempts} attempts, 2 workers: list in Redis / in PostgreSQL behind the hopper (difference, medians of 3)`,
      `${h.attempts_per_s_list_in_redis} / ${h.attempts_per_s_hopper} (${h.hopper_difference_pct} %)`,
      'within 5 %',
    ],
    ['  each run', `${h.attempts_per_s_runs}`, ''],
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchHopperRun(hopperRunOptions(process.argv.includes('--quick')));
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(r)}\n`);
  else for (const [k, v, t] of hopperRunTable(r)) process.stdout.write(`  ${k}  ${v}${t ? `  (target ${t})` : ''}\n`);
  process.exit(0);
}
