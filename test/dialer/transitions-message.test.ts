import { describe, expect, it } from 'vitest';
import type { AriEvent } from '../../src/ari/types.generated.js';
import { parseMessageOptions } from '../../src/dialer/message/message-options.js';
import { deadlinePassed, initialCallState, playRefused, transition, type CallState } from '../../src/dialer/transitions.js';
import { machineGreetingOver, messageDeadline, startMachineMessage, type MessageCall } from '../../src/dialer/message/message-flow.js';

const channel = { id: 'c1', name: 'SIP/x-1', state: 'Up' };
const ev = (e: Record<string, unknown>): AriEvent => ({ channel, ...e }) as unknown as AriEvent;
const message = parseMessageOptions({ media: 'sound:promo', press: ['1=sales,s,1', '9=optout'] })!;
const started = (): CallState => {
  const s = initialCallState(undefined, { message });
  expect(transition(s, ev({ type: 'StasisStart', args: [] }), 0, 'c1')).toEqual([
    { type: 'play', playbackId: 'c1-pb1', media: 'sound:promo' },
    { type: 'deadline', ms: 120_000 },
  ]);
  return s;
};
const playback = (type: string, state: string) =>
  ({ type, playback: { id: 'c1-pb1', target_uri: 'channel:c1', state, media_uri: 'sound:promo' } }) as unknown as AriEvent;

