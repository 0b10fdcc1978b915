import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dialingOnly, GO, holdBack, JITTER_MS, passGates, type Gate } from '../../../src/campaign/attempt/gate.js';
import { campaignEndGate, cancelledGate, endpointGate, scheduleGate, stillWantedGate, windowGate } from '../../../src/campaign/attempt/gates/index.js';
import { parseCallingWindow } from '../../../src/policy/calling-window.js';
import { AttemptRig, waitMs } from './attempt-rig.js';

let rig: AttemptRig;
beforeEach(() => {
  rig = new AttemptRig('policy-gates');
});
afterEach(() => rig.close());

const START = '2026-12-01T08:00:00Z';
const END = '2026-12-01T16:00:00Z';

describe('running the gates', () => {
  it('stops at the first gate that does not say go; later gates do not run', async () => {
    const a = rig.attempt(await rig.campaign());
    const ran: string[] = [];
    const gate =
      (name: string, outcome = GO): Gate =>
      () => (ran.push(name), outcome);
    expect(await passGates(a, [gate('a'), gate('b', { kind: 'wait', ms: 5, why: 'b' }), gate('c')])).toEqual({ kind: 'wait', ms: 5, why: 'b' });
    expect(ran).toEqual(['a', 'b']);
    expect(await passGates(a, [gate('d'), gate('e')])).toBeUndefined();
  });

  it('a dialing-only gate lets a re-run (following a previous run’s channel) by', async () => {
    const a = rig.attempt(await rig.campaign());
    const stops: Gate = () => ({ kind: 'end', as: 'cancelled' });
    expect(await dialingOnly(stops)(a)).toEqual({ kind: 'end', as: 'cancelled' });
    a.previous = { channelId: a.channelId, number: '4930123', attempt: 1, since: new Date().toISOString(), worker: 'w0' };
    expect(await dialingOnly(stops)(a)).toEqual(GO);
  });

  it('a hold-back waits at least 100 ms, plus less than the jitter', async () => {
    const a = rig.attempt(await rig.campaign());
    for (const ms of [0, 100, 2000]) {
      const w = waitMs(holdBack(a, 'x', ms));
      expect(w).toBeGreaterThanOrEqual(Math.max(100, ms));
      expect(w).toBeLessThan(Math.max(100, ms) + JITTER_MS);
    }
  });
});

describe('cancelledGate', () => {
  it('ends the attempt CANCELLED in a cancelled campaign, lets it go otherwise', async () => {
    expect(await cancelledGate(rig.attempt(await rig.campaign({}, 'cancelled')))).toEqual({ kind: 'end', as: 'cancelled' });
    expect(await cancelledGate(rig.attempt(await rig.campaign({}, 'running')))).toEqual(GO);
  });
});

describe('scheduleGate', () => {
  it('before the start: waits exactly until it, and notes why', async () => {
    const now = Date.parse(START) - 60_000;
    const meta = await rig.campaign({ startAt: START, endAt: END });
    const out = await scheduleGate({ latest: (id) => rig.store.get(id), holds: rig.holds })(rig.attempt(meta, { now }));
    expect(out).toEqual({ kind: 'wait', ms: 60_000, why: `the campaign starts at ${START}` });
    expect(await rig.noted('schedule', now)).toBe(`starts at ${START}`);
  });

  it('reads the start afresh before waiting: a start moved earlier meanwhile lets the attempt go', async () => {
    const now = Date.parse(START) - 60_000;
    const cached = await rig.campaign({ startAt: START });
    await rig.store.updateSettings('c1', { ...cached.settings, startAt: '2026-12-01T07:00:00Z' });
    expect(await scheduleGate({ latest: (id) => rig.store.get(id), holds: rig.holds })(rig.attempt(cached, { now }))).toEqual(GO);
  });

  it('past the end: ends the number CANCELLED with the end in its message ("again" for a retry)', async () => {
    const meta = await rig.campaign({ endAt: END });
    const gate = scheduleGate({ latest: (id) => rig.store.get(id), holds: rig.holds });
    const now = Date.parse(END);
    expect(await gate(rig.attempt(meta, { now }))).toEqual({ kind: 'end', as: 'cancelled', message: `campaign ended at ${END} before this number was dialed` });
    expect(await gate(rig.attempt(meta, { now, data: { attempt: 2 } }))).toEqual({
      kind: 'end',
      as: 'cancelled',
      message: `campaign ended at ${END} before this number was dialed again`,
    });
    expect(await gate(rig.attempt(meta, { now: now - 1 }))).toEqual(GO);
  });

  it('campaignEndGate: the last check before the originate ends an attempt whose wait ran past the end', async () => {
    const meta = await rig.campaign({ endAt: END });
    expect(await campaignEndGate(rig.attempt(meta, { now: Date.parse(END) + 5 }))).toMatchObject({ kind: 'end', as: 'cancelled' });
    expect(await campaignEndGate(rig.attempt(meta, { now: Date.parse(END) - 5 }))).toEqual(GO);
  });
});

