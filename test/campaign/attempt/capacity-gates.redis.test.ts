import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GO } from '../../../src/campaign/attempt/gate.js';
import { channelCapGate, inFlightGate, pacingGate, reRunGate, spacingGate, trunkLeaseGate } from '../../../src/campaign/attempt/gates/index.js';
import { ChannelLeases } from '../../../src/campaign/pacing/channel-leases.js';
import { Pacer } from '../../../src/campaign/pacing/pacer.js';
import { Semaphore } from '../../../src/campaign/pacing/semaphore.js';
import { AttemptRig } from './attempt-rig.js';

let rig: AttemptRig;
beforeEach(() => {
  rig = new AttemptRig('capacity-gates');
});
afterEach(() => rig.close());

const trunk = { name: 'pstn', match: 'PJSIP/*@pstn', maxChannels: 1, cps: 5 };

describe('channelCapGate', () => {
  it('holds one of the worker’s channels until the attempt leaves', async () => {
    const cap = new Semaphore(1);
    const meta = await rig.campaign();
    const first = rig.attempt(meta);
    expect(await channelCapGate({ cap })(first)).toEqual(GO);
    expect(cap.used).toBe(1);
    let secondIn = false;
    const second = rig.attempt(meta, { data: { number: '4930999' } });
    const passing = Promise.resolve(channelCapGate({ cap })(second)).then(() => (secondIn = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(secondIn).toBe(false);
    await first.exit();
    await passing;
    expect(secondIn).toBe(true);
    await second.exit();
    expect(cap.used).toBe(0);
  });
});

describe('reRunGate and inFlightGate', () => {
  it('the mark written before the originate tells a re-run to follow the call, not dial again', async () => {
    const meta = await rig.campaign();
    const probe = rig.attempt(meta);
    const first = rig.attempt(meta, { markFound: (await rig.store.attemptFound('c1', probe.channelId)).mark });
    expect(await reRunGate(first)).toEqual(GO);
    expect(first.dialing).toBe(true);
    expect(await inFlightGate({ store: rig.store, workerName: 'w1' })(first)).toEqual(GO);
    expect(await rig.store.inflightCall('c1', first.channelId)).toMatchObject({ number: '4930123', attempt: 1, worker: 'w1', state: 'dialing' });

    // The worker died here. The job's next run is the same attempt: same channel id, so it finds the mark.
    const found = await rig.store.attemptFound('c1', first.channelId);
    expect(found.stored).toBeUndefined();
    const rerun = rig.attempt(meta, { markFound: found.mark });
    expect(rerun.channelId).toBe(first.channelId);
    await reRunGate(rerun);
    expect(rerun.dialing).toBe(false);
    expect(rerun.previous?.worker).toBe('w1');
  });

  it('a result stored meanwhile (a takeover settled the call) is found instead of the mark: the job does not dial', async () => {
    const meta = await rig.campaign();
    const a = rig.attempt(meta);
    await inFlightGate({ store: rig.store, workerName: 'w1' })(a);
    const rec = {
      campaignId: 'c1',
      channel_id: a.channelId,
      number: '4930123',
      row: 2,
      attempt: 1,
      disposition: 'ANSWERED',
      final: true,
      created_at: new Date().toISOString(),
      ended_at: new Date().toISOString(),
    };
    expect(await rig.store.recordAttempt(rec as never)).toBe(true);
    const found = await rig.store.attemptFound('c1', a.channelId);
    expect(found.stored?.disposition).toBe('ANSWERED');
    expect(found.mark).toBeUndefined();
  });

  it('a gate that stops the attempt after the mark clears it (nothing was sent)', async () => {
    const a = rig.attempt(await rig.campaign());
    await inFlightGate({ store: rig.store, workerName: 'w1' })(a);
    await a.undo();
    expect(await rig.store.inflightCall('c1', a.channelId)).toBeUndefined();
  });
});

describe('trunkLeaseGate', () => {
  const leases = () => new ChannelLeases(rig.redis, { pollMs: 10 });

  it('takes one of the trunk’s channels and gives it back when the attempt leaves; a waiter notes the trunk', async () => {
    const meta = await rig.campaign();
    const gate = trunkLeaseGate({ leases: leases(), keys: rig.keys, holds: rig.holds });
    const first = Object.assign(rig.attempt(meta), { trunk });
    expect(await gate(first)).toEqual(GO);
    expect(await leases().count(rig.keys.trunkChannels('pstn'))).toBe(1);
    const second = Object.assign(rig.attempt(meta, { data: { number: '4930999' } }), { trunk });
    const passing = gate(second);
    await new Promise((r) => setTimeout(r, 60));
    await first.exit();
    expect(await passing).toEqual(GO);
    expect(await rig.noted('trunk-channels')).toBe('trunk pstn at its 1 channels');
    await second.exit();
    expect(await leases().count(rig.keys.trunkChannels('pstn'))).toBe(0);
  });

  it('a wait cut short by the worker stopping puts the attempt back; by the campaign’s end, ends it', async () => {
    const gate = trunkLeaseGate({ leases: leases(), keys: rig.keys, holds: rig.holds });
    const holder = Object.assign(rig.attempt(await rig.campaign()), { trunk });
    await gate(holder);

    const stop = new AbortController();
    const stopped = Object.assign(rig.attempt(await rig.campaign(), { stopDialing: stop.signal, data: { number: '4930999' } }), { trunk });
    setTimeout(() => stop.abort(), 50);
    expect(await gate(stopped)).toEqual({ kind: 'wait', ms: 500, why: 'the worker stopped dialing' });
    await stopped.exit();

    const endAt = new Date(Date.now() + 100).toISOString();
    const ending = Object.assign(rig.attempt(await rig.campaign({ endAt }), { data: { number: '4930888' } }), { trunk });
    expect(await gate(ending)).toMatchObject({ kind: 'end', as: 'cancelled', message: `campaign ended at ${endAt} before this number was dialed` });
    await ending.exit();
    await holder.exit();
  });

  it('an endpoint on no trunk with a channel limit goes at once', async () => {
    const a = rig.attempt(await rig.campaign());
    expect(await trunkLeaseGate({ leases: leases(), keys: rig.keys, holds: rig.holds })(a)).toEqual(GO);
    expect(await leases().count(rig.keys.trunkChannels('pstn'))).toBe(0);
  });
});

describe('pacingGate and spacingGate', () => {
  it('pacing: attempts at 5 cps take slots 200 ms apart; a wait past one gap notes the campaign’s own cps', async () => {
    const meta = await rig.campaign({ cps: 5 });
    const gate = pacingGate({ pacer: new Pacer(rig.redis), keys: rig.keys, holds: rig.holds });
    const t0 = Date.now();
    await Promise.all([1, 2, 3].map(async (i) => gate(rig.attempt(meta, { data: { number: `493010${i}` } }))));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    expect(await rig.noted('cps')).toBe('its own 5 cps');
  });

  it('pacing: then the trunk’s cps over every campaign on it', async () => {
    const meta = await rig.campaign({ cps: 100 });
    const gate = pacingGate({ pacer: new Pacer(rig.redis), keys: rig.keys, holds: rig.holds });
    const t0 = Date.now();
    await Promise.all([1, 2, 3].map(async (i) => gate(Object.assign(rig.attempt(meta, { data: { number: `493010${i}` } }), { trunk: { ...trunk, cps: 4 } }))));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(490);
    expect(await rig.noted('trunk-cps')).toBe('trunk pstn at 4 cps');
  });

  it('spacing: at most cps sends in any second, whatever the slots said', async () => {
    const meta = await rig.campaign({ cps: 5 });
    const gate = spacingGate({ pacer: new Pacer(rig.redis), keys: rig.keys });
    const sent: number[] = [];
    for (let i = 0; i < 7; i++) {
      expect(await gate(rig.attempt(meta, { data: { number: `49301${i}` } }))).toEqual(GO);
      sent.push(Date.now());
    }
    // Five go at once; the sixth waits for the first to leave the one-second window.
    expect(sent[4]! - sent[0]!).toBeLessThan(500);
    expect(sent[5]! - sent[0]!).toBeGreaterThanOrEqual(990);
  });
});
