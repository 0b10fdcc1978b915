import { randomBytes } from 'node:crypto';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { dropPrefix } from '../../src/store/drop-prefix.js';
import { connectRedis } from '../../src/store/redis-connection.js';
import { runCampaign, startWorkers, stopWorkers } from './worker-processes.js';

export interface RecordingCampaignFigures {
  numbers: number;
  cps_target: number;
  /** Originates per second over each run (first to last attempt's start). */
  attempts_per_s_plain: number;
  attempts_per_s_recorded: number;
  difference_pct: number;
  /** Seconds from create to finished, each run. */
  seconds_plain: number;
  seconds_recorded: number;
  /** Answered calls of the recorded run whose recording is `done` / all answered. */
  recorded_done: number;
  answered: number;
}

const numbers = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `+1${prefix}${String(i * 10 + (i % 6)).padStart(8, '0')}`);

/**
 * The same campaign twice through Redis and two worker processes at `cps`: without recording, then with `record`
 * (a snoop and a recording per answered call: two more requests and four more events each). Attempts/s is the
 * originate rate each achieved; the bar is a difference under 10 %.
 */
export async function benchRecordingCampaign(simUrl: string, redisUrl: string, opts: { numbers: number; cps: number }): Promise<RecordingCampaignFigures> {
  const prefix = `{bench-${randomBytes(3).toString('hex')}}`;
  const redis = connectRedis(redisUrl);
  const svc = new CampaignService({ redis, prefix });
  const workers = startWorkers(2, { REDIS_URL: redisUrl, DIALER_PREFIX: prefix, ARI_URL: simUrl, ARI_USER: 'bench', ARI_PASSWORD: 'bench' });
  const rate = async (id: string) => {
    const starts: number[] = [];
    let answered = 0;
    let done = 0;
    for await (const a of svc.attempts(id)) {
      starts.push(Date.parse(a.created_at));
      if (a.answered) answered += 1;
      if (a.recording?.state === 'done') done += 1;
    }
    starts.sort((a, b) => a - b);
    return { perS: (starts.length - 1) / ((starts.at(-1)! - starts[0]!) / 1000), answered, done };
  };
  try {
    await new Promise((r) => setTimeout(r, 3000)); // both workers connected
    const settings = { cps: opts.cps, maxConcurrent: 2000, retry: 'none' };
    const p = await runCampaign(svc, 'plain', numbers(opts.numbers, '8'), settings);
    const plain = await rate(p.id);
    const r = await runCampaign(svc, 'recorded', numbers(opts.numbers, '9'), { ...settings, record: 'answered' });
    const rec = await rate(r.id);
    return {
      numbers: opts.numbers,
      cps_target: opts.cps,
      attempts_per_s_plain: Math.round(plain.perS * 10) / 10,
      attempts_per_s_recorded: Math.round(rec.perS * 10) / 10,
      difference_pct: Math.round(((rec.perS - plain.perS) / plain.perS) * 10000) / 100,
      seconds_plain: Math.round(p.seconds * 10) / 10,
      seconds_recorded: Math.round(r.seconds * 10) / 10,
      recorded_done: rec.done,
      answered: rec.answered,
    };
  } finally {
    await stopWorkers(workers);
    await dropPrefix(redis, prefix);
    await svc.close();
    redis.disconnect();
  }
}