describe('windowGate', () => {
  const window = parseCallingWindow('mon-fri 09:00-17:00 Europe/Berlin');
  // Saturday 2026-12-05 10:00 in Berlin; the window opens Monday 09:00 Berlin (08:00 UTC).
  const saturday = Date.parse('2026-12-05T09:00:00Z');

  it('outside the window: waits until it opens and notes the window', async () => {
    const meta = await rig.campaign({ window });
    expect(waitMs(await windowGate({ holds: rig.holds })(rig.attempt(meta, { now: saturday })))).toBe(Date.parse('2026-12-07T08:00:00Z') - saturday);
    expect(await rig.noted('window', saturday)).toBe('outside the calling window mon-fri 09:00-17:00 Europe/Berlin');
  });

  it('in the callee’s own zone when the row has one; inside the window it goes', async () => {
    const meta = await rig.campaign({ window });
    const tuesdayNoonUtc = Date.parse('2026-12-08T12:00:00Z');
    expect(await windowGate({ holds: rig.holds })(rig.attempt(meta, { now: tuesdayNoonUtc }))).toEqual(GO);
    // 12:00 UTC is 21:00 in Tokyo: closed there until 09:00 Tokyo (00:00 UTC).
    const out = await windowGate({ holds: rig.holds })(rig.attempt(meta, { now: tuesdayNoonUtc, data: { timezone: 'Asia/Tokyo' } }));
    expect(waitMs(out)).toBe(12 * 3600_000);
    expect(await rig.noted('window', tuesdayNoonUtc)).toContain('(callee in Asia/Tokyo)');
  });

  it('waits at least 1 s even when the window opens sooner', async () => {
    const meta = await rig.campaign({ window });
    const justBefore = Date.parse('2026-12-07T08:00:00Z') - 200;
    expect(waitMs(await windowGate({ holds: rig.holds })(rig.attempt(meta, { now: justBefore })))).toBe(1000);
  });
});

describe('endpointGate', () => {
  const trunks = [{ name: 'pstn', match: 'PJSIP/*@pstn', cps: 5 }];

  it('renders the endpoint from the row and finds its trunk', async () => {
    const a = rig.attempt(await rig.campaign({ endpoint: 'PJSIP/{number}@pstn' }));
    expect(await endpointGate({ trunks })(a)).toEqual(GO);
    expect(a.endpoint).toBe('PJSIP/4930123@pstn');
    expect(a.trunk?.name).toBe('pstn');
  });

  it('a row the template cannot be filled from fails for good, naming what is missing', async () => {
    const a = rig.attempt(await rig.campaign({ endpoint: 'PJSIP/{number}@{site}' }));
    const out = await endpointGate({ trunks })(a);
    expect(out).toMatchObject({ kind: 'end', as: 'failed' });
    expect(out.kind === 'end' && out.message).toMatch(/site/);
  });
});

describe('stillWantedGate', () => {
  const gate = stillWantedGate({ campaign: async (id) => (await rig.store.get(id))! });

  it('a cancel, a pause or the end that came while the attempt waited for its slot stops it', async () => {
    const meta = await rig.campaign({ endAt: END });
    const a = rig.attempt(meta, { now: Date.parse(START) });
    expect(await gate(a)).toEqual(GO);
    await rig.store.pauseIfLive('c1');
    expect(await gate(a)).toEqual({ kind: 'wait', ms: 500, why: 'the campaign is paused' });
    expect(await gate(rig.attempt(meta, { now: Date.parse(END) }))).toMatchObject({ kind: 'end', as: 'cancelled', message: expect.stringContaining(END) });
    await rig.store.setState('c1', 'cancelled');
    expect(await gate(a)).toEqual({ kind: 'end', as: 'cancelled' });
  });

  it('a worker that stopped dialing puts the attempt back', async () => {
    const stop = new AbortController();
    const a = rig.attempt(await rig.campaign(), { stopDialing: stop.signal });
    expect(await gate(a)).toEqual(GO);
    stop.abort();
    expect(await gate(a)).toEqual({ kind: 'wait', ms: 500, why: 'the worker stopped dialing' });
  });
});
