// Redis work per attempt: CPU, commands and the costliest commands, from INFO cpu and INFO commandstats taken before
// and after one fixed campaign on a redis-server of the bench's own (nothing else pollutes the figures). Then the
// Redis bytes left a minute after the campaign finished (history in PostgreSQL, witnesses included), and the
// attempts/s of a second campaign with 4 worker processes. Part of `npm run bench`; alone:
// `npx tsx scripts/bench/redis-bench.ts [--quick] [--json]` (needs redis-server and PostgreSQL: DATABASE_URL).
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { RedisClient } from '../../src/store/lua-script.js';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { startPrivateRedis } from '../../src/cli/private-redis.js';
import { LUA_SCRIPTS_BY_SHA } from '../../src/store/lua-script.js';
import { HistoryStore } from '../../src/store/history/history-store.js';
import { connectRedis } from '../../src/store/redis-connection.js';
import { adminQuery, prefixBytes } from './bench-support.js';
import { startSimProcess } from './sim-process.js';
import { cpuSeconds, runCampaign, startWorkers, stopWorkers, workersUp } from './worker-processes.js';

export interface RedisBenchOptions {
  databaseUrl: string;
  /** Numbers of the measured campaign; one in five is busy and called twice (1.2 attempts per number). */
  numbers: number;
  /** Worker processes during the measured campaign. @defaultValue 2 */
  workers?: number;
  /** Worker processes for the attempts/s campaign (the measured campaign's plus more). @defaultValue 4 */
  throughputWorkers?: number;
  /** How long after the finish the bytes left are measured, s. @defaultValue 60 */
  settleS?: number;
}

export interface CommandCost {
  command: string;
  calls: number;
  usec: number;
  calls_per_attempt: number;
}

export interface RedisFigures {
  numbers: number;
  attempts: number;
  workers: number;
  /** Redis CPU (user + sys, all threads) over the campaign, per attempt. */
  redis_cpu_us_per_attempt: number;
  /** CPU of the worker processes (all of them, user + sys) over the campaign, per attempt: what bounds attempts/s here. */
  worker_cpu_us_per_attempt: number;
  /** CPU of the simulator's process, per attempt (it shares the machine's cores with the workers). */
  sim_cpu_us_per_attempt: number;
  /** Every command Redis ran (those inside Lua scripts included, as commandstats counts them), per attempt. */
  commands_per_attempt: number;
  /** The costliest commands by time. */
  top_commands: CommandCost[];
  /**
   * Where the time goes, script by script (ours are `ariDialer…`, BullMQ's by its names; a script's time includes
   * the commands it runs, which are listed too), from
   * SLOWLOG over a second, smaller campaign (the log costs CPU of its own, so the figures above are taken without it).
   */
  top_scripts: Array<{ script: string; calls_per_attempt: number; us_per_attempt: number }>;
  /** Measured campaign, end to end (import to finish), with `workers` processes. */
  attempts_per_s: number;
  /** A second campaign of the same size with `throughput_workers` processes. */
  attempts_per_s_more_workers: number;
  throughput_workers: number;
  /** MEMORY USAGE of every key of the installation, `settle_s` after the finish, per number. */
  redis_bytes_per_number_after: number;
  settle_s: number;
  /** Where those bytes are (per number, by kind of key). */
  redis_bytes_after_by_kind: string;
}

/** The fixed campaign: one number in five ends in 6 (busy in the simulator) and is called once more. */
const numbers = (n: number, lead: string) => Array.from({ length: n }, (_, i) => `+1${lead}${String(i * 10 + (i % 5 === 4 ? 6 : i % 5)).padStart(8, '0')}`);

