import { check, type DoctorCheck } from './doctor-check.js';
import type { RawAnswer } from './raw-ari-get.js';

/** An ARI event's timestamp next to the local time it arrived. */
export interface ClockSample {
  asteriskMs: number;
  localMs: number;
}

/** Call times in results come from this machine's clock; Asterisk's CDRs and logs from its own. */
export const MAX_SKEW_MS = 1000;

const FIX = 'run NTP on both machines (chrony or systemd-timesyncd; "timedatectl" shows whether the clock is synchronized)';
const TITLE = 'Clock skew with Asterisk';

/**
 * Asterisk's clock against ours. `GET /asterisk/ping` carries Asterisk's time to the millisecond: the skew is that
 * time minus the middle of our request, known to within half the round trip. Without it (older Asterisk), event
 * timestamps (from `--probe`) give a bound: an event is stamped before it arrives, so `stamp - arrival` is at most
 * the skew.
 */
export function clockCheck(ping: RawAnswer, events: readonly ClockSample[]): DoctorCheck {
  const ts = ping.kind === 'answer' && ping.status === 200 ? (ping.json as { timestamp?: unknown } | undefined)?.timestamp : undefined;
  if (ping.kind === 'answer' && typeof ts === 'string' && !Number.isNaN(Date.parse(ts))) {
    const skew = Date.parse(ts) - (ping.sentAt + ping.receivedAt) / 2;
    const margin = (ping.receivedAt - ping.sentAt) / 2;
    return verdict(skew, margin, 'from /asterisk/ping');
  }
  const samples = events.filter((e) => !Number.isNaN(e.asteriskMs));
  if (samples.length) {
    // stamp - arrival = skew - transit, and transit >= 0: the largest difference is the closest to the skew.
    const skew = Math.max(...samples.map((e) => e.asteriskMs - e.localMs));
    return verdict(skew, 0, `from ${samples.length} event timestamp${samples.length === 1 ? '' : 's'}`);
  }
  return check(
    'ari.clock',
    TITLE,
    'skip',
    'not measured: this Asterisk has no /asterisk/ping and no events arrived (run with --probe to measure from event timestamps)',
  );
}

function verdict(skewMs: number, marginMs: number, how: string): DoctorCheck {
  const s = (ms: number) => `${(Math.abs(ms) / 1000).toFixed(Math.abs(ms) < 1000 ? 3 : 1)} s`;
  const side = skewMs > 0 ? 'ahead of' : 'behind';
  if (Math.abs(skewMs) - marginMs > MAX_SKEW_MS) {
    return check('ari.clock', TITLE, 'fail', `Asterisk's clock is ${s(skewMs)} ${side} this machine's (${how})`, FIX);
  }
  return check('ari.clock', TITLE, 'pass', `within ${s(Math.abs(skewMs) + marginMs)} (${how})`);
}
