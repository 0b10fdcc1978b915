import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AriClient } from '../../../src/ari/client.js';
import { AriEventStream } from '../../../src/ari/event-stream.js';
import { GO } from '../../../src/campaign/attempt/gate.js';
import { admissionGate, asteriskGate, breakerGate } from '../../../src/campaign/attempt/gates/index.js';
import { AsteriskHealth } from '../../../src/campaign/health/asterisk-health.js';
import { CampaignBreakers } from '../../../src/campaign/health/campaign-breakers.js';
import { AriSim } from '../../../src/sim/index.js';
import { waitUntil } from '../../helpers/redis-test.js';
import { AttemptRig, waitMs } from './attempt-rig.js';

let sim: AriSim;
let ari: AriClient;
let events: AriEventStream;
let rig: AttemptRig;
let health: AsteriskHealth;
let breakers: CampaignBreakers;

beforeAll(async () => {
  sim = await AriSim.start({ users: { dialer: 'pw' }, timeScale: 0.01 });
  ari = new AriClient({ url: sim.url, user: 'dialer', password: 'pw' });
  events = new AriEventStream({ url: sim.url, user: 'dialer', password: 'pw', app: 'gates-test' });
  await events.start();
});
afterAll(async () => {
  await events.close();
  await ari.close();
  await sim.stop();
});
beforeEach(() => {
  rig = new AttemptRig('health-gates');
  health = new AsteriskHealth({ ari, events, probeDelayMs: 50 });
  breakers = new CampaignBreakers({ ari, health, breaker: { threshold: 1, probeDelayMs: 50 }, onPause: async () => undefined });
});
afterEach(async () => {
  sim.faults.clear();
  breakers.close();
  health.close();
  await rig.close();
});

const originateFailed = { kind: 'ours' as const, reason: '500 Allocation failed' };

describe('asteriskGate', () => {
  it('lets attempts go while Asterisk answers; holds them back (noted) once it looks down', async () => {
    const a = rig.attempt(await rig.campaign());
    const gate = asteriskGate({ health, holds: rig.holds });
    expect(await gate(a)).toEqual(GO);
    sim.faults.failRest(503, { match: /asterisk\/info/ });
    health.reportDown('503 Asterisk not booted');
    expect(waitMs(await gate(a))).toBeGreaterThanOrEqual(50);
    expect(await rig.noted('asterisk')).toBe('Asterisk down (503 Asterisk not booted)');
  });
});

describe('breakerGate and admissionGate', () => {
  it('an open breaker holds the campaign’s attempts back until its probe; then one trial call is admitted', async () => {
    const meta = await rig.campaign();
    const a = rig.attempt(meta);
    expect(await breakerGate({ breakers })(a)).toEqual(GO);
    expect(await admissionGate({ health, breakers })(a)).toEqual(GO);
    expect(a.admission).toBe('go');

    breakers.record('c1', originateFailed, false, 'PJSIP/x@pstn');
    expect(breakers.state('c1')).toBe('open');
    expect(await breakerGate({ breakers })(rig.attempt(meta))).toMatchObject({ kind: 'wait', why: 'circuit breaker open' });
    expect(await admissionGate({ health, breakers })(rig.attempt(meta))).toMatchObject({ kind: 'wait', why: 'circuit breaker open' });

    // The probe finds Asterisk answering: half open, one trial goes, the next waits for its verdict.
    await waitUntil('the breaker half open', () => breakers.state('c1') === 'half-open', 5000, 10);
    const trial = rig.attempt(meta);
    expect(await breakerGate({ breakers })(trial)).toEqual(GO);
    expect(await admissionGate({ health, breakers })(trial)).toEqual(GO);
    expect(trial.admission).toBe('trial');
    const next = rig.attempt(meta, { data: { number: '4930999' } });
    expect(await admissionGate({ health, breakers })(next)).toMatchObject({ kind: 'wait', why: 'circuit breaker open' });
    expect(next.admission).toBe('no');
  });

  it('admission: Asterisk gone away since the first gates holds the attempt back with Asterisk’s reason', async () => {
    const a = rig.attempt(await rig.campaign());
    sim.faults.failRest(503, { match: /asterisk\/info/ });
    health.reportDown('socket closed');
    expect(await admissionGate({ health, breakers })(a)).toMatchObject({ kind: 'wait', why: 'Asterisk down (socket closed)' });
    expect(a.admission).toBe('no');
  });
});
