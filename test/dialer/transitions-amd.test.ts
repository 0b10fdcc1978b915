import { describe, expect, it } from 'vitest';
import type { AriEvent } from '../../src/ari/types.generated.js';
import { initialCallState, transition, type CallAction, type CallState } from '../../src/dialer/transitions.js';
import type { AmdOptions } from '../../src/dialer/amd/amd-options.js';

const ID = 'dlr-c1-r1-a1';
const ch = (state: string) => ({ id: ID, state, name: 'PJSIP/trunk-00000001' });
const ev = (type: string, extra: Record<string, unknown>) => ({ type, timestamp: '', application: 'dialer', ...extra }) as unknown as AriEvent;
const up = ev('ChannelStateChange', { channel: ch('Up') });
const stasisStart = (args: string[] = [], state = 'Up') => ev('StasisStart', { args, channel: ch(state) });
const stasisEnd = ev('StasisEnd', { channel: ch('Up') });
const varset = (variable: string, value: string) => ev('ChannelVarset', { variable, value, channel: ch('Up') });

const HANGUP_ON_MACHINE: Pick<AmdOptions, 'onMachine' | 'notSureAs'> = { onMachine: { action: 'hangup' }, notSureAs: 'human' };
const DROP_ON_MACHINE: Pick<AmdOptions, 'onMachine' | 'notSureAs'> = {
  onMachine: { action: 'continue', context: 'vm-drop', extension: 's', priority: 1 },
  notSureAs: 'human',
};

/** Answers the call (in the given order) and returns the actions of the first Stasis entry. */
function answer(s: CallState, order: 'up-first' | 'stasis-first'): CallAction[] {
  if (order === 'up-first') return [...transition(s, up, 10, ID), ...transition(s, stasisStart(), 11, ID)];
  return [...transition(s, stasisStart([], 'Ringing'), 10, ID), ...transition(s, up, 11, ID)];
}

describe('call transitions with AMD', () => {
  for (const order of ['up-first', 'stasis-first'] as const) {
    it(`sends the answered call into AMD once (${order}), then HUMAN to the destination once`, () => {
      const s = initialCallState(HANGUP_ON_MACHINE);
      expect(answer(s, order)).toEqual([{ type: 'continue', to: 'amd' }]);
      expect(s.phase).toBe('amd');
      // A repeated Up or StasisStart of the same entry asks for nothing more.
      expect(transition(s, up, 12, ID)).toEqual([]);
      expect(transition(s, stasisEnd, 13, ID)).toEqual([]);
      // While AMD runs the channel is out of Stasis: an Up now must not continue (409).
      expect(transition(s, up, 14, ID)).toEqual([]);
      expect(transition(s, stasisStart(['amd', 'HUMAN', 'HUMAN-800-800']), 1211, ID)).toEqual([{ type: 'continue', to: 'destination' }]);
      expect(s.amdVerdict).toEqual({ status: 'HUMAN', cause: 'HUMAN-800-800', ms: 1200 });
      expect(transition(s, up, 1212, ID)).toEqual([]);
      expect(transition(s, stasisStart(['amd', 'HUMAN', 'HUMAN-800-800']), 1213, ID)).toEqual([]);
      expect(s.phase).toBe('continued');
    });
  }

  it('hangs a MACHINE up (once) when onMachine is hangup', () => {
    const s = initialCallState(HANGUP_ON_MACHINE);
    answer(s, 'up-first');
    transition(s, stasisEnd, 12, ID);
    const actions = transition(s, stasisStart(['amd', 'MACHINE', 'MAXWORDS-4-3']), 2011, ID);
    expect(actions).toEqual([{ type: 'hangup', why: 'answering machine (AMD MACHINE)' }]);
    expect(transition(s, up, 2012, ID)).toEqual([]);
    expect(s.amdVerdict).toMatchObject({ status: 'MACHINE', cause: 'MAXWORDS-4-3', ms: 2000 });
  });

  it('sends a MACHINE to the voicemail drop place', () => {
    const s = initialCallState(DROP_ON_MACHINE);
    answer(s, 'stasis-first');
    transition(s, stasisEnd, 12, ID);
    expect(transition(s, stasisStart(['amd', 'MACHINE', 'LONGGREETING-2000-2000']), 3000, ID)).toEqual([{ type: 'continue', to: 'machine' }]);
  });

  it('takes NOTSURE as human by default, as a machine when told', () => {
    const human = initialCallState(HANGUP_ON_MACHINE);
    answer(human, 'up-first');
    expect(transition(human, stasisStart(['amd', 'NOTSURE', 'TOOLONG-5000']), 5011, ID)).toEqual([{ type: 'continue', to: 'destination' }]);
    const machine = initialCallState({ ...DROP_ON_MACHINE, notSureAs: 'machine' });
    answer(machine, 'up-first');
    expect(transition(machine, stasisStart(['amd', 'NOTSURE', 'TOOLONG-5000']), 5011, ID)).toEqual([{ type: 'continue', to: 'machine' }]);
  });

  it('reads an empty AMDSTATUS as NOTSURE', () => {
    const s = initialCallState(HANGUP_ON_MACHINE);
    answer(s, 'up-first');
    expect(transition(s, stasisStart(['amd', '', '']), 100, ID)).toEqual([{ type: 'continue', to: 'destination' }]);
    expect(s.amdVerdict?.status).toBe('NOTSURE');
  });

  it('records HANGUP from the ChannelVarset (the call never comes back to Stasis)', () => {
    const s = initialCallState(HANGUP_ON_MACHINE);
    answer(s, 'up-first');
    transition(s, stasisEnd, 12, ID);
    expect(transition(s, varset('AMDSTATUS', 'HANGUP'), 911, ID)).toEqual([]);
    expect(s.amdVerdict).toEqual({ status: 'HANGUP', cause: '', ms: 900 });
  });

  it("leaves alone a re-entry that is not AMD's, and AMD args when the call was not sent to AMD", () => {
    const s = initialCallState(HANGUP_ON_MACHINE);
    answer(s, 'up-first');
    transition(s, stasisEnd, 12, ID);
    expect(transition(s, stasisStart(['other']), 20, ID)).toEqual([]);
    const plain = initialCallState();
    answer(plain, 'up-first');
    transition(plain, stasisEnd, 12, ID);
    expect(transition(plain, stasisStart(['amd', 'MACHINE', 'MAXWORDS-4-3']), 20, ID)).toEqual([]);
    expect(plain.amdVerdict).toBeUndefined();
  });
});
