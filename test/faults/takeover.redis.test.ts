import { describe, expect, it } from 'vitest';
import type { SimRule } from '../../src/sim/index.js';
import { BUSY_CAMPAIGN, numbersFor, report, Rig } from './harness.js';

/** Short calls (~1.3 s), as in the measurement: most end before a stalled-job check would look. */
const SHORT_CALLS: SimRule[] = [
  { match: /[0-5]$/, outcome: 'answer', ringMs: 300, talkMs: 1000 },
  { match: /6$/, outcome: 'busy', ringMs: 300 },
  { match: /8$/, outcome: 'congestion', ringMs: 300 },
  { match: /9$/, outcome: 'rejected', ringMs: 300 },
];
/** Calls far longer than the time to notice a dead worker. */
const LONG_TALK: SimRule[] = [
  { match: /[0-5]$/, outcome: 'answer', ringMs: 1500, talkMs: 12_000 },
  { match: /[6-9]$/, outcome: 'answer', ringMs: 5000, talkMs: 12_000 },
];

/** BullMQ's stalled check as slow relative to the calls as its 30 s default is to real calls; heartbeats at 3 s. */
const SLOW_STALL = ['--lock-ms', '8000', '--stalled-ms', '4000'];
/** INTERRUPTED (answered after its worker died: Asterisk hung up) is retried; quickly here, to finish in the test. */
const RETRY = `${BUSY_CAMPAIGN.retry},interrupted=1@300ms`;
const VARIANT = process.env.TAKEOVER_VARIANT ?? 'witness';
const variantArgs = VARIANT === 'none' ? ['--heartbeat-ttl-ms', '600000', '--no-witness'] : VARIANT === 'heartbeat' ? ['--no-witness'] : [];

async function killOne(rig: Rig, numbers: string[], settings: Record<string, unknown>, name: string) {
  const doomed = await rig.spawnWorker('child', [...SLOW_STALL, ...variantArgs, '--app', `${name}-doomed`]);
  const survivor = await rig.spawnWorker('child', [...SLOW_STALL, ...variantArgs, '--app', `${name}-survivor`]);
  const id = await rig.campaign(name, numbers, settings);
  await new Promise<void>((resolve) => {
    const t = setInterval(() => {
      if (rig.sim.stats.originates >= numbers.length * 0.4) {
        clearInterval(t);
        resolve();
      }
    }, 5);
  });
  const { signal } = await doomed.kill('SIGKILL');
  expect(signal).toBe('SIGKILL');
  await rig.finished(id, 40_000).catch(async (err) => {
    const a = await rig.audit(id, numbers);
    process.stderr.write(
      `${name} stuck: ${JSON.stringify({ ...a, lostNumbers: a.lostNumbers.length, counters: (await rig.svc.status(id)).counters, inflight: await rig.svc.store.inflight(id) }).slice(0, 3000)}\n${survivor
        .stderr()
        .split('\n')
        .filter((l) => /warn|error|takeover|died/i.test(l))
        .slice(-15)
        .join('\n')}\n`,
    );
    throw err;
  });
  const a = await rig.expectClean(id, numbers);
  const bySource: Record<string, number> = {};
  const unknownWhy: Record<string, number> = {};
  for await (const r of rig.svc.attempts(id)) {
    if (r.source) bySource[r.source] = (bySource[r.source] ?? 0) + 1;
    if (r.disposition === 'UNKNOWN') {
      const k = `${r.source ?? 'job'} ${r.last_state ?? '?'}: ${(r.reason ?? '').slice(0, 60)}`;
      unknownWhy[k] = (unknownWhy[k] ?? 0) + 1;
    }
  }
  const unknown = a.byDisposition.UNKNOWN ?? 0;
  report(`${name} (${VARIANT})`, a, { unknown, interrupted: a.attemptsByDisposition.INTERRUPTED ?? 0, bySource, unknownWhy });
  expect(survivor.child.exitCode).toBeNull();
  return { a, unknown };
}

describe('fault: a worker is SIGKILLed; a live worker on the same Asterisk takes its calls over within seconds', () => {
  it('short calls (~1.3 s, 100 cps): at most 1 % of the numbers end UNKNOWN', async () => {
    const rig = await Rig.start('takeover-short', { rules: SHORT_CALLS });
    try {
      const numbers = numbersFor(1000, 120);
      const { unknown } = await killOne(rig, numbers, { ...BUSY_CAMPAIGN, retry: RETRY, cps: 100, maxConcurrent: 200 }, 'takeover-short');
      if (VARIANT === 'witness') expect(unknown).toBeLessThanOrEqual(numbers.length * 0.01);
    } finally {
      await rig.close();
    }
  }, 60_000);

  // Goal 0. Measured 0-8 of 300 while a worker's first calls went out before its first heartbeat saw a peer (no
  // witness), 0 since they look the peers up at once. One is allowed: a worker killed between its in-flight mark
  // and the originate leaves an attempt nobody can know (Asterisk answers 404 for "never created" and "ended").
  it('long calls (12 s of talk after the answer): at most one of 300 ends UNKNOWN', async () => {
    // The dialplan a call is continued to runs 12 s too, so the call lasts as long as the callee talks.
    const rig = await Rig.start('takeover-long', { rules: LONG_TALK, dialplanMs: 12_000 });
    try {
      const numbers = numbersFor(300, 121);
      const { unknown } = await killOne(rig, numbers, { ...BUSY_CAMPAIGN, retry: RETRY, cps: 50, maxConcurrent: 300, timeoutS: 10 }, 'takeover-long');
      if (VARIANT === 'witness') expect(unknown).toBeLessThanOrEqual(1);
    } finally {
      await rig.close();
    }
  }, 60_000);
});
