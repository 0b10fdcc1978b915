import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AriClient } from '../../src/ari/client.js';
import { AriAuthError, AriHttpError, AriUnreachableError } from '../../src/ari/errors.js';
import { AriEventStream } from '../../src/ari/event-stream.js';
import { runCall } from '../../src/dialer/call.js';
import type { CallParams } from '../../src/dialer/call-options.js';
import { oneOffChannelId } from '../../src/dialer/channel-id.js';
import type { AriSim } from '../../src/sim/index.js';
import { ENGINE_CREDS as creds, startEngineRig, type EngineRig } from '../helpers/engine-rig.js';

let rig: EngineRig;
let sim: AriSim;
let ari: AriClient;
let events: AriEventStream;

beforeAll(async () => {
  rig = await startEngineRig('engine-test', { timeScale: 0.03 });
  ({ sim, ari, events } = rig);
});

afterAll(() => rig.close());

afterEach(() => {
  sim.faults.clear();
  // Nothing per call stays behind once its result is out.
  expect(events.listenerCount).toBe(0);
});

async function waitFor(ok: () => boolean, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !ok();) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const call = (endpoint: string, extra: Partial<CallParams> = {}) =>
  runCall(
    { ari, events },
    { channelId: oneOffChannelId(), endpoint, callerId: '11111', context: 'default', extension: 's', priority: 1, timeoutS: 30, graceMs: 200, ...extra },
  );