export async function benchRedis(o: RedisBenchOptions): Promise<RedisFigures> {
  const own = await startPrivateRedis();
  if (!own) throw new Error('the Redis bench needs redis-server on the PATH (it runs one of its own)');
  // Calls ring 250 ms and talk 500 ms: long enough for a peer to witness each one, as on a real Asterisk.
  const sim = await startSimProcess(['--time-scale', '0.25']);
  // A database of its own: the worker processes (with DATABASE_URL, as in production) feed the campaign's hopper
  // from it and archive into it, in its public schema.
  const database = `ari_dialer_bench_${randomBytes(4).toString('hex')}`;
  await adminQuery(o.databaseUrl, `CREATE DATABASE ${database}`);
  const dbUrl = new URL(o.databaseUrl);
  dbUrl.pathname = `/${database}`;
  const prefix = 'bench';
  const history = new HistoryStore({ url: dbUrl.toString(), max: 4 });
  await history.migrate();
  const redis = connectRedis(own.url);
  const svc = new CampaignService({ redis, prefix, history });
  const env = { REDIS_URL: own.url, DIALER_PREFIX: prefix, ARI_URL: sim.url, ARI_USER: 'bench', ARI_PASSWORD: 'bench', DATABASE_URL: dbUrl.toString() };
  const workers: ChildProcess[] = [];
  const nWorkers = o.workers ?? 2;
  const moreWorkers = o.throughputWorkers ?? 4;
  const settleS = o.settleS ?? 60;
  try {
    workers.push(...startWorkers(nWorkers, env));
    await workersUp(svc, nWorkers);
    const settings = { endpoint: 'SIP/trunk/{number}', timeoutS: 30, cps: 1000, maxConcurrent: 1000, retry: 'busy=1@50ms' };
    const before = await redisInfo(redis);
    const cpuBefore = { workers: cpuSeconds(workers.map((w) => w.pid)), sim: cpuSeconds([sim.child.pid]) };
    const measured = await runCampaign(svc, 'redis-cost', numbers(o.numbers, '2'), settings);
    const after = await redisInfo(redis);
    const cpuAfter = { workers: cpuSeconds(workers.map((w) => w.pid)), sim: cpuSeconds([sim.child.pid]) };
    const attempts = (await svc.status(measured.id)).counters.attempts;

    const per = (v: number) => Math.round((v / attempts) * 10) / 10;
    const costs = commandDeltas(before.commands, after.commands);
    const allCalls = costs.reduce((a, c) => a + c.calls, 0);

    // What is left a while after the finish: archived state, witnesses, holds, BullMQ's leftovers.
    const finishedAt = measured.finishedAt;
    while (!(await svc.get(measured.id)).archivedAt) await sleep(100);
    await sleep(Math.max(0, finishedAt + settleS * 1000 - Date.now()));
    const kinds: Record<string, number> = {};
    const bytesAfter = await prefixBytes(redis, prefix, kinds);

    const top_scripts = await scriptBreakdown(redis, async () => {
      const b = await runCampaign(svc, 'script-costs', numbers(Math.min(o.numbers, 2000), '4'), settings);
      return (await svc.status(b.id)).counters.attempts;
    });

    workers.push(...startWorkers(moreWorkers - nWorkers, env));
    await workersUp(svc, moreWorkers);
    const fast = await runCampaign(svc, 'throughput', numbers(o.numbers, '3'), settings);
    const fastAttempts = (await svc.status(fast.id)).counters.attempts;
    return {
      numbers: o.numbers,
      attempts,
      workers: nWorkers,
      redis_cpu_us_per_attempt: Math.round(((after.cpuS - before.cpuS) * 1e6) / attempts),
      worker_cpu_us_per_attempt: Math.round(((cpuAfter.workers - cpuBefore.workers) * 1e6) / attempts),
      sim_cpu_us_per_attempt: Math.round(((cpuAfter.sim - cpuBefore.sim) * 1e6) / attempts),
      commands_per_attempt: per(allCalls),
      top_commands: costs.slice(0, 12).map((c) => ({ ...c, calls_per_attempt: per(c.calls) })),
      top_scripts,
      attempts_per_s: Math.round(attempts / measured.seconds),
      attempts_per_s_more_workers: Math.round(fastAttempts / fast.seconds),
      throughput_workers: moreWorkers,
      redis_bytes_per_number_after: Math.round(bytesAfter / o.numbers),
      settle_s: settleS,
      redis_bytes_after_by_kind: Object.entries(kinds)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6)
        .map(([k, v]) => `${k} ${Math.round(v / o.numbers)}`)
        .join(', '),
    };
  } finally {
    await stopWorkers(workers);
    await svc.close();
    redis.disconnect();
    await history.close();
    await adminQuery(o.databaseUrl, `DROP DATABASE IF EXISTS ${database}`);
    await sim.stop();
    await own.stop();
  }
}

async function redisInfo(redis: RedisClient): Promise<{ cpuS: number; commands: Map<string, { calls: number; usec: number }> }> {
  const cpu = await redis.info('cpu');
  const num = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(cpu)?.[1] ?? 0);
  const commands = new Map<string, { calls: number; usec: number }>();
  for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) {
    commands.set(m[1]!, { calls: Number(m[2]), usec: Number(m[3]) });
  }
  return { cpuS: num('used_cpu_user') + num('used_cpu_sys'), commands };
}

/** Names of the scripts Redis sees by SHA1: ours (declared when their modules load) and BullMQ's. */
export async function scriptNames(): Promise<Map<string, string>> {
  await import('../../jobs/campaign-worker.js');
  const names = new Map(LUA_SCRIPTS_BY_SHA);
  const bull = createRequire(import.meta.url)('bullmq/dist/cjs/scripts/index.js') as Record<string, { name?: string; content?: string }>;
  for (const s of Object.values(bull)) if (s.name && s.content) names.set(createHash('sha1').update(s.content).digest('hex'), `bullmq ${s.name}`);
  return names;
}

