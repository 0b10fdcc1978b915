import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { dropPrefix } from '../../src/store/drop-prefix.js';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { connectRedis } from '../../src/store/redis-connection.js';

const RUN = fileURLToPath(new URL('../../src/cli/run.ts', import.meta.url));

export interface CampaignFigures {
  attempts: number;
  workers: number;
  attempts_per_s: number;
  cps_target: number;
  cps_measured: number;
  cps_error_pct: number;
  cps_max_in_1s_window: number;
  cps_seconds: number;
}

/** Worker processes, as in production: `ari-dialer worker` with its own Stasis app each. */
function startWorkers(n: number, env: Record<string, string>): ChildProcess[] {
  return Array.from({ length: n }, () =>
    spawn(process.execPath, ['--import', 'tsx', RUN, 'worker', '--channel-cap', '1000', '--grace', '5'], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, ...env, LOG_LEVEL: 'error' },
    }),
  );
}

async function stopWorkers(ws: ChildProcess[]): Promise<void> {
  await Promise.all(ws.map((w) => new Promise((r) => (w.kill('SIGTERM'), w.once('exit', r)))));
}

const numbers = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `+1${prefix}${String(i * 10 + (i % 6)).padStart(8, '0')}`);

async function runCampaign(svc: CampaignService, name: string, list: string[], settings: Record<string, unknown>): Promise<{ id: string; seconds: number }> {
  const t0 = performance.now();
  const r = await svc.create({ name, settings: { endpoint: 'SIP/trunk/{number}', timeoutS: 30, ...settings }, open: () => Readable.from([`number\n${list.join('\n')}\n`]) });
  for (;;) {
    const s = await svc.get(r.id!);
    if (s.state === 'finished') break;
    await new Promise((res) => setTimeout(res, 100));
  }
  return { id: r.id!, seconds: (performance.now() - t0) / 1000 };
}

/** End to end through Redis and two worker processes against one simulator that answers at once. */
export async function benchCampaign(simUrl: string, redisUrl: string, opts: { attempts: number; cpsSeconds: number }): Promise<CampaignFigures> {
  const prefix = `{bench-${randomBytes(3).toString('hex')}}`;
  const redis = connectRedis(redisUrl);
  const svc = new CampaignService({ redis, prefix });
  const workers = startWorkers(2, { REDIS_URL: redisUrl, DIALER_PREFIX: prefix, ARI_URL: simUrl, ARI_USER: 'bench', ARI_PASSWORD: 'bench' });
  try {
    await new Promise((r) => setTimeout(r, 3000)); // both workers connected
    const fast = await runCampaign(svc, 'throughput', numbers(opts.attempts, '2'), { cps: 1000, maxConcurrent: 1000 });

    const cps = 50;
    const paced = await runCampaign(svc, 'pacing', numbers(cps * opts.cpsSeconds, '3'), { cps, maxConcurrent: 500 });
    const starts: number[] = [];
    for await (const a of svc.attempts(paced.id)) starts.push(Date.parse(a.created_at));
    starts.sort((a, b) => a - b);
    const span = (starts.at(-1)! - starts[0]!) / 1000;
    const measured = (starts.length - 1) / span;
    let best = 0;
    for (let hi = 0, lo = 0; hi < starts.length; hi++) {
      while (starts[hi]! - starts[lo]! >= 1000) lo++;
      best = Math.max(best, hi - lo + 1);
    }
    return {
      attempts: opts.attempts,
      workers: 2,
      attempts_per_s: Math.round(opts.attempts / fast.seconds),
      cps_target: cps,
      cps_measured: Math.round(measured * 100) / 100,
      cps_error_pct: Math.round((measured / cps - 1) * 10000) / 100,
      cps_max_in_1s_window: best,
      cps_seconds: Math.round(span),
    };
  } finally {
    await stopWorkers(workers);
    await dropPrefix(redis, prefix);
    await svc.close();
    redis.disconnect();
  }
}
