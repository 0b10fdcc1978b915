// Where each Redis command of an attempt comes from: MONITOR over one campaign (2 workers, history in PostgreSQL),
// each command counted under the script that ran it (ours by name, BullMQ's by its name) or, outside scripts, under
// its command and kind of key. Slower than the bench (MONITOR costs Redis CPU): for finding work, not for figures.
// `npx tsx scripts/bench/redis-monitor.ts [numbers]`
import { randomBytes } from 'node:crypto';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { startPrivateRedis } from '../../src/cli/private-redis.js';
import { HistoryStore } from '../../src/store/history/history-store.js';
import { connectRedis } from '../../src/store/redis-connection.js';
import { adminQuery } from './bench-support.js';
import { scriptNames } from './redis-bench.js';
import { startSimProcess } from './sim-process.js';
import { runCampaign, startWorkers, stopWorkers } from './worker-processes.js';

const n = Number(process.argv[2] ?? 1000);
const own = (await startPrivateRedis())!;
const sim = await startSimProcess(['--time-scale', '0.25']);
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const database = `ari_dialer_mon_${randomBytes(4).toString('hex')}`;
await adminQuery(databaseUrl, `CREATE DATABASE ${database}`);
const dbUrl = new URL(databaseUrl);
dbUrl.pathname = `/${database}`;
const history = new HistoryStore({ url: dbUrl.toString(), max: 4 });
await history.migrate();
const redis = connectRedis(own.url);
const svc = new CampaignService({ redis, prefix: 'bench', history });
const env = { REDIS_URL: own.url, DIALER_PREFIX: 'bench', ARI_URL: sim.url, ARI_USER: 'bench', ARI_PASSWORD: 'bench', DATABASE_URL: dbUrl.toString() };
const workers = startWorkers(2, env);
const names = await scriptNames();
const QUEUE_KEYS = /^(wait|active|meta|events|id|marker|completed|failed|delayed|stalled|stalled-check|prioritized|pc|paused|limiter|de|repeat)$/;
/** The kind of a key: ids left out, a BullMQ job's keys as `job`. */
function kind(key: string | undefined): string {
  const k = (key ?? '').replace(/^bench:/, '').replace(/\{[^}]*\}/g, '{}');
  const bull = /^c:\{\}:bull:[^:]+:(.*)$/.exec(k);
  if (!bull) return k.replace(/:\d[\w:.-]*$/, ':N');
  const rest = bull[1]!;
  if (QUEUE_KEYS.test(rest)) return `bull:q:${rest}`;
  const sub = /:(lock|logs)$/.exec(rest);
  return `bull:q:job${sub ? `:${sub[1]}` : ''}`;
}
try {
  await new Promise((r) => setTimeout(r, 4000));
  const mon = connectRedis(own.url);
  const lines: string[] = [];
  const m = await (mon as unknown as { monitor(): Promise<NodeJS.EventEmitter> }).monitor();
  m.on('monitor', (_t: string, args: string[], source: string) => lines.push(JSON.stringify([source, ...args])));
  const settings = { endpoint: 'SIP/trunk/{number}', timeoutS: 30, cps: 1000, maxConcurrent: 1000, retry: 'busy=1@50ms' };
  const list = Array.from({ length: n }, (_, i) => `+12${String(i * 10 + (i % 5 === 4 ? 6 : i % 5)).padStart(8, '0')}`);
  const c = await runCampaign(svc, 'monitor', list, settings);
  const attempts = (await svc.status(c.id)).counters.attempts;
  (m as unknown as { disconnect(): void }).disconnect();
  const by = new Map<string, number>();
  let script = '';
  for (const l of lines) {
    const [source, cmd, ...a] = JSON.parse(l) as string[];
    const lc = cmd!.toLowerCase();
    let label: string;
    if (source === 'lua') label = `  ${script} > ${lc} ${kind(a[0])}`;
    else if (lc === 'evalsha' || lc === 'eval') {
      script = lc === 'eval' ? 'EVAL' : (names.get(a[0]!) ?? a[0]!.slice(0, 8));
      label = `${script}`;
    } else label = `${lc} ${kind(a[0])}`;
    by.set(label, (by.get(label) ?? 0) + 1);
  }
  const total = lines.length;
  process.stdout.write(`${attempts} attempts, ${(total / attempts).toFixed(1)} commands per attempt\n`);
  const rows = [...by].sort((x, y) => y[1] - x[1]);
  for (const [label, v] of rows) if (v / attempts >= 0.02) process.stdout.write(`${(v / attempts).toFixed(2).padStart(7)}  ${label}\n`);
} finally {
  await stopWorkers(workers);
  await svc.close();
  redis.disconnect();
  await history.close();
  await adminQuery(databaseUrl, `DROP DATABASE IF EXISTS ${database}`);
  await sim.stop();
  await own.stop();
}
process.exit(0);
