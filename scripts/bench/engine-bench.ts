import { setMaxListeners } from 'node:events';
import { AriClient } from '../../src/ari/client.js';
import { AriEventStream } from '../../src/ari/event-stream.js';
import { runCall } from '../../src/dialer/call.js';
import type { CallObserver, CallParams } from '../../src/dialer/call-options.js';

export interface EngineFigures {
  calls: number;
  calls_per_s: number;
  continue_p50_ms: number;
  continue_p99_ms: number;
  in_flight_for_latency: number;
  heap_bytes_per_call: number;
  in_flight_for_heap: number;
  errors: number;
}

/** About one call's length at the simulator's bench time scale (ring 50 ms + talk 100 ms). */
const STAGGER_MS = 150;

/** One call's parameters as every bench places it (continue to `default,s,1`). */
export const base = (channelId: string, endpoint: string): CallParams => ({
  channelId,
  endpoint,
  callerId: '1',
  context: 'default',
  extension: 's',
  priority: 1,
  timeoutS: 600,
  graceMs: 5000,
});

/** Calls through ONE ARI connection against a simulator that answers at once (SIP/bench/answer). */
export async function benchEngine(url: string, opts: { calls: number; inFlight: number; heapCalls: number }): Promise<EngineFigures> {
  const ari = new AriClient({ url, user: 'bench', password: 'bench', connections: 16, controlConnections: 8 });
  const events = new AriEventStream({ url, user: 'bench', password: 'bench', app: `bench-${process.pid}` });
  await events.start();
  const latencies: number[] = [];
  let errors = 0;
  const deps = { ari, events, observer: { continued: ({ latencyMs }: { latencyMs: number }) => latencies.push(latencyMs) } };

  // Warm-up, so JIT and connection setup do not count.
  await Promise.all(Array.from({ length: 200 }, (_, i) => runCall(deps, base(`warm-${i}`, 'SIP/bench/answer'))));
  latencies.length = 0;

  let next = 0;
  const t0 = performance.now();
  // Lanes start spread over one call's length: in steady state answers arrive spread out, not 500 in the same
  // millisecond (identical call lengths would otherwise keep the lanes in lockstep for the whole run).
  const lane = async (_: unknown, laneNo: number) => {
    await new Promise((r) => setTimeout(r, (laneNo * STAGGER_MS) / opts.inFlight));
    while (next < opts.calls) {
      const i = next++;
      const r = await runCall(deps, base(`bench-${i}`, 'SIP/bench/answer'));
      if (r.disposition !== 'ANSWERED') errors++;
    }
  };
  await Promise.all(Array.from({ length: opts.inFlight }, lane));
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);

  // Heap per call in flight: calls that ring (never answered) while we measure.
  const gc = (globalThis as { gc?: () => void }).gc;
  // Settle what the throughput phase left (sockets' buffers, timers) before taking the baseline.
  await new Promise((r) => setTimeout(r, 500));
  gc?.();
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const ringing = Array.from({ length: opts.heapCalls }, (_, i) =>
    runCall(deps, { ...base(`heap-${i}`, 'SIP/bench/noanswer'), timeoutS: 86_400, signal: abort.signal }),
  );
  await new Promise((r) => setTimeout(r, 1500));
  gc?.();
  gc?.();
  const during = process.memoryUsage().heapUsed;
  abort.abort();
  await Promise.all(ringing);
  await events.close();
  await ari.close();
  return {
    calls: opts.calls,
    calls_per_s: Math.round(opts.calls / seconds),
    continue_p50_ms: round(percentile(latencies, 0.5)),
    continue_p99_ms: round(percentile(latencies, 0.99)),
    in_flight_for_latency: opts.inFlight,
    heap_bytes_per_call: Math.round((during - before) / opts.heapCalls),
    in_flight_for_heap: opts.heapCalls,
    errors,
  };
}

export const round = (x: number): number => Math.round(x * 100) / 100;

/** The `p` quantile of sorted values (NaN when there are none). */
export const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

/**
 * `inFlight` lanes through one ARI connection, each placing calls one after another for `seconds`, at a realistic
 * pace (the simulator at real time). Lanes start spread over one call's length (`callMs`), as calls in flight are in
 * steady state. `observer` records the latency measured; returns the latencies, sorted.
 */
export async function latencyInFlight(
  url: string,
  o: {
    app: string;
    inFlight: number;
    seconds: number;
    callMs: number;
    call: (channelId: string) => CallParams;
    observer: (latencies: number[]) => CallObserver;
  },
): Promise<number[]> {
  const ari = new AriClient({ url, user: 'bench', password: 'bench' });
  const events = new AriEventStream({ url, user: 'bench', password: 'bench', app: `${o.app}-${process.pid}` });
  await events.start();
  const latencies: number[] = [];
  const deps = { ari, events, observer: o.observer(latencies) };
  const until = performance.now() + o.seconds * 1000;
  let n = 0;
  const lane = async (_: unknown, laneNo: number) => {
    await new Promise((r) => setTimeout(r, (laneNo * o.callMs) / o.inFlight));
    while (performance.now() < until) await runCall(deps, o.call(`${o.app}-${laneNo}-${n++}`));
  };
  await Promise.all(Array.from({ length: o.inFlight }, lane));
  await events.close();
  await ari.close();
  return latencies.sort((a, b) => a - b);
}

export interface LatencyFigures {
  in_flight: number;
  calls: number;
  continue_p50_ms: number;
  continue_p99_ms: number;
}

/**
 * Up → continue latency with many calls in flight at a realistic pace (the simulator at real time: ring 1 s, talk
 * 2 s, so 500 calls in flight make ~170 calls/s). The throughput run saturates the simulator on purpose, and what it
 * measures there is mostly the simulator's queue, not the engine.
 */
export async function benchLatency(url: string, opts: { inFlight: number; seconds: number }): Promise<LatencyFigures> {
  const latencies = await latencyInFlight(url, {
    app: 'latency',
    ...opts,
    callMs: 3000,
    call: (channelId) => base(channelId, 'SIP/bench/answer'),
    observer: (l) => ({ continued: ({ latencyMs }) => l.push(latencyMs) }),
  });
  return {
    in_flight: opts.inFlight,
    calls: latencies.length,
    continue_p50_ms: round(percentile(latencies, 0.5)),
    continue_p99_ms: round(percentile(latencies, 0.99)),
  };
}
