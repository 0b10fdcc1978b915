import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AriClient } from '../../src/ari/client.js';
import type { AriEventStream } from '../../src/ari/event-stream.js';
import { runCall } from '../../src/dialer/call.js';
import type { CallDeps, CallParams } from '../../src/dialer/call-options.js';
import { oneOffChannelId } from '../../src/dialer/channel-id.js';
import { parseMessageOptions, type MessageInput } from '../../src/dialer/message/message-options.js';
import { parseAmdOptions } from '../../src/dialer/amd/amd-options.js';
import { startEngineRig, type EngineRig } from '../helpers/engine-rig.js';

let rig: EngineRig;
let ari: AriClient;
let events: AriEventStream;

// 0.05: a 3 s sound plays 150 ms; callees press 1.5 s (75 ms) after they start listening.
beforeAll(async () => {
  rig = await startEngineRig('message-test', {
    timeScale: 0.05,
    // Callees listen long enough for the message and the wait after it.
    rules: [
      { match: 'early', outcome: 'answer', press: '1', pressAtMs: 500, talkMs: 60_000 },
      { match: 'late', outcome: 'answer', press: '1', pressAtMs: 5000, talkMs: 60_000 },
      { match: 'quick', outcome: 'answer', talkMs: 1000 },
      { match: 'vm', outcome: 'answer', amd: 'MACHINE', greetingMs: 6000, talkMs: 60_000 },
      { match: '@sim', outcome: 'answer', talkMs: 60_000 },
    ],
  });
  ({ ari, events } = rig);
});

afterAll(() => rig.close());

afterEach(() => {
  expect(events.listenerCount).toBe(0);
});

const msg = (m: MessageInput) => parseMessageOptions(m)!;
const call = (endpoint: string, extra: Partial<CallParams> = {}, deps: Partial<CallDeps> = {}) =>
  runCall(
    { ari, events, ...deps },
    {
      channelId: oneOffChannelId(),
      endpoint,
      callerId: '11111',
      context: 'default',
      extension: 's',
      priority: 1,
      timeoutS: 30,
      graceMs: 500,
      maxCallS: 30,
      ...extra,
    },
  );

describe('keys and captured variables in every result', () => {
  it('keys pressed in the dialplan and the survey answer the dialplan set', async () => {
    const r = await call('Local/press2@sim', { context: 'survey', capture: ['SURVEY_ANSWER', 'READSTATUS', 'NEVER_SET'] });
    expect(r.keys).toBe('2');
    expect(r.first_key_s).toBeGreaterThan(0);
    expect(r.captured).toEqual({ SURVEY_ANSWER: '2', READSTATUS: 'OK' });
  });

  it('no key: keys empty, first_key_s null; no capture asked: no captured', async () => {
    const r = await call('Local/silent@sim', { context: 'humandest' });
    expect([r.keys, r.first_key_s, r.captured]).toEqual(['', null, undefined]);
    expect(r.flow).toBeUndefined();
  });
});

