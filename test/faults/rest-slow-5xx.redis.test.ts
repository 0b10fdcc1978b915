import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttemptRecord } from '../../src/report/summarize.js';
import { BUSY_CAMPAIGN, LONG_CALLS, numbersFor, report, Rig } from './harness.js';

let rig: Rig;
beforeAll(async () => {
  // Answered callees stay on the line 30 s unless our dialplan (1 s after continue) or we hang up: a call our
  // app forgot would show as a 30 s talk.
  const rules = LONG_CALLS.map((r) => (r.outcome === 'answer' ? { ...r, talkMs: 30_000 } : r));
  rig = await Rig.start('rest-faults', { rules });
});
afterAll(() => rig.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fault: ARI REST turns slow (2 s), then answers 5xx for a while', () => {
  it('sends the refused originates again once ARI answers (no attempt recorded for them), leaves no job stuck and no callee in silence', async () => {
    const restErrors: Array<{ status: number; method: string; path: string }> = [];
    await rig.worker({ observer: { restError: (e) => restErrors.push(e) } });
    const numbers = numbersFor(300, 105);
    const id = await rig.campaign('rest-faults', numbers, { ...BUSY_CAMPAIGN, retry: `${BUSY_CAMPAIGN.retry},error=5@1s` });
    await rig.inFlight(100);
    rig.sim.faults.setRestDelay(2000);
    await sleep(3000);
    rig.sim.faults.setRestDelay(0);
    rig.sim.faults.failRest(503);
    await sleep(2000);
    rig.sim.faults.clear();
    await rig.finished(id, 60_000);
    const a = await rig.expectClean(id, numbers);
    report('rest-slow-5xx', a, { restErrors: restErrors.length });

    const attempts: AttemptRecord[] = [];
    for await (const r of rig.svc.attempts(id)) attempts.push(r);
    const failedOriginates = restErrors.filter((e) => e.method === 'POST' && /^\/channels\/[^/]+$/.test(e.path));
    // The 503s hit originates, and Asterisk took none of them: no phone rang, so none is an attempt. Before the
    // breaker each was an ERROR attempt (and without `error=` in the policy, a number burned).
    expect(failedOriginates.length).toBeGreaterThan(10);
    expect(attempts.filter((r) => r.disposition === 'ERROR')).toEqual([]);
    expect(a.phantomResults).toEqual([]);
    expect(a.byDisposition.ERROR ?? 0).toBe(0);
    // No answered callee was left listening to silence: our app continued or hung up every answered call.
    const longest = Math.max(...attempts.map((r) => r.talk_s));
    expect(longest).toBeLessThan(15);
  }, 90_000);
});
