// `npm run bench [-- --json] [-- --quick]`: the figures README.md and docs/ quote, measured on this machine.
import { spawnSync } from 'node:child_process';
import { benchCampaign, benchPress1Campaign } from './bench/campaign-bench.js';
import { benchEngine, benchLatency } from './bench/engine-bench.js';
import { benchEventCost, benchKeyAction, benchPaced } from './bench/message-bench.js';
import { startSimProcess } from './bench/sim-process.js';
import { benchRecordingCampaign } from './bench/recording-bench.js';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const figures: Record<string, unknown> = { node: process.version, cpus: (await import('node:os')).cpus().length };
const log = (s: string) => {
  if (!json) process.stdout.write(`${s}\n`);
};

const sim = await startSimProcess(['--time-scale', '0.05']);
try {
  log('engine: one ARI connection, simulator in its own process, ring 50 ms, talk up to 100 ms');
  const e = await benchEngine(sim.url, { calls: quick ? 2000 : 10_000, inFlight: 500, heapCalls: 5000 });
  figures.engine = e;
  log(
    table([
      ['calls/s through one ARI connection', `${e.calls_per_s}`, '>= 2000'],
      [`  same run, simulator saturated: continue answered p50 / p99`, `${e.continue_p50_ms} / ${e.continue_p99_ms} ms`, ''],
      [`heap per call in flight (${e.in_flight_for_heap} ringing)`, `${e.heap_bytes_per_call} B`, '< 5 KB'],
      ['calls not answered (should be 0)', `${e.errors}`, '0'],
    ]),
  );

  const realTime = await startSimProcess(['--time-scale', '1']);
  try {
    const l = await benchLatency(realTime.url, { inFlight: 500, seconds: quick ? 8 : 20 });
    figures.latency = l;
    log(
      table([
        [`Up+StasisStart -> continue answered, p50 (${l.in_flight} in flight, ring 1 s, talk 2 s)`, `${l.continue_p50_ms} ms`, ''],
        [`Up+StasisStart -> continue answered, p99 (${l.in_flight} in flight, ${l.calls} calls)`, `${l.continue_p99_ms} ms`, '< 5 ms'],
      ]),
    );
    const k = await benchKeyAction(realTime.url, { inFlight: 500, seconds: quick ? 10 : 20 });
    figures.key_action = k;
    log(
      table([
        [
          `key -> stop + continue answered, p50 / p99 (${k.in_flight} in flight, ${k.keys} keys, press-1 message)`,
          `${k.key_to_action_p50_ms} / ${k.key_to_action_p99_ms} ms`,
          'p99 < 20 ms',
        ],
      ]),
    );
  } finally {
    await realTime.stop();
  }

  log('\nafter the answer (scripts/bench/message-bench.ts): the state table, and press-1 calls paced through one ARI connection');
  const ev = benchEventCost(quick ? 50_000 : 200_000);
  figures.after_answer_events = ev;
  const p = await benchPaced(sim.url, { cps: 200, calls: quick ? 2000 : 10_000, heapCalls: 5000 });
  figures.press1 = p;
  log(
    table([
      [
        'state table per event: DTMF in the message (barge-in decided) / captured varset / other varset',
        `${ev.dtmf_ns} / ${ev.varset_ns} / ${ev.varset_ignored_ns} ns`,
        '',
      ],
      ['state of a call in its message (table + message run)', `${ev.message_state_bytes} B`, ''],
      [
        `attempts/s at ${p.cps_target} cps, ${p.calls} calls: plain / press-1 (difference)`,
        `${p.attempts_per_s_plain} / ${p.attempts_per_s_press1} (${p.difference_pct} %)`,
        'within 10 %',
      ],
      [`heap per press-1 call in flight (${5000} ringing, message and capture set)`, `${p.heap_bytes_per_call_press1_ringing} B`, '< 5 KB'],
      ['press-1 calls not ending pressed (should be 0)', `${p.errors}`, '0'],
    ]),
  );

  const pc = await benchPress1Campaign(sim.url, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { numbers: quick ? 2000 : 10_000, cps: 200 });
  figures.press1_campaign = pc;
  log(
    table([
      [
        `press-1 campaign, ${pc.numbers} numbers at ${pc.cps_target} cps, 2 workers: attempts/s plain / press-1 (difference)`,
        `${pc.attempts_per_s_plain} / ${pc.attempts_per_s_press1} (${pc.difference_pct} %)`,
        'within 10 %',
      ],
      [
        '  press-1 calls by flow',
        Object.entries(pc.press1_flows)
          .map(([f, n]) => `${f} ${n}`)
          .join(', '),
        '',
      ],
    ]),
  );

  const rc = await benchRecordingCampaign(sim.url, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { numbers: quick ? 2000 : 10_000, cps: 200 });
  figures.recording_campaign = rc;
  log(
    table([
      [
        `recorded campaign, ${rc.numbers} numbers at ${rc.cps_target} cps, 2 workers: attempts/s plain / recorded (difference)`,
        `${rc.attempts_per_s_plain} / ${rc.attempts_per_s_recorded} (${rc.difference_pct} %)`,
        'within 10 %',
      ],
      [
        '  answered calls recorded (done) / answered (the rest hung up within ~100 ms, before the snoop started: failed, with that reason)',
        `${rc.recorded_done} / ${rc.answered}`,
        '',
      ],
    ]),
  );

  log('\ncampaigns: Redis + 2 worker processes + simulator');
  const c = await benchCampaign(sim.url, process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { attempts: quick ? 2000 : 10_000, cpsSeconds: quick ? 10 : 60 });
  figures.campaign = c;
  log(
    table([
      [`attempts/s end to end (${c.attempts} attempts, 2 workers)`, `${c.attempts_per_s}`, '>= 500'],
      [`rate limiter at ${c.cps_target} cps over ${c.cps_seconds} s`, `${c.cps_measured} cps (${c.cps_error_pct} %)`, '+-2 %'],
      ['most originates in any 1 s window', `${c.cps_max_in_1s_window}`, `<= ${c.cps_target + 1}`],
      [
        `two campaigns at ${c.trunk_campaign_cps} cps on one ${c.trunk_cps} cps trunk: both together`,
        `${c.trunk_measured_cps} cps over ${c.trunk_seconds} s`,
        `${c.trunk_cps}`,
      ],
      [
        '  most originates of both in any sliding 1 s window / calendar second',
        `${c.trunk_max_in_1s_window} / ${c.trunk_max_in_calendar_second}`,
        `<= ${c.trunk_cps}`,
      ],
    ]),
  );
} finally {
  await sim.stop();
}