describe('a message with press-1 in Stasis', () => {
  const press1 = msg({ media: ['sound:lab/human-hello'], press: ['1=humandest,s,1', '9=optout'], pressWaitS: 1 });

  it('a key during the message stops it at once and continues to its place (barge-in)', async () => {
    const acted: number[] = [];
    const r = await call('Local/early@sim', { message: press1 }, { observer: { keyAction: ({ latencyMs }) => acted.push(latencyMs) } });
    expect(r).toMatchObject({ flow: 'pressed', keys: '1', message_done: false, opted_out: false, continued: true, disposition: 'ANSWERED' });
    expect(r.heard_s).toBeGreaterThan(0);
    expect(r.heard_s).toBeLessThan(5.5 * 0.05);
    expect(acted).toHaveLength(1);
  });

  it('9 opts out: stored through the hook, then hangup', async () => {
    const stored: string[] = [];
    const r = await call('Local/press9@sim', { message: press1 }, { optOut: async ({ channelId }) => (stored.push(channelId), true) });
    expect(r).toMatchObject({ flow: 'optout', opted_out: true, optout_stored: true, keys: '9', continued: false });
    expect(stored).toEqual([r.channel_id]);
  });

  it('an opt-out without a suppression list says it was not stored', async () => {
    const r = await call('Local/press9@sim', { message: press1 });
    expect(r).toMatchObject({ flow: 'optout', opted_out: true, optout_stored: false });
    expect(r.optout_note).toMatch(/not stored/);
  });

  it('silence: the message plays to its end, the press wait passes, then --no-press (hangup by default)', async () => {
    const r = await call('Local/silent@sim', { message: press1 });
    expect(r).toMatchObject({ flow: 'no_press', message_done: true, keys: '', continued: false });
    expect(r.heard_s).toBeGreaterThan(5.5 * 0.05 * 0.8);
  });

  it('an unlisted key is recorded and ignored; a key after the message, during the press wait, still counts', async () => {
    const r = await call('Local/press5@sim', { message: msg({ media: ['sound:beep'], press: ['1=humandest,s,1'], noPress: 'destination', pressWaitS: 0.5 }) });
    expect(r).toMatchObject({ keys: '5', flow: 'no_press', continued: true });
    const late = await call('Local/late@sim', { message: msg({ media: ['sound:beep'], press: ['1=humandest,s,1'], pressWaitS: 10 }) });
    expect(late).toMatchObject({ keys: '1', flow: 'pressed', message_done: true, continued: true });
  });

  it('without press rules the message plays its repeats, then goes to the destination', async () => {
    const r = await call('Local/silent@sim', { message: msg({ media: ['sound:beep', 'digits:12'], repeat: 2 }) });
    expect(r).toMatchObject({ flow: 'no_press', message_done: true, continued: true });
    expect(r.heard_s).toBeGreaterThan((0.25 + 1.2) * 2 * 0.05 * 0.8);
  });

  it('replay plays the message again from its start', async () => {
    const r = await call('Local/early@sim', { message: msg({ media: ['sound:beep'], press: ['1=replay'], pressWaitS: 0.5 }) });
    expect(r).toMatchObject({ keys: '1', flow: 'no_press', message_done: true });
  });

  it("a missing sound is not_played with Asterisk's reason, and the call follows --no-press", async () => {
    const r = await call('Local/silent@sim', { message: msg({ media: ['sound:no-such-sound'], press: ['1=humandest,s,1'], noPress: 'destination' }) });
    expect(r).toMatchObject({ flow: 'not_played', message_done: false, continued: true });
    expect(r.message_reason).toMatch(/PlaybackFinished state failed for sound:no-such-sound/);
  });

  it('an item Asterisk never finishes (a missing recording: PlaybackStarted and nothing else) fails after its bound, and the call follows --no-press', async () => {
    const started = Date.now();
    const r = await call('Local/silent@sim', {
      message: msg({ media: ['sound:beep', 'recording:gone'], press: ['1=humandest,s,1'], noPress: 'destination', itemMaxS: 0.5 }),
    });
    expect(r).toMatchObject({ flow: 'not_played', message_done: false, continued: true });
    expect(r.message_reason).toMatch(/no PlaybackFinished for recording:gone within 0\.5 s/);
    // The callee listens 3 s (60 s simulated): the call went on long before.
    expect(Date.now() - started).toBeLessThan(2500);
    expect(r.heard_s).toBeLessThan(0.25 * 0.05 + 0.1);
  });

  it('a callee who hangs up during the message: hung_up_in_message, and nothing after changes it', async () => {
    const r = await call('Local/quick@sim', { message: msg({ media: ['sound:lab/machine-greeting'], press: ['1=humandest,s,1'] }) });
    expect(r).toMatchObject({ flow: 'hung_up_in_message', message_done: false, continued: false, disposition: 'ANSWERED' });
    expect(r.heard_s).toBeGreaterThan(0);
  });
});

describe('voicemail drop by the dialer', () => {
  it('with AMD, a machine gets the machine message once its greeting ended (TALK_DETECT), then a hangup', async () => {
    const amd = parseAmdOptions(true);
    const r = await call('SIP/vm', {
      amd,
      message: msg({ media: ['sound:beep'], press: ['1=humandest,s,1'], machineMessage: 'sound:vm-goodbye', beepWaitS: 20 }),
    });
    expect(r).toMatchObject({ amd_status: 'MACHINE', continued: false });
    expect(r.machine_message_s).toBeGreaterThan(0.04);
    expect(r.flow).toBeUndefined();
  });

  it('a person under AMD hears the human message', async () => {
    const r = await call('Local/early-human@sim', {
      amd: parseAmdOptions(true),
      message: msg({ media: ['sound:lab/human-hello'], press: ['1=humandest,s,1'] }),
    });
    expect(r).toMatchObject({ amd_status: 'HUMAN', flow: 'pressed', continued: true });
  });
});
