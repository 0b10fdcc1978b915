// `npm run soak [-- --json] [-- --calls N] [-- --fault-every S]`: a campaign of N calls (default 10,000) against the
// simulator, two worker processes, a fault every S seconds (default 30) in rotation: ARI socket drop, REST 5xx
// burst, slow REST, worker SIGKILL + restart. Prints calls completed, results lost, double dials and stuck jobs;
// exits 1 unless the last three are 0. Needs Redis (--redis-url, default redis://127.0.0.1:6379; keys under a
// prefix of its own, removed afterwards).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CampaignService } from '../src/campaign/campaign-service.js';
import { dropPrefix } from '../src/store/drop-prefix.js';
import { connectRedis } from '../src/store/redis-connection.js';
import { AriSim, type SimRule } from '../src/sim/index.js';
import { auditCampaign } from './soak/audit.js';
import { FAULTS, inject, type FaultRecord } from './soak/fault-rotation.js';

const { values: o } = parseArgs({
  options: {
    calls: { type: 'string', default: '10000' },
    'fault-every': { type: 'string', default: '30' },
    cps: { type: 'string', default: '50' },
    'max-concurrent': { type: 'string', default: '150' },
    workers: { type: 'string', default: '2' },
    'redis-url': { type: 'string', default: 'redis://127.0.0.1:6379' },
    'stall-timeout': { type: 'string', default: '180' },
    json: { type: 'boolean', default: false },
  },
});
const calls = Number(o.calls);
const faultEveryMs = Number(o['fault-every']) * 1000;
const workerCount = Number(o.workers);
for (const [name, v] of [
  ['--calls', calls],
  ['--fault-every', faultEveryMs],
  ['--workers', workerCount],
] as const) {
  if (!(Number.isFinite(v) && v > 0)) {
    process.stderr.write(`soak: ${name}: must be a number above 0\n`);
    process.exit(2);
  }
}
const say = (s: string) => {
  if (!o.json) process.stderr.write(`${s}\n`);
};

// Realistic lengths at full speed: answered calls ring 1.5 s and end 1 s after continue; failures ring first;
// no-answer rings until the 3 s timeout. The last digit decides: 0-5 answer, 6 busy, 7 no answer, 8 congestion,
// 9 rejected.
const rules: SimRule[] = [
  { match: /[0-5]$/, outcome: 'answer', ringMs: 1500, talkMs: 4000 },
  { match: /6$/, outcome: 'busy', ringMs: 800 },
  { match: /8$/, outcome: 'congestion', ringMs: 800 },
  { match: /9$/, outcome: 'rejected', ringMs: 800 },
];
const sim = await AriSim.start({ users: { soak: 'soak-pass' }, rules, sessionLimit: 500 });
const prefix = `{soak-${randomBytes(4).toString('hex')}}`;
const redis = connectRedis(o['redis-url']);
const svc = new CampaignService({ redis, prefix });

const CHILD = fileURLToPath(new URL('./soak/worker-child.ts', import.meta.url));
let appSeq = 0;
const workers: ChildProcess[] = [];
function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, '--lock-ms', '5000', '--stalled-ms', '2000', '--grace', '5', '--app', `soak-w${++appSeq}`], {
    stdio: ['ignore', 'ignore', 'ignore'],
    env: {
      ...process.env,
      REDIS_URL: o['redis-url'],
      DIALER_PREFIX: prefix,
      ARI_URL: sim.url,
      ARI_USER: 'soak',
      ARI_PASSWORD: 'soak-pass',
      CHANNEL_CAP: '1000',
      LOG_LEVEL: 'error',
    },
  });
  workers.push(child);
  return child;
}
const alive = () => workers.filter((w) => w.exitCode === null && w.signalCode === null);

