import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AriClient } from '../../src/ari/client.js';
import { AriEventStream } from '../../src/ari/event-stream.js';
import { openRecordingFile } from '../../src/ari/recording-file.js';
import { runCall } from '../../src/dialer/call.js';
import type { CallParams } from '../../src/dialer/call-options.js';
import { oneOffChannelId } from '../../src/dialer/channel-id.js';
import type { RecordOptions } from '../../src/dialer/recording/record-options.js';
import type { AriSim } from '../../src/sim/index.js';
import type { AriEvent } from '../../src/ari/types.generated.js';
import { ENGINE_CREDS as creds, startEngineRig, type EngineRig } from '../helpers/engine-rig.js';

let rig: EngineRig;
let sim: AriSim;
let ari: AriClient;
let events: AriEventStream;
const record = (o: Partial<RecordOptions> = {}): RecordOptions => ({ mode: 'answered', format: 'wav', asterisk: 'default', ...o });

beforeAll(async () => {
  // Real time (scale 1) with short calls: a recording is as long as the call its client saw.
  rig = await startEngineRig('rec-test', {
    dialplanMs: 1300,
    sounds: { 'recording-notice': 1000 },
    rules: [
      { match: 'talk', outcome: 'answer', ringMs: 400, talkMs: 30_000 },
      { match: 'nobody', outcome: 'busy' },
    ],
  });
  ({ sim, ari, events } = rig);
});

afterAll(() => rig.close());

afterEach(() => {
  sim.recordingFaults.diskFull = false;
  sim.recordingFaults.snoopRefused = false;
  expect(events.listenerCount).toBe(0);
});

const params = (endpoint: string, extra: Partial<CallParams> = {}): CallParams => ({
  channelId: oneOffChannelId(),
  endpoint,
  callerId: '1',
  context: 'default',
  extension: 's',
  priority: 1,
  timeoutS: 30,
  graceMs: 300,
  ...extra,
});

async function wavSeconds(name: string): Promise<number> {
  const f = await openRecordingFile({ url: sim.url, ...creds }, name);
  const parts: Buffer[] = [];
  for await (const chunk of f.body) parts.push(chunk as Buffer);
  const buf = Buffer.concat(parts);
  expect(f.contentType).toBe('audio/wav');
  expect(buf.toString('ascii', 0, 4)).toBe('RIFF');
  return (buf.length - 44) / 16000;
}

