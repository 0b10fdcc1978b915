// Pacing as the far end sees it: a campaign's originates counted on the simulator's clock as they arrive (the
// pacer bounds them on Redis's clock; event-loop delays between admission and arrival can bunch them). Run at rates
// this machine sustains and at one it does not, so the table shows where bunching starts: under CPU saturation,
// not in the pacer. Part of `npm run bench`; alone: `npx tsx scripts/bench/receiver-pacing-bench.ts [--quick]`.
import type { ChildProcess } from 'node:child_process';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { startPrivateRedis } from '../../src/cli/private-redis.js';
import { connectRedis } from '../../src/store/redis-connection.js';
import { startSimWithStats } from './sim-process.js';
import { runCampaign, startWorkers, stopWorkers, workersUp } from './worker-processes.js';

export interface ReceiverPacing {
  cps_target: number;
  originates: number;
  /** Originates per second from the first to the last, at the simulator. */
  cps_achieved: number;
  max_in_calendar_second: number;
  max_in_sliding_second: number;
}

/** Campaigns at each rate in turn (numbers that answer at once), 2 worker processes, a Redis of its own. */
export async function benchReceiverPacing(rates: readonly number[], secondsEach: number): Promise<ReceiverPacing[]> {
  const own = await startPrivateRedis();
  if (!own) throw new Error('the receiver pacing bench needs redis-server on the PATH (it runs one of its own)');
  const sim = await startSimWithStats(0.05);
  const redis = connectRedis(own.url);
  const svc = new CampaignService({ redis, prefix: 'pace' });
  const workers: ChildProcess[] = [];
  const out: ReceiverPacing[] = [];
  try {
    workers.push(...startWorkers(2, { REDIS_URL: own.url, DIALER_PREFIX: 'pace', ARI_URL: sim.url, ARI_USER: 'bench', ARI_PASSWORD: 'bench' }));
    await workersUp(svc, 2);
    for (const [k, cps] of rates.entries()) {
      await sim.reset();
      // Last digit 0: answered at once by the simulator.
      const list = Array.from({ length: cps * secondsEach }, (_, i) => `+1${k + 2}55${String(i).padStart(6, '0')}0`);
      await runCampaign(svc, `pace-${cps}`, list, { cps, maxConcurrent: 1000 });
      const s = await sim.stats();
      out.push({
        cps_target: cps,
        originates: s.originates,
        cps_achieved: Math.round(((s.originates - 1) / (s.lastAt - s.firstAt)) * 1000),
        max_in_calendar_second: s.maxInCalendarSecond,
        max_in_sliding_second: s.maxInSlidingSecond,
      });
    }
    return out;
  } finally {
    await stopWorkers(workers);
    await svc.close();
    redis.disconnect();
    await sim.stop();
    await own.stop();
  }
}

export const receiverPacingRates = (quick: boolean) => ({ rates: [300, 450, 600], secondsEach: quick ? 8 : 20 });

export function receiverPacingTable(rows: readonly ReceiverPacing[]): string[][] {
  return rows.map((r) => [
    `  ${r.cps_target} cps asked: achieved / busiest calendar second / busiest sliding second (${r.originates} originates)`,
    `${r.cps_achieved} / ${r.max_in_calendar_second} / ${r.max_in_sliding_second}`,
    // A campaign's cps has no slack (a trunk's, the carrier's hard limit, has 30 ms: see TRUNK_SLACK_MS).
    r.cps_achieved >= r.cps_target * 0.9 ? `calendar second <= ${Math.ceil(r.cps_target * 1.03)} (rate sustained)` : '(machine saturated: not sustained)',
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { rates, secondsEach } = receiverPacingRates(process.argv.includes('--quick'));
  const rows = await benchReceiverPacing(rates, secondsEach);
  for (const [k, v, t] of receiverPacingTable(rows)) process.stdout.write(`  ${k}  ${v}${t ? `  (target ${t})` : ''}\n`);
  process.exit(0);
}