describe('the message in the state table', () => {
  it('a key stops the playback and does its one action; a second key changes nothing', () => {
    const s = started();
    transition(s, playback('PlaybackStarted', 'playing'), 100, 'c1');
    expect(transition(s, ev({ type: 'ChannelDtmfReceived', digit: '1' }), 600, 'c1')).toEqual([
      { type: 'stopPlayback', playbackId: 'c1-pb1' },
      { type: 'continue', to: 'place', place: { context: 'sales', extension: 's', priority: 1 } },
    ]);
    expect(transition(s, ev({ type: 'ChannelDtmfReceived', digit: '9' }), 700, 'c1')).toEqual([]);
    expect(s.keys).toBe('19');
    expect(s.msg).toMatchObject({ flow: 'pressed', heardMs: 500 });
  });

  it('after the callee hung up, a key or a failed playback changes nothing', () => {
    const s = started();
    transition(s, playback('PlaybackStarted', 'playing'), 100, 'c1');
    transition(s, ev({ type: 'ChannelHangupRequest', cause: 16 }), 900, 'c1');
    expect(transition(s, playback('PlaybackFinished', 'failed'), 901, 'c1')).toEqual([]);
    expect(transition(s, ev({ type: 'ChannelDtmfReceived', digit: '1' }), 902, 'c1')).toEqual([]);
    expect(s.msg).toMatchObject({ flow: 'hung_up_in_message', heardMs: 800 });
  });

  it('a play refused because the channel left our app (409) does nothing; another refusal follows --no-press', () => {
    const away = started();
    expect(playRefused(away, 'c1-pb1', 'Asterisk answered 409', true)).toEqual([]);
    expect(away.msg).toMatchObject({ flow: 'not_played', stage: 'over' });
    const refused = started();
    expect(playRefused(refused, 'c1-pb1', 'Asterisk answered 500', false)).toEqual([{ type: 'hangup', why: 'message not played' }]);
    expect(deadlinePassed(refused, 5)).toEqual([]);
  });

  it("the end of the message waits for a key, then --no-press; another channel's playback is not ours", () => {
    const s = started();
    expect(
      transition(s, { type: 'PlaybackFinished', playback: { id: 'c1-pb1', target_uri: 'channel:other', state: 'done' } } as unknown as AriEvent, 50, 'c1'),
    ).toEqual([]);
    transition(s, playback('PlaybackStarted', 'playing'), 100, 'c1');
    expect(transition(s, playback('PlaybackFinished', 'done'), 3100, 'c1')).toEqual([{ type: 'deadline', ms: 5000 }]);
    expect(deadlinePassed(s, 8100)).toEqual([{ type: 'hangup', why: 'no key pressed after the message' }]);
    expect(s.msg).toMatchObject({ flow: 'no_press', done: true, heardMs: 3000 });
  });

  it('an item whose PlaybackFinished never comes: at its bound it is stopped, not_played with the reason, then --no-press', () => {
    const s = started();
    transition(s, playback('PlaybackStarted', 'playing'), 100, 'c1');
    expect(deadlinePassed(s, 120_000)).toEqual([
      { type: 'stopPlayback', playbackId: 'c1-pb1' },
      { type: 'hangup', why: 'message not played' },
    ]);
    expect(s.msg).toMatchObject({ flow: 'not_played', stage: 'over', heardMs: 0, done: false });
    expect(s.msg!.reason).toBe('no PlaybackFinished for sound:promo within 120 s (Asterisk never ends a missing recording: or an unknown scheme)');
    // A late PlaybackFinished, or the timer again, changes nothing.
    expect(transition(s, playback('PlaybackFinished', 'done'), 120_100, 'c1')).toEqual([]);
    expect(deadlinePassed(s, 120_200)).toEqual([]);
  });

  it('each item arms the bound again; an opt-out confirmation that never finishes still ends in a hangup', () => {
    const withConfirm = parseMessageOptions({ media: 'sound:promo,digits:12', press: ['9=optout'], optoutMessage: 'recording:gone', itemMaxS: 30 })!;
    const s = initialCallState(undefined, { message: withConfirm });
    transition(s, ev({ type: 'StasisStart', args: [] }), 0, 'c1');
    transition(s, playback('PlaybackStarted', 'playing'), 10, 'c1');
    expect(transition(s, playback('PlaybackFinished', 'done'), 3010, 'c1')).toEqual([
      { type: 'play', playbackId: 'c1-pb2', media: 'digits:12' },
      { type: 'deadline', ms: 9000 },
    ]);
    expect(transition(s, ev({ type: 'ChannelDtmfReceived', digit: '9' }), 3500, 'c1')).toEqual([
      { type: 'stopPlayback', playbackId: 'c1-pb2' },
      { type: 'optout' },
      { type: 'play', playbackId: 'c1-pb3', media: 'recording:gone' },
      { type: 'deadline', ms: 30_000 },
    ]);
    expect(deadlinePassed(s, 33_500)).toEqual([
      { type: 'stopPlayback', playbackId: 'c1-pb3' },
      { type: 'hangup', why: expect.stringMatching(/^opted out; no PlaybackFinished for recording:gone within 30 s/) },
    ]);
    expect(s.msg).toMatchObject({ flow: 'optout', optedOut: true, stage: 'over' });
  });

  it('a voicemail message that never finishes: at its bound it is stopped and the call hung up, with the reason and its length', () => {
    const c: MessageCall = { message: parseMessageOptions({ machineMessage: 'recording:gone', itemMaxS: 20 })! };
    expect(startMachineMessage(c, 'c1')).toEqual([{ type: 'talkDetect' }, { type: 'deadline', ms: 20_000 }]);
    expect(machineGreetingOver(c, 4000)).toEqual([
      { type: 'play', playbackId: 'c1-pb1', media: 'recording:gone' },
      { type: 'deadline', ms: 20_000 },
    ]);
    expect(messageDeadline(c, 24_000)).toEqual([
      { type: 'stopPlayback', playbackId: 'c1-pb1' },
      {
        type: 'hangup',
        why: 'machine message not played (no PlaybackFinished for recording:gone within 20 s (Asterisk never ends a missing recording: or an unknown scheme))',
      },
    ]);
    expect(c.msg).toMatchObject({ stage: 'over', machineMs: 20_000 });
    expect(messageDeadline(c, 25_000)).toEqual([]);
  });
});