describe('recording a call (--record)', () => {
  it('from the answer: a snoop records the call past continue; the file lasts the talk time', async () => {
    const before = sim.stats.continues;
    const r = await runCall({ ari, events }, params('SIP/talk/1', { record: record() }));
    expect(r).toMatchObject({ disposition: 'ANSWERED', continued: true });
    // The snoop is not a call: one continue (the call's), no second result.
    expect(sim.stats.continues - before).toBe(1);
    expect(r.recording).toEqual({ name: r.channel_id, asterisk: 'default', format: 'wav', duration_s: 1, state: 'done' });
    const seconds = await wavSeconds(r.channel_id);
    expect(Math.abs(seconds - r.talk_s)).toBeLessThan(0.15);
  });

  it('from the originate (all): ringing is in the file too', async () => {
    const r = await runCall({ ari, events }, params('SIP/talk/2', { record: record({ mode: 'all' }) }));
    expect(r.recording).toMatchObject({ state: 'done' });
    const seconds = await wavSeconds(r.channel_id);
    expect(seconds).toBeGreaterThan(r.talk_s + 0.3);
    expect(Math.abs(seconds - (r.ring_s + r.talk_s))).toBeLessThan(0.2);
  });

  it('an unanswered call recorded from the answer has no recording', async () => {
    const r = await runCall({ ari, events }, params('SIP/nobody/3', { record: record() }));
    expect(r.disposition).toBe('BUSY');
    expect(r.recording).toBeUndefined();
  });

  it('a refused snoop, an unknown format, a full disk: the call goes on, the result says why', async () => {
    sim.recordingFaults.snoopRefused = true;
    const a = await runCall({ ari, events }, params('SIP/talk/4', { record: record() }));
    expect(a).toMatchObject({ disposition: 'ANSWERED', continued: true });
    expect(a.recording).toMatchObject({
      state: 'failed',
      duration_s: 0,
      reason: 'Asterisk refused the snoop channel: Snoop channel could not be created (HTTP 500)',
    });
    sim.recordingFaults.snoopRefused = false;

    const b = await runCall({ ari, events }, params('SIP/talk/5', { record: record({ format: 'mp3' }) }));
    expect(b).toMatchObject({ disposition: 'ANSWERED', continued: true });
    expect(b.recording).toMatchObject({
      state: 'failed',
      format: 'mp3',
      reason: 'Asterisk refused to record (format mp3): specified format is unknown on this system (HTTP 422)',
    });
    // The refused recording's snoop was hung up, not left in our app.
    expect(sim.liveChannels().filter((c) => c.name.startsWith('Snoop/'))).toEqual([]);

    sim.recordingFaults.diskFull = true;
    const c = await runCall({ ari, events }, params('SIP/talk/6', { record: record() }));
    expect(c).toMatchObject({ disposition: 'ANSWERED', continued: true });
    expect(c.recording).toMatchObject({ state: 'failed', duration_s: 0 });
    expect(c.recording?.reason).toMatch(/wrote no file/);
  });

  it('Asterisk restarting mid-call: the recording so far is kept and referenced', async () => {
    const p = runCall({ ari, events }, params('SIP/talk/7', { record: record() }));
    await new Promise((r) => setTimeout(r, 1000));
    await sim.restart(100);
    const r = await p;
    expect(r.recording?.state).toBe('done');
    expect(await wavSeconds(r.recording!.name)).toBeGreaterThan(0.3);
  });

  it('a takeover worker follows the recording and does not record twice', async () => {
    const channelId = oneOffChannelId();
    const dead = new AriEventStream({ url: sim.url, ...creds, app: 'rec-dead' });
    await dead.start();
    const first = runCall({ ari, events: dead }, params('SIP/talk/8', { channelId, record: record() }));
    await new Promise((r) => setTimeout(r, 700));
    expect(sim.liveChannels().filter((c) => c.name.startsWith('Snoop/'))).toHaveLength(1);
    await dead.close();
    const second = await runCall({ ari, events }, params('SIP/talk/8', { channelId, resume: true, record: record() }));
    expect(second.recording).toMatchObject({ name: channelId, state: 'done', duration_s: 1 });
    expect(sim.recording.store.list().filter((s) => s.name === channelId)).toHaveLength(1);
    void first;
  });

  it('--record-notice: the simulator plays the notice to the callee, then the call goes on and the recording starts', async () => {
    const seen: string[] = [];
    const channelId = oneOffChannelId();
    const note = ({ event }: { event: AriEvent }) => {
      if (event.type === 'PlaybackStarted' || event.type === 'PlaybackFinished') seen.push(`${event.type} ${event.playback.id} ${event.playback.target_uri}`);
      if (event.type === 'RecordingStarted') seen.push(`RecordingStarted ${event.recording.name}`);
      if (event.type === 'StasisEnd' && event.channel.id === channelId) seen.push('StasisEnd (continue)');
    };
    const off = events.on('event', note);
    const r = await runCall({ ari, events }, params('SIP/talk/9', { channelId, record: record({ notice: 'sound:recording-notice' }) }));
    off();
    expect(seen).toEqual([
      `PlaybackStarted ${channelId}-notice channel:${channelId}`,
      `PlaybackFinished ${channelId}-notice channel:${channelId}`,
      'StasisEnd (continue)',
      `RecordingStarted ${channelId}`,
    ]);
    expect(r).toMatchObject({ disposition: 'ANSWERED', continued: true, recording: { state: 'done' } });
    // The file holds the call after the notice: the dialplan's 1.3 s, not the notice's 1 s before it.
    const seconds = await wavSeconds(channelId);
    expect(seconds).toBeGreaterThan(1.1);
    expect(seconds).toBeLessThan(r.talk_s - 0.8);
  });

  it('a notice that cannot play: the call goes on, nothing is recorded, the result says why', async () => {
    const r = await runCall({ ari, events }, params('SIP/talk/10', { record: record({ notice: 'sound:no-such-notice' }) }));
    expect(r).toMatchObject({ disposition: 'ANSWERED', continued: true });
    expect(r.recording).toMatchObject({
      state: 'failed',
      duration_s: 0,
      reason: 'not recorded: the notice sound:no-such-notice did not play (PlaybackFinished failed)',
    });
    expect(sim.recording.store.has(r.channel_id)).toBe(false);
  });
});