describe('one call against the simulator', () => {
  it('answers, continues exactly once after StasisStart, and reports Normal Clearing', async () => {
    const before = { continues: sim.stats.continues, rejected: sim.stats.rejectedContinues };
    const r = await call('SIP/operator');
    expect(r).toMatchObject({ status: 'success', answered: true, disposition: 'ANSWERED', cause: 16, message: 'Normal Clearing (16)', continued: true });
    expect(r.ring_s).toBeGreaterThan(0);
    expect(r.talk_s).toBeGreaterThan(0);
    expect(r.duration).toBeGreaterThanOrEqual(r.ring_s + r.talk_s - 0.01);
    expect(r.answered_at).not.toBeNull();
    expect(sim.stats.continues - before.continues).toBe(1);
    expect(sim.stats.rejectedContinues - before.rejected).toBe(0);
  });

  it('tells its observer once when the callee answers, never for an unanswered call', async () => {
    const answered: string[] = [];
    const observer = { answered: ({ channelId }: { channelId: string }) => answered.push(channelId) };
    const r = await runCall(
      { ari, events, observer },
      { channelId: oneOffChannelId(), endpoint: 'Local/answer@sim', callerId: '1', context: 'default', extension: 's', priority: 1, timeoutS: 30 },
    );
    await runCall(
      { ari, events, observer },
      { channelId: oneOffChannelId(), endpoint: 'SIP/operator/busy', callerId: '1', context: 'default', extension: 's', priority: 1, timeoutS: 30 },
    );
    expect(answered).toEqual([r.channel_id]);
  });

  it('a Local answered call ignores the ;2 half and continues once', async () => {
    const r = await call('Local/answer@sim');
    expect(r).toMatchObject({ disposition: 'ANSWERED', cause: 16, answered: true, continued: true });
  });

  it.each([
    ['Local/busy@sim', 'BUSY', 17, 'User busy'],
    ['SIP/operator/busy', 'BUSY', 17, 'User busy'],
    ['Local/congest@sim', 'CONGESTION', 34, 'Circuit/channel congestion'],
    ['SIP/trunk/5550008', 'CONGESTION', 34, 'Circuit/channel congestion'],
    ['SIP/trunk/5550009', 'REJECTED', 21, 'Call Rejected'],
    ['SIP/trunk/unavail', 'FAILED', 20, 'Subscriber absent'],
  ])('%s ends %s with cause %i', async (endpoint, disposition, cause, text) => {
    const r = await call(endpoint);
    expect(r).toMatchObject({
      status: 'success',
      answered: false,
      disposition,
      cause,
      cause_txt: text,
      message: `${text} (${cause})`,
      talk_s: 0,
      answered_at: null,
    });
  });

  it('Local busy: cause 0 on the ;1 channel is resolved from the Dial status', async () => {
    const r = await call('Local/busy@sim');
    expect(r.dialstatus).toBe('BUSY');
    expect(r.reason).toMatch(/cause 0/);
  });

  it('rings until the originate timeout: NO_ANSWER 19, never continued', async () => {
    const r = await call('Local/noanswer@sim', { timeoutS: 2 });
    expect(r).toMatchObject({ disposition: 'NO_ANSWER', cause: 19, answered: false, continued: false });
    expect(r.ring_s).toBeGreaterThan(0);
  });

  it('a bad endpoint gives status error with Asterisk\'s message (key "error" on 500)', async () => {
    const r = await call('Bogus/xyz');
    expect(r).toMatchObject({ status: 'error', disposition: 'ERROR', message: 'Allocation failed', http_status: 500 });
    const r2 = await call('noslash');
    expect(r2).toMatchObject({ status: 'error', message: 'Invalid endpoint specified', http_status: 400 });
  });

  it('continue before StasisStart is refused with 409 by Asterisk (why the engine waits for both)', async () => {
    const id = oneOffChannelId();
    const pending = runCall(
      { ari, events },
      { channelId: id, endpoint: 'Local/noanswer@sim', callerId: '1', context: 'default', extension: 's', priority: 1, timeoutS: 1, graceMs: 200 },
    );
    await new Promise((r) => setTimeout(r, 5));
    const err = await ari.continueInDialplan(id, { context: 'default', extension: 's', priority: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AriHttpError);
    expect(err).toMatchObject({ status: 409, ariMessage: 'Channel not in Stasis application' });
    await pending;
  });

  it('a repeated attempt with the same channelId adopts the live call instead of dialing twice', async () => {
    const id = `dlr-test-dup-${Date.now()}-a1`;
    const params = { channelId: id, endpoint: 'SIP/trunk/5550001', callerId: '1', context: 'default', extension: 's', priority: 1, timeoutS: 30, graceMs: 200 };
    const first = runCall({ ari, events }, params);
    await new Promise((r) => setTimeout(r, 2));
    const other = new AriEventStream({ url: sim.url, ...creds, app: 'engine-test-2' });
    await other.start();
    const second = runCall({ ari, events: other }, params);
    const [a, b] = await Promise.all([first, second]);
    await other.close();
    expect(sim.stats.originatesByChannelId.get(id)).toBe(1);
    expect(a.disposition).toBe('ANSWERED');
    expect(b.disposition).toBe('ANSWERED');
    expect(b.channel_id).toBe(id);
  });

  it('cancellation hangs the channel up and still yields a result', async () => {
    const ac = new AbortController();
    const pending = call('Local/noanswer@sim', { timeoutS: 600, signal: ac.signal });
    await new Promise((r) => setTimeout(r, 30));
    ac.abort();
    const r = await pending;
    expect(r).toMatchObject({ disposition: 'CANCELLED', answered: false });
    expect(sim.liveChannels().some((c) => c.id === r.channel_id)).toBe(false);
  });

  it('cancelled before dialing: no originate at all', async () => {
    const ac = new AbortController();
    ac.abort();
    const before = sim.stats.originates;
    const r = await call('SIP/operator', { signal: ac.signal });
    expect(r.disposition).toBe('CANCELLED');
    expect(sim.stats.originates).toBe(before);
  });

  it('Asterisk restarting under a ringing call (cause 0 + Dial NOANSWER, then the socket closes) → INTERRUPTED, never NO_ANSWER', async () => {
    // 300 s at this file's time scale is 9 s: the restart (about 1.2 s of real time) comes well before the timeout.
    const pending = call('Local/noanswer@sim', { timeoutS: 300, graceMs: 100 });
    await new Promise((r) => setTimeout(r, 50));
    const restarted = sim.restart(20);
    const r = await pending;
    await restarted;
    await waitFor(() => events.connected);
    expect(r).toMatchObject({ status: 'success', disposition: 'INTERRUPTED', cause: 0, answered: false, dialstatus: 'NOANSWER' });
    expect(r.reason).toMatch(/cut by Asterisk going away after [\d.]+ s of ringing \(timeout 300 s\)/);
    // The result is stamped when the channel died, not when the evidence came in.
    expect(r.duration).toBeLessThan(3);
  });

  it('the same events with Asterisk staying up are the usual verdict (a Local Dial that gave up early)', async () => {
    // A ringing Local channel hung up by its own dialplan shows the same cause 0 + NOANSWER: held 2 s for
    // evidence, then the ordinary outcome.
    const pending = call('Local/noanswer@sim', { timeoutS: 30, graceMs: 100 });
    await new Promise((r) => setTimeout(r, 50));
    const [ch] = sim.liveChannels().filter((c) => c.name.endsWith(';2'));
    expect(ch).toBeDefined();
    await ari.hangup(ch!.id);
    const r = await pending;
    expect(r.disposition).not.toBe('INTERRUPTED');
  });

  it('the hard cap hangs up a call that would run forever', async () => {
    const r = await call('Local/noanswer@sim', { timeoutS: 600, hardCapS: 0.3, graceMs: 50 });
    expect(r.disposition).toBe('NO_ANSWER');
    expect(r.duration).toBeLessThan(5);
  });
});

describe('connection problems', () => {
  it('401 names the user and never the password', async () => {
    const bad = new AriEventStream({ url: sim.url, user: 'dialer', password: 'wrong-secret', app: 'x' });
    const err = await bad.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AriAuthError);
    expect((err as Error).message).toMatch(/ARI authentication failed for user dialer/);
    expect((err as Error).message).not.toContain('wrong-secret');
    await bad.close();
    const client = new AriClient({ url: sim.url, user: 'dialer', password: 'wrong-secret' });
    const e2 = await client.asteriskInfo().catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(AriAuthError);
    await client.close();
  });

  it('a refused connection names the URL', async () => {
    const client = new AriClient({ url: 'http://127.0.0.1:1/ari', user: 'u', password: 'secret-pw', retries: 0 });
    const err = await client.asteriskInfo().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AriUnreachableError);
    expect((err as Error).message).toContain('http://127.0.0.1:1/ari');
    expect((err as Error).message).not.toContain('secret-pw');
    await client.close();
    const s = new AriEventStream({ url: 'http://127.0.0.1:1/ari', user: 'u', password: 'secret-pw', app: 'x' });
    await expect(s.start()).rejects.toBeInstanceOf(AriUnreachableError);
    await s.close();
  });

  it('reconnects after the socket drops and calls in flight still end with one result', async () => {
    const stream = new AriEventStream({ url: sim.url, ...creds, app: 'reconnect-test', backoff: { initialMs: 20, maxMs: 100 } });
    await stream.start();
    let reconnected = 0;
    stream.on('reconnected', () => reconnected++);
    const calls = Array.from({ length: 20 }, (_, i) =>
      runCall(
        { ari, events: stream },
        {
          channelId: oneOffChannelId(),
          endpoint: `SIP/trunk/555000${i % 6}`,
          callerId: '1',
          context: 'default',
          extension: 's',
          priority: 1,
          timeoutS: 30,
          graceMs: 100,
        },
      ),
    );
    await new Promise((r) => setTimeout(r, 5));
    sim.faults.dropSockets();
    const results = await Promise.all(calls);
    expect(results).toHaveLength(20);
    expect(new Set(results.map((r) => r.channel_id)).size).toBe(20);
    expect(reconnected).toBeGreaterThanOrEqual(1);
    expect(stream.listenerCount).toBe(0);
    await stream.close();
  });
});