/** Runs `campaign` with every command in SLOWLOG, then sums the time of each script (and of each other command). */
async function scriptBreakdown(redis: RedisClient, campaign: () => Promise<number>): Promise<RedisFigures['top_scripts']> {
  const names = await scriptNames();
  await redis.config('SET', 'slowlog-max-len', '2000000');
  await redis.config('SET', 'slowlog-log-slower-than', '0');
  await redis.slowlog('RESET');
  let attempts: number;
  let log: unknown[];
  try {
    attempts = await campaign();
    log = (await redis.slowlog('GET', '-1')) as unknown[];
  } finally {
    await redis.config('SET', 'slowlog-log-slower-than', '10000');
    await redis.slowlog('RESET');
  }
  const by = new Map<string, { calls: number; us: number }>();
  for (const e of log as Array<[number, number, number, string[]]>) {
    const [cmd, sha] = e[3];
    const name = /^evalsha$/i.test(cmd ?? '')
      ? (names.get(sha ?? '') ?? `script ${sha?.slice(0, 8)}`)
      : /^eval$/i.test(cmd ?? '')
        ? 'EVAL (first use on a socket)'
        : (cmd ?? '?').toLowerCase();
    const v = by.get(name) ?? { calls: 0, us: 0 };
    v.calls++;
    v.us += e[2];
    by.set(name, v);
  }
  return [...by]
    .map(([script, v]) => ({
      script,
      calls_per_attempt: Math.round((v.calls / attempts) * 100) / 100,
      us_per_attempt: Math.round((v.us / attempts) * 10) / 10,
    }))
    .sort((a, b) => b.us_per_attempt - a.us_per_attempt)
    .slice(0, 15);
}

/** Commands run between two readings, costliest first; the INFO calls of the readings themselves left out. */
function commandDeltas(
  a: Map<string, { calls: number; usec: number }>,
  b: Map<string, { calls: number; usec: number }>,
): Omit<CommandCost, 'calls_per_attempt'>[] {
  const out: Omit<CommandCost, 'calls_per_attempt'>[] = [];
  for (const [command, v] of b) {
    const calls = v.calls - (a.get(command)?.calls ?? 0) - (command === 'info' ? 2 : 0);
    if (calls > 0) out.push({ command, calls, usec: v.usec - (a.get(command)?.usec ?? 0) });
  }
  return out.sort((x, y) => y.usec - x.usec);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function redisBenchOptions(quick: boolean): RedisBenchOptions {
  return {
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    numbers: quick ? 2000 : 10_000,
    settleS: quick ? 10 : 60,
  };
}

/** The figures as the bench prints them. */
export function redisTable(r: RedisFigures): string[][] {
  return [
    [
      `Redis CPU per attempt (${r.attempts} attempts of ${r.numbers} numbers, ${r.workers} workers, history in PostgreSQL)`,
      `${r.redis_cpu_us_per_attempt} µs`,
      '<= 200 µs',
    ],
    ['  worker processes / simulator CPU per attempt (same campaign)', `${r.worker_cpu_us_per_attempt} / ${r.sim_cpu_us_per_attempt} µs`, ''],
    ['Redis commands per attempt (those run inside Lua scripts included)', `${r.commands_per_attempt}`, '<= 30'],
    ...r.top_commands.slice(0, 8).map((c) => [`  ${c.command}: ${c.calls} calls (${c.calls_per_attempt} per attempt)`, `${Math.round(c.usec / 1000)} ms`, '']),
    ['  time per attempt by script (its commands included) and command (SLOWLOG, a second campaign):', '', ''],
    ...r.top_scripts.slice(0, 10).map((s) => [`    ${s.script} (${s.calls_per_attempt} per attempt)`, `${s.us_per_attempt} µs`, '']),
    [`Redis bytes per number ${r.settle_s} s after the finish (witnesses included)`, `${r.redis_bytes_per_number_after} B`, '<= 200 B'],
    ['  where (bytes per number)', r.redis_bytes_after_by_kind, ''],
    [`attempts/s: ${r.workers} workers / ${r.throughput_workers} workers (simulator, same run)`, `${r.attempts_per_s} / ${r.attempts_per_s_more_workers}`, ''],
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchRedis(redisBenchOptions(process.argv.includes('--quick')));
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(r)}\n`);
  else for (const [k, v, t] of redisTable(r)) process.stdout.write(`  ${k}  ${v}${t ? `  (target ${t})` : ''}\n`);
  process.exit(0);
}