log('\nRedis work per attempt (scripts/bench/redis-bench.ts: a redis-server of its own, worker processes, DATABASE_URL)');
{
  const { benchRedis, redisBenchOptions, redisTable } = await import('./bench/redis-bench.js');
  const r = await benchRedis(redisBenchOptions(quick));
  figures.redis = r;
  log(table(redisTable(r)));
}

log('\nhistory in PostgreSQL (scripts/bench/history-bench.ts; DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)');
{
  const { benchHistory, historyBenchOptions } = await import('./bench/history-bench.js');
  const h = await benchHistory(historyBenchOptions(quick));
  figures.history = h;
  log(
    table([
      [`attempts archived per second (${h.archived} from the outbox)`, `${h.archive_attempts_per_s}`, '>= 5000'],
      [`Redis bytes per number while running, peak (${h.bytes_numbers} numbers, measured)`, `${h.redis_bytes_per_number_live_max}`, '<= 1500'],
      ['  where (bytes per number)', `${h.redis_live_peak_by_kind}`, ''],
      ['Redis bytes per number, finished and archived (measured)', `${h.redis_bytes_per_number_finished}`, '<= 200'],
      ['Redis for 1M finished numbers (projected from the above)', `${h.redis_1m_numbers_finished_mb_projected} MB`, ''],
      [`search by number, ${h.history_rows} attempts in PostgreSQL (p50)`, `${h.search_by_number_ms_p50} ms`, '< 50 ms'],
      ['campaign list / campaign page (p50)', `${h.campaign_list_ms_p50} / ${h.campaign_page_ms_p50} ms`, '< 200 ms'],
      [`CSV report of ${h.history_rows} attempts (RSS growth ${h.csv_report_rss_growth_mb} MB)`, `${h.csv_report_rows_per_s} rows/s`, '>= 50000'],
    ]),
  );
}

