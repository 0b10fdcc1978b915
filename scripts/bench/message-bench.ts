import { setMaxListeners } from 'node:events';
import { AriClient } from '../../src/ari/client.js';
import { AriEventStream } from '../../src/ari/event-stream.js';
import type { AriEvent } from '../../src/ari/types.generated.js';
import { runCall } from '../../src/dialer/call.js';
import { parseMessageOptions } from '../../src/dialer/message/message-options.js';
import { initialCallState, transition, type CallState } from '../../src/dialer/transitions.js';
import { base, latencyInFlight, percentile, round } from './engine-bench.js';

/** The press-1 message the benches use: a 3 s sound (the simulator's default length), 1 continues, 9 opts out. */
export const BENCH_MESSAGE = parseMessageOptions({ media: 'sound:bench-promo', press: ['1=default,s,1', '9=optout'], pressWaitS: 1 })!;

export interface EventCostFigures {
  /** ns per ChannelDtmfReceived through the state table during the message (barge-in: stop + continue decided). */
  dtmf_ns: number;
  /** ns per ChannelVarset of a captured variable. */
  varset_ns: number;
  /** ns per ChannelVarset of a variable nobody captures (RTP statistics, STASISSTATUS...). */
  varset_ignored_ns: number;
  /** Heap of one call's state once its message runs (state table + message run), bytes. */
  message_state_bytes: number;
}

/** The state table's own cost per event after the answer, without I/O (the engine's share of the key-to-action time). */
export function benchEventCost(n = 200_000): EventCostFigures {
  const channel = { id: 'c1', name: 'SIP/x-1', state: 'Up' } as unknown;
  const up = { type: 'StasisStart', args: [], channel } as unknown as AriEvent;
  const capture = new Set(['SURVEY_ANSWER']);
  const answered = (): CallState => {
    const s = initialCallState(undefined, { capture, message: BENCH_MESSAGE });
    transition(s, up, 0, 'c1');
    return s;
  };
  const dtmf = { type: 'ChannelDtmfReceived', digit: '1', duration_ms: 100, channel } as unknown as AriEvent;
  const varset = { type: 'ChannelVarset', variable: 'SURVEY_ANSWER', value: '1', channel } as unknown as AriEvent;
  const other = { type: 'ChannelVarset', variable: 'RTPAUDIOQOS', value: 'ssrc=1;themssrc=0', channel } as unknown as AriEvent;
  const states = Array.from({ length: 1000 }, answered);
  const time = (ev: AriEvent, fresh: boolean): number => {
    const pool = fresh ? Array.from({ length: n }, answered) : states;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) transition(pool[i % pool.length]!, ev, i, 'c1');
    return Number(process.hrtime.bigint() - t0) / n;
  };
  time(varset, false); // warm-up
  const dtmf_ns = time(dtmf, true);
  const varset_ns = time(varset, false);
  const varset_ignored_ns = time(other, false);

  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const kept = Array.from({ length: 20_000 }, answered);
  gc?.();
  const after = process.memoryUsage().heapUsed;
  const message_state_bytes = Math.round((after - before) / kept.length);
  return { dtmf_ns: round(dtmf_ns), varset_ns: round(varset_ns), varset_ignored_ns: round(varset_ignored_ns), message_state_bytes };
}

export interface KeyActionFigures {
  in_flight: number;
  keys: number;
  key_to_action_p50_ms: number;
  key_to_action_p99_ms: number;
}

/**
 * Key to action at a realistic pace: the simulator at real time, press-1 callees (`SIP/bench/press1`: ring 1 s, key
 * 1.5 s after the answer, during the 3 s message), `inFlight` calls at once. Measured from the ChannelDtmfReceived
 * to the stop of the playback and the continue both answered by Asterisk.
 */
export async function benchKeyAction(url: string, opts: { inFlight: number; seconds: number }): Promise<KeyActionFigures> {
  const latencies = await latencyInFlight(url, {
    app: 'key',
    ...opts,
    callMs: 4000,
    call: (channelId) => ({ ...base(channelId, 'SIP/bench/press1'), message: BENCH_MESSAGE }),
    observer: (l) => ({ keyAction: ({ latencyMs }) => l.push(latencyMs) }),
  });
  return {
    in_flight: opts.inFlight,
    keys: latencies.length,
    key_to_action_p50_ms: round(percentile(latencies, 0.5)),
    key_to_action_p99_ms: round(percentile(latencies, 0.99)),
  };
}

export interface PacedFigures {
  cps_target: number;
  calls: number;
  attempts_per_s_plain: number;
  attempts_per_s_press1: number;
  /** (press-1 − plain) / plain, %. */
  difference_pct: number;
  errors: number;
  heap_bytes_per_call_press1_ringing: number;
}

/**
 * The same paced run twice through one ARI connection, at `cps` originates per second: plain calls (answer, continue),
 * then press-1 calls (answer, message, key 1, stop and continue). Attempts/s counts calls ended over the run, from the
 * first originate to the last end.
 */
export async function benchPaced(url: string, opts: { cps: number; calls: number; heapCalls: number }): Promise<PacedFigures> {
  const ari = new AriClient({ url, user: 'bench', password: 'bench', connections: 16, controlConnections: 8 });
  const events = new AriEventStream({ url, user: 'bench', password: 'bench', app: `paced-${process.pid}` });
  await events.start();
  let errors = 0;
  const run = async (endpoint: string, message: boolean, tag: string): Promise<number> => {
    const t0 = performance.now();
    const calls: Array<Promise<unknown>> = [];
    for (let i = 0; i < opts.calls; i++) {
      const due = t0 + (i * 1000) / opts.cps;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      calls.push(
        runCall({ ari, events }, { ...base(`${tag}-${i}`, endpoint), ...(message ? { message: BENCH_MESSAGE } : {}) }).then((r) => {
          if (r.disposition !== 'ANSWERED' || (message && r.flow !== 'pressed')) errors++;
        }),
      );
    }
    await Promise.all(calls);
    return opts.calls / ((performance.now() - t0) / 1000);
  };
  await run('SIP/bench/answer', false, 'pwarm');
  const plain = await run('SIP/bench/answer', false, 'plain');
  const press1 = await run('SIP/bench/press1', true, 'press1');

  const gc = (globalThis as { gc?: () => void }).gc;
  await new Promise((r) => setTimeout(r, 500));
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const abort = new AbortController();
  setMaxListeners(0, abort.signal);
  const ringing = Array.from({ length: opts.heapCalls }, (_, i) =>
    runCall(
      { ari, events },
      { ...base(`pheap-${i}`, 'SIP/bench/noanswer'), timeoutS: 86_400, signal: abort.signal, message: BENCH_MESSAGE, capture: ['SURVEY_ANSWER'] },
    ),
  );
  await new Promise((r) => setTimeout(r, 1500));
  gc?.();
  const during = process.memoryUsage().heapUsed;
  abort.abort();
  await Promise.all(ringing);
  await events.close();
  await ari.close();
  return {
    cps_target: opts.cps,
    calls: opts.calls,
    attempts_per_s_plain: Math.round(plain),
    attempts_per_s_press1: Math.round(press1),
    difference_pct: round(((press1 - plain) / plain) * 100),
    errors,
    heap_bytes_per_call_press1_ringing: Math.round((during - before) / opts.heapCalls),
  };
}
