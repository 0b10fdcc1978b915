import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropPrefix } from '../../src/store/drop-prefix.js';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { connectRedis } from '../../src/store/redis-connection.js';
import { runCampaign, startWorkers, stopWorkers } from './worker-processes.js';
import { maxInCalendarSecond, maxInOneSecond } from './bench-support.js';

export interface CampaignFigures {
  attempts: number;
  workers: number;
  attempts_per_s: number;
  cps_target: number;
  cps_measured: number;
  cps_error_pct: number;
  cps_max_in_1s_window: number;
  cps_seconds: number;
  /** Two campaigns at `trunk_campaign_cps` each through one trunk of `trunk_cps`. */
  trunk_cps: number;
  trunk_campaign_cps: number;
  /** Most originates of both campaigns together in any sliding second (target: the trunk's cps, at most + 1). */
  trunk_max_in_1s_window: number;
  /** Most originates of both campaigns in any calendar second (what a carrier counting per second sees). */
  trunk_max_in_calendar_second: number;
  /** Both campaigns' originates per second over the run. */
  trunk_measured_cps: number;
  trunk_seconds: number;
}

const numbers = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `+1${prefix}${String(i * 10 + (i % 6)).padStart(8, '0')}`);

/** End to end through Redis and two worker processes against one simulator that answers at once. */
export async function benchCampaign(simUrl: string, redisUrl: string, opts: { attempts: number; cpsSeconds: number }): Promise<CampaignFigures> {
  const prefix = `{bench-${randomBytes(3).toString('hex')}}`;
  const redis = connectRedis(redisUrl);
  const svc = new CampaignService({ redis, prefix });
  // Every worker reads the same trunks from its config file, as in production.
  const configDir = mkdtempSync(join(tmpdir(), 'ari-dialer-bench-'));
  const trunkCps = 20;
  const config = join(configDir, 'dialer.json');
  writeFileSync(config, JSON.stringify({ trunks: [{ name: 'pstn', match: 'PJSIP/*@pstn', cps: trunkCps }] }));
  const workers = startWorkers(2, {
    REDIS_URL: redisUrl,
    DIALER_PREFIX: prefix,
    ARI_URL: simUrl,
    ARI_USER: 'bench',
    ARI_PASSWORD: 'bench',
    DIALER_CONFIG: config,
  });
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
    const best = maxInOneSecond(starts);

    // Two campaigns of 15 cps each on one 20 cps trunk: together they must hold the trunk's 20.
    const campaignCps = 15;
    const perCampaign = Math.round((trunkCps * opts.cpsSeconds) / 4);
    const trunked = await Promise.all(
      ['4', '5'].map((digit, i) =>
        runCampaign(svc, `trunk-${i}`, numbers(perCampaign, digit), { endpoint: 'PJSIP/{number}@pstn', cps: campaignCps, maxConcurrent: 200 }),
      ),
    );
    const both: number[] = [];
    for (const t of trunked) for await (const a of svc.attempts(t.id)) both.push(Date.parse(a.created_at));
    both.sort((a, b) => a - b);
    const trunkSpan = (both.at(-1)! - both[0]!) / 1000;
    return {
      attempts: opts.attempts,
      workers: 2,
      attempts_per_s: Math.round(opts.attempts / fast.seconds),
      cps_target: cps,
      cps_measured: Math.round(measured * 100) / 100,
      cps_error_pct: Math.round((measured / cps - 1) * 10000) / 100,
      cps_max_in_1s_window: best,
      cps_seconds: Math.round(span),
      trunk_cps: trunkCps,
      trunk_campaign_cps: campaignCps,
      trunk_max_in_1s_window: maxInOneSecond(both),
      trunk_max_in_calendar_second: maxInCalendarSecond(both),
      trunk_measured_cps: Math.round(((both.length - 1) / trunkSpan) * 100) / 100,
      trunk_seconds: Math.round(trunkSpan),
    };
  } finally {
    await stopWorkers(workers);
    rmSync(configDir, { recursive: true, force: true });
    await dropPrefix(redis, prefix);
    await svc.close();
    redis.disconnect();
  }
}

export interface Press1CampaignFigures {
  numbers: number;
  cps_target: number;
  /** Originates per second over each run (first to last attempt's start). */
  attempts_per_s_plain: number;
  attempts_per_s_press1: number;
  difference_pct: number;
  /** Press-1 calls by flow (the simulator's callees press 1, 9 or nothing by their number). */
  press1_flows: Record<string, number>;
}

/**
 * The same campaign twice through Redis and two worker processes at `cps`: without a message, then with a press-1
 * message (1 to a place, 9 opts out). Attempts/s is the originate rate each achieved.
 */
export async function benchPress1Campaign(simUrl: string, redisUrl: string, opts: { numbers: number; cps: number }): Promise<Press1CampaignFigures> {
  const prefix = `{bench-${randomBytes(3).toString('hex')}}`;
  const redis = connectRedis(redisUrl);
  const svc = new CampaignService({ redis, prefix });
  const workers = startWorkers(2, { REDIS_URL: redisUrl, DIALER_PREFIX: prefix, ARI_URL: simUrl, ARI_USER: 'bench', ARI_PASSWORD: 'bench' });
  const rate = async (id: string): Promise<{ perS: number; flows: Record<string, number> }> => {
    const starts: number[] = [];
    const flows: Record<string, number> = {};
    for await (const a of svc.attempts(id)) {
      starts.push(Date.parse(a.created_at));
      if (a.flow) flows[a.flow] = (flows[a.flow] ?? 0) + 1;
    }
    starts.sort((a, b) => a - b);
    return { perS: (starts.length - 1) / ((starts.at(-1)! - starts[0]!) / 1000), flows };
  };
  try {
    await new Promise((r) => setTimeout(r, 3000)); // both workers connected
    const settings = { cps: opts.cps, maxConcurrent: 2000 };
    const plain = await rate((await runCampaign(svc, 'plain', numbers(opts.numbers, '6'), settings)).id);
    const message = { media: 'sound:bench-promo', press: ['1=default,s,1', '9=optout'], pressWaitS: 1 };
    const press1 = await rate((await runCampaign(svc, 'press1', numbers(opts.numbers, '7'), { ...settings, message })).id);
    return {
      numbers: opts.numbers,
      cps_target: opts.cps,
      attempts_per_s_plain: Math.round(plain.perS * 10) / 10,
      attempts_per_s_press1: Math.round(press1.perS * 10) / 10,
      difference_pct: Math.round(((press1.perS - plain.perS) / plain.perS) * 10000) / 100,
      press1_flows: press1.flows,
    };
  } finally {
    await stopWorkers(workers);
    await dropPrefix(redis, prefix);
    await svc.close();
    redis.disconnect();
  }
}
