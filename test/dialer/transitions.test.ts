import { describe, expect, it } from 'vitest';
import type { AriEvent } from '../../src/ari/types.generated.js';
import { initialCallState, transition } from '../../src/dialer/transitions.js';

const ID = 'dlr-c1-r1-a1';
const ch = (id: string, state: string) => ({ id, state, name: `Local/x@sim-1;${id.endsWith(';2') ? 2 : 1}` });
const ev = (type: string, extra: Record<string, unknown>) => ({ type, timestamp: '', application: 'dialer', ...extra }) as unknown as AriEvent;
const stateChange = (state: string, id = ID) => ev('ChannelStateChange', { channel: ch(id, state) });
const stasisStart = (state = 'Up') => ev('StasisStart', { args: [], channel: ch(ID, state) });
const destroyed = (cause: number, id = ID) => ev('ChannelDestroyed', { cause, cause_txt: 'x', channel: ch(id, 'Up') });

describe('call transitions', () => {
  it('continues once when Up arrives before StasisStart (the order real Asterisk sends)', () => {
    const s = initialCallState();
    expect(transition(s, stateChange('Ringing'), 1, ID)).toEqual([]);
    expect(transition(s, stateChange('Up'), 2, ID)).toEqual([]);
    expect(transition(s, stasisStart(), 3, ID)).toEqual([{ type: 'continue', to: 'destination' }]);
    expect(transition(s, stasisStart(), 4, ID)).toEqual([]);
    expect(s).toMatchObject({ ringingAt: 1, answeredAt: 2, phase: 'continued' });
  });

  it('continues once when StasisStart arrives before Up', () => {
    const s = initialCallState();
    s.inStasis = false;
    expect(transition(s, stasisStart('Ringing'), 1, ID)).toEqual([]);
    expect(transition(s, stateChange('Up'), 2, ID)).toEqual([{ type: 'continue', to: 'destination' }]);
    expect(transition(s, stateChange('Up'), 3, ID)).toEqual([]);
  });

  it('never continues on Up alone (continue would get 409 outside Stasis)', () => {
    const s = initialCallState();
    expect(transition(s, stateChange('Up'), 1, ID)).toEqual([]);
    expect(s.continueSent).toBe(false);
  });

  it('ignores the Local ;2 half for state but remembers its cause', () => {
    const s = initialCallState();
    expect(transition(s, stateChange('Up', `${ID};2`), 1, ID)).toEqual([]);
    expect(s.up).toBe(false);
    expect(transition(s, destroyed(17, `${ID};2`), 2, ID)).toEqual([]);
    expect(s.otherHalfCause).toBe(17);
  });

  it('ends on its own ChannelDestroyed and then ignores everything', () => {
    const s = initialCallState();
    const actions = transition(s, destroyed(16), 5, ID);
    expect(actions).toEqual([{ type: 'ended', cause: 16, causeTxt: 'x', techCause: undefined }]);
    expect(transition(s, stasisStart(), 6, ID)).toEqual([]);
  });

  it('records the Dial status', () => {
    const s = initialCallState();
    transition(s, ev('Dial', { dialstatus: 'BUSY', peer: ch(ID, 'Down') }), 1, ID);
    expect(s.dialstatus).toBe('BUSY');
  });
});