const numbers = Array.from({ length: calls }, (_, i) => `+1555${String(i).padStart(7, '0')}`);
const endpointOf = (n: string) => `SIP/trunk/${n}`;
const started = Date.now();
const faults: FaultRecord[] = [];
let id: string | undefined;
let outcome: 'finished' | 'stalled' = 'finished';
try {
  for (let i = 0; i < workerCount; i++) startWorker();
  const r = await svc.create({
    name: 'soak',
    settings: {
      endpoint: 'SIP/trunk/{number}',
      cps: Number(o.cps),
      maxConcurrent: Number(o['max-concurrent']),
      timeoutS: 3,
      retry: 'busy=1@2s,no_answer=1@2s,congestion=1@2s,error=3@2s,interrupted=2@2s',
    },
    open: () => Readable.from([`number\n${numbers.join('\n')}\n`]),
  });
  if (!r.created) throw new Error(`campaign not created: ${JSON.stringify(r.errors.slice(0, 3))}`);
  id = r.id!;
  say(`soak: ${calls} calls, campaign ${id}, ${workerCount} workers, a fault every ${faultEveryMs / 1000} s`);

  let next = Date.now() + faultEveryMs;
  let lastDone = -1;
  let lastProgress = Date.now();
  let lastLine = 0;
  for (;;) {
    const s = await svc.status(id);
    if (s.state === 'finished') break;
    if (s.counters.done !== lastDone) {
      lastDone = s.counters.done;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > Number(o['stall-timeout']) * 1000) {
      outcome = 'stalled';
      break;
    }
    if (Date.now() - lastLine > 10_000) {
      lastLine = Date.now();
      say(`  ${Math.round((Date.now() - started) / 1000)} s: ${s.counters.done}/${s.counters.total} done, ${sim.stats.activeChannels} in flight`);
    }
    if (Date.now() >= next) {
      const fault = FAULTS[faults.length % FAULTS.length]!;
      faults.push({ fault, at: new Date().toISOString(), inFlight: sim.stats.activeChannels });
      say(`  fault: ${fault} (${sim.stats.activeChannels} calls in flight)`);
      await inject(fault, {
        sim,
        killAndReplaceWorker: async () => {
          const victim = alive()[0];
          if (victim) {
            const gone = new Promise((res) => victim.once('exit', res));
            victim.kill('SIGKILL');
            await gone;
          }
          startWorker();
        },
      });
      next = Date.now() + faultEveryMs;
    }
    await new Promise((res) => setTimeout(res, 250));
  }
  // The last jobs complete a moment after the campaign is marked finished.
  for (let i = 0; i < 40; i++) {
    const a = await auditCampaign(svc, id, numbers, endpointOf, sim.stats);
    if (a.stuckJobs === 0) break;
    await new Promise((res) => setTimeout(res, 250));
  }
  const a = await auditCampaign(svc, id, numbers, endpointOf, sim.stats);
  const figures = {
    calls: calls,
    outcome,
    seconds: Math.round((Date.now() - started) / 1000),
    calls_completed: a.finals,
    attempts: a.attempts,
    originates: a.originates,
    results_lost: a.resultsLost,
    double_dials: a.doubleDials,
    stuck_jobs: a.stuckJobs,
    unplaced_attempts: a.unplacedAttempts,
    unknown: a.byDisposition.UNKNOWN ?? 0,
    interrupted_attempts: a.attemptsByDisposition.INTERRUPTED ?? 0,
    interrupted_final: a.byDisposition.INTERRUPTED ?? 0,
    invented_results: a.phantomResults.length,
    faults: faults.length,
    faults_by_kind: Object.fromEntries(FAULTS.map((f) => [f, faults.filter((x) => x.fault === f).length])),
    in_flight_at_faults: faults.map((f) => f.inFlight),
    finals_by_disposition: a.byDisposition,
    attempts_by_disposition: a.attemptsByDisposition,
  };
  if (o.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
  else {
    const row = (k: string, v: unknown, must = '') => process.stdout.write(`  ${k.padEnd(22)} ${String(v).padStart(8)}${must}\n`);
    process.stdout.write(`soak: ${outcome} in ${figures.seconds} s, ${faults.length} faults (${faults.map((f) => f.fault).join(', ')})\n`);
    row('calls completed', `${a.finals}/${calls}`);
    row('results lost', a.resultsLost, '  (must be 0)');
    row('double dials', a.doubleDials, '  (must be 0)');
    row('stuck jobs', a.stuckJobs, '  (must be 0)');
    row('attempts', a.attempts);
    row('originates', a.originates);
    row('attempts never placed', a.unplacedAttempts, '  (recorded but never dialed: must be 0)');
    row('unknown', a.byDisposition.UNKNOWN ?? 0, '  (numbers whose end nobody saw)');
    row(
      'interrupted',
      `${a.attemptsByDisposition.INTERRUPTED ?? 0} → ${a.byDisposition.INTERRUPTED ?? 0}`,
      '  (attempts cut by Asterisk or a gap → numbers still ending so)',
    );
    process.stdout.write(
      `  finals: ${Object.entries(a.byDisposition)
        .map(([k, v]) => `${k.toLowerCase()} ${v}`)
        .join(', ')}\n`,
    );
  }
  process.exitCode = a.resultsLost === 0 && a.doubleDials === 0 && a.stuckJobs === 0 && a.unplacedAttempts === 0 && a.finals === calls ? 0 : 1;
} finally {
  await Promise.all(
    alive().map(
      (w) =>
        new Promise((res) => {
          w.once('exit', res);
          w.kill('SIGTERM');
          setTimeout(() => w.kill('SIGKILL'), 10_000).unref();
        }),
    ),
  );
  await svc.close();
  await dropPrefix(redis, prefix).catch(() => undefined);
  redis.disconnect();
  await sim.stop();
}