log('\nlists in PostgreSQL behind a hopper (scripts/bench/hopper-bench.ts; DATABASE_URL as above)');
{
  const { benchHopper, hopperBenchOptions } = await import('./bench/hopper-bench.js');
  const o = hopperBenchOptions(quick);
  const h = await benchHopper(o);
  figures.hopper = h;
  log(
    table([
      [`Redis bytes per waiting number, list in Redis (${o.waiting} numbers, nothing dialed)`, `${h.redis_bytes_per_waiting_number_without_pg}`, ''],
      [
        `Redis for the same list in PostgreSQL, hopper of ${h.hopper_jobs} jobs filled`,
        `${h.redis_mb_with_pg} MB (${h.redis_bytes_per_waiting_number_with_pg} B/number)`,
        'flat',
      ],
      [
        'Redis for 10M waiting numbers: in Redis / in PostgreSQL (projected)',
        `${h.redis_mb_10m_numbers_projected_without_pg} / ${h.redis_mb_10m_numbers_projected_with_pg} MB`,
        '<= 64 MB',
      ],
      [`COPY import, end to end (${h.copy_rows} rows; RSS ${h.copy_rss_mb} MB)`, `${h.copy_rows_per_s} rows/s`, '>= 100000'],
    ]),
  );
}

log('\nthe list run (scripts/bench/hopper-run-bench.ts: a redis-server and a database of its own, 2 worker processes, simulator)');
{
  const { benchHopperRun, hopperRunOptions, hopperRunTable } = await import('./bench/hopper-run-bench.js');
  const h = await benchHopperRun(hopperRunOptions(quick));
  figures.hopper_run = h;
  log(table(hopperRunTable(h)));
}

log('\npacing at the far end (scripts/bench/receiver-pacing-bench.ts: 2 worker processes, originates counted on the simulator)');
{
  const { benchReceiverPacing, receiverPacingRates, receiverPacingTable } = await import('./bench/receiver-pacing-bench.js');
  const { rates, secondsEach } = receiverPacingRates(quick);
  const rows = await benchReceiverPacing(rates, secondsEach);
  figures.receiver_pacing = rows;
  log(table(receiverPacingTable(rows)));
}

log('\nCSV import (scripts/bench-csv.ts)');
const csv = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench-csv.ts', '--json', '--rows', quick ? '200000' : '1000000'], { encoding: 'utf8' });
const csvFigures = JSON.parse(csv.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number>;
figures.csv = csvFigures;
log(table(Object.entries(csvFigures).map(([k, v]) => [k, String(v), ''])));

log('\nstart-up of the installed package (scripts/bench-startup.ts: npm pack, install, median of runs)');
const startup = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench-startup.ts', '--json', '--runs', quick ? '5' : '10'], { encoding: 'utf8' });
const startupFigures = JSON.parse(startup.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, number | string>;
figures.startup = startupFigures;
log(
  table([
    ['node -e 0 (the floor)', `${startupFigures.node_floor_ms} ms`, ''],
    ['dial --help, installed', `${startupFigures.dial_help_ms} ms`, '< 300 ms'],
    ['ari-dialer --help, installed', `${startupFigures.ari_dialer_help_ms} ms`, '< 500 ms'],
    [
      'dial --help / ari-dialer --help from source (tsx)',
      `${startupFigures.dial_help_from_source_ms} / ${startupFigures.ari_dialer_help_from_source_ms} ms`,
      '',
    ],
    [
      'files in npm pack (problems)',
      `${startupFigures.pack_files} (${(startupFigures.pack_problems as unknown as string[] | undefined)?.length ?? '?'})`,
      'no tests',
    ],
  ]),
);

if (json) process.stdout.write(`${JSON.stringify(figures)}\n`);

function table(rows: string[][]): string {
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r[0]!.padEnd(w[0]!)}  ${r[1]!.padStart(w[1]!)}  ${r[2] ? `(target ${r[2]})` : ''}`).join('\n');
}
