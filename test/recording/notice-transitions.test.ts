import { describe, expect, it } from 'vitest';
import type { AriEvent } from '../../src/ari/types.generated.js';
import { initialCallState, noticeRefused, transition } from '../../src/dialer/transitions.js';

const ID = 'dlr-c1-r1-a1';
const ch = (state: string) => ({ id: ID, state, name: 'PJSIP/trunk-00000001' });
const ev = (type: string, extra: Record<string, unknown>) => ({ type, timestamp: '', application: 'dialer', ...extra }) as unknown as AriEvent;
const up = ev('ChannelStateChange', { channel: ch('Up') });
const stasisStart = (args: string[] = []) => ev('StasisStart', { args, channel: ch('Up') });
const finished = (id: string, state = 'done') =>
  ev('PlaybackFinished', { playback: { id, state, target_uri: `channel:${ID}`, media_uri: 'sound:recording-notice' } });
const NOTICE = { type: 'notice', playbackId: `${ID}-notice`, media: 'sound:recording-notice' };

describe("the recording notice in the call's state table", () => {
  it('plays once answered and in Stasis; the call goes on only when it is over', () => {
    const s = initialCallState(undefined, { notice: 'sound:recording-notice' });
    expect([...transition(s, up, 10, ID), ...transition(s, stasisStart(), 11, ID)]).toEqual([NOTICE]);
    // Nothing else while it plays: a repeated Up asks for nothing, a foreign playback is not ours.
    expect(transition(s, up, 12, ID)).toEqual([]);
    expect(transition(s, finished('other'), 13, ID)).toEqual([]);
    expect(transition(s, finished(`${ID}-notice`), 2000, ID)).toEqual([
      { type: 'noticeOver', ok: true },
      { type: 'continue', to: 'destination' },
    ]);
    expect(transition(s, finished(`${ID}-notice`), 2001, ID)).toEqual([]);
  });

  it('a notice that fails or is refused: the call goes on, not recorded, and says why', () => {
    const s = initialCallState(undefined, { notice: 'sound:no-such' });
    transition(s, up, 10, ID);
    expect(transition(s, stasisStart(), 11, ID)).toEqual([{ ...NOTICE, media: 'sound:no-such' }]);
    expect(transition(s, finished(`${ID}-notice`, 'failed'), 12, ID)).toEqual([
      { type: 'noticeOver', ok: false, reason: 'not recorded: the notice sound:no-such did not play (PlaybackFinished failed)' },
      { type: 'continue', to: 'destination' },
    ]);
    const r = initialCallState(undefined, { notice: 'sound:x' });
    transition(r, up, 10, ID);
    transition(r, stasisStart(), 11, ID);
    expect(noticeRefused(r, 'Channel not found (HTTP 404)', 12, ID)).toEqual([
      { type: 'noticeOver', ok: false, reason: 'not recorded: Channel not found (HTTP 404)' },
      { type: 'continue', to: 'destination' },
    ]);
  });

  it('with AMD it plays after the verdict, so the analysis hears the callee; a machine that is hung up hears nothing', () => {
    const amd = { onMachine: { action: 'hangup' as const }, notSureAs: 'human' as const };
    const s = initialCallState(amd, { notice: 'sound:recording-notice' });
    transition(s, up, 10, ID);
    expect(transition(s, stasisStart(), 11, ID)).toEqual([{ type: 'continue', to: 'amd' }]);
    expect(transition(s, stasisStart(['amd', 'HUMAN', 'HUMAN-800-800']), 1200, ID)).toEqual([NOTICE]);
    expect(transition(s, finished(`${ID}-notice`), 3000, ID)).toEqual([
      { type: 'noticeOver', ok: true },
      { type: 'continue', to: 'destination' },
    ]);

    const m = initialCallState(amd, { notice: 'sound:recording-notice' });
    transition(m, up, 10, ID);
    transition(m, stasisStart(), 11, ID);
    expect(transition(m, stasisStart(['amd', 'MACHINE', 'LONGGREETING-2000-2000']), 1200, ID)).toEqual([
      { type: 'hangup', why: 'answering machine (AMD MACHINE)' },
    ]);
  });
});
