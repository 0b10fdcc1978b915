// `npm run bench [-- --json] [-- --quick]`: the figures the README quotes, measured on this machine.
import { benchEngine } from './bench/engine-bench.js';
import { startSimProcess } from './bench/sim-process.js';

const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const figures: Record<string, unknown> = { node: process.version, cpus: (await import('node:os')).cpus().length };
const log = (s: string) => {
  if (!json) process.stdout.write(`${s}\n`);
};

const sim = await startSimProcess(['--time-scale', '0.05']);
try {
  log('engine: one ARI connection, simulator in its own process, ring 50 ms, talk up to 100 ms');
  const e = await benchEngine(sim.url, { calls: quick ? 2000 : 10_000, inFlight: 500, heapCalls: 2000 });
  figures.engine = e;
  log(table([
    ['calls/s through one ARI connection', `${e.calls_per_s}`, '>= 2000'],
    [`Up+StasisStart -> continue answered, p50 (${e.in_flight_for_latency} in flight)`, `${e.continue_p50_ms} ms`, ''],
    [`Up+StasisStart -> continue answered, p99 (${e.in_flight_for_latency} in flight)`, `${e.continue_p99_ms} ms`, '< 5 ms'],
    [`heap per call in flight (${e.in_flight_for_heap} ringing)`, `${e.heap_bytes_per_call} B`, '< 5 KB'],
    ['calls not answered (should be 0)', `${e.errors}`, '0'],
  ]));
} finally {
  await sim.stop();
}

if (json) process.stdout.write(`${JSON.stringify(figures)}\n`);

function table(rows: string[][]): string {
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r[0]!.padEnd(w[0]!)}  ${r[1]!.padStart(w[1]!)}  ${r[2] ? `(target ${r[2]})` : ''}`).join('\n');
}
