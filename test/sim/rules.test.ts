import { afterEach, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';
import { timelineFor } from '../../src/sim/call-timeline.js';
import { OutcomeRules, type Outcome } from '../../src/sim/rules.js';
import { findTechnology } from '../../src/sim/technologies.js';
import { EventLog, channelOf, rest, wsUrl } from './sim-client.js';

const KEY = 'api_key=asterisk:asterisk';

describe('OutcomeRules', () => {
  it('reads keywords in the resource, noanswer before answer', () => {
    const rules = new OutcomeRules();
    const cases: Array<[string, Outcome]> = [
      ['Local/answer@sim', 'answer'],
      ['Local/noanswer@sim', 'noanswer'],
      ['SIP/operator/busy', 'busy'],
      ['Local/congest@sim', 'congestion'],
      ['PJSIP/reject-me', 'rejected'],
      ['SIP/unavailable', 'unavailable'],
      ['IAX2/fail', 'failed'],
      ['SIP/operator', 'answer'],
    ];
    for (const [endpoint, outcome] of cases) expect([endpoint, rules.decide(endpoint).outcome]).toEqual([endpoint, outcome]);
    expect(rules.decide('SIP/operator/busy').source).toBe('keyword');
    expect(rules.decide('SIP/operator').source).toBe('default');
  });

  it('maps the last digit of the number: 0-5 answer, 6 busy, 7 no answer, 8 congestion, 9 rejected', () => {
    const rules = new OutcomeRules();
    const got = [...'0123456789'].map((d) => rules.decide(`SIP/trunk/555123000${d}`).outcome);
    expect(got).toEqual(['answer', 'answer', 'answer', 'answer', 'answer', 'answer', 'busy', 'noanswer', 'congestion', 'rejected']);
    expect(rules.decide('PJSIP/+1 (555) 123-0008@trunk').outcome).toBe('congestion');
    expect(rules.decide('SIP/trunk/5551230006').source).toBe('last-digit');
  });

  it('checks custom rules first; a sequence follows the nth originate of each endpoint, the last repeating', () => {
    const rules = new OutcomeRules({
      rules: [
        { match: /^SIP\/retry\//, outcome: ['busy', 'noanswer', 'answer'], ringMs: 50 },
        { match: 'answer@sim', outcome: 'congestion' },
      ],
    });
    const a = ['SIP/retry/1', 'SIP/retry/1', 'SIP/retry/2', 'SIP/retry/1', 'SIP/retry/1'].map((e) => rules.decide(e).outcome);
    expect(a).toEqual(['busy', 'noanswer', 'busy', 'answer', 'answer']);
    expect(rules.decide('SIP/retry/1')).toMatchObject({ ringMs: 50, talkMs: 2000, source: 'rule' });
    expect(rules.decide('Local/answer@sim').outcome).toBe('congestion'); // before the keyword
  });

  it('draws the mix deterministically from the seed, in proportion to the weights', () => {
    const draw = (seed: number): Outcome[] => {
      const rules = new OutcomeRules({ mix: { answer: 3, busy: 1 }, seed });
      return Array.from({ length: 4000 }, () => rules.decide('SIP/nodigits').outcome);
    };
    const a = draw(7);
    expect(draw(7)).toEqual(a);
    expect(draw(8)).not.toEqual(a);
    const busy = a.filter((o) => o === 'busy').length / a.length;
    expect(busy).toBeGreaterThan(0.2);
    expect(busy).toBeLessThan(0.3);
    expect(new OutcomeRules({ mix: { answer: 1 } }).decide('SIP/x/5551230006').outcome).toBe('busy'); // number rule first
  });

  it('rejects bad rules and mixes with the option named', async () => {
    expect(() => new OutcomeRules({ rules: [{ match: 'x', outcome: [] }] })).toThrow(/rules\[0\]\.outcome/);
    expect(() => new OutcomeRules({ rules: [{ match: 'x', outcome: 'maybe' as Outcome }] })).toThrow(/unknown outcome/);
    expect(() => new OutcomeRules({ mix: { busy: -1 } })).toThrow(/mix\.busy/);
    await expect(AriSim.start({ timeScale: 0, sessionLimit: 0 })).rejects.toThrow(/timeScale[\s\S]*sessionLimit/);
  });
});

describe('timelines', () => {
  const sip = findTechnology('SIP')!;
  const local = findTechnology('local')!;
  it('rings SIP after its signalling delay, fails SIP after twice that, fails Local at once', () => {
    expect(timelineFor({ outcome: 'answer', ringMs: undefined, talkMs: 2000, source: 'default' }, sip, 30_000)).toMatchObject({
      end: 'answer',
      ringAt: 100,
      endAt: 1000,
    });
    expect(timelineFor({ outcome: 'busy', ringMs: undefined, talkMs: 2000, source: 'default' }, sip, 30_000)).toMatchObject({
      ringAt: undefined,
      endAt: 200,
    });
    expect(timelineFor({ outcome: 'busy', ringMs: undefined, talkMs: 2000, source: 'default' }, local, 30_000)).toMatchObject({
      ringAt: undefined,
      endAt: 0,
    });
    expect(timelineFor({ outcome: 'answer', ringMs: 0, talkMs: 0, source: 'rule' }, sip, 30_000)).toMatchObject({ ringAt: undefined, endAt: 0 });
  });
});

describe('rules through the simulator', () => {
  let sim: AriSim;
  afterEach(async () => {
    await sim.stop();
  });

  it('the number rule decides SIP trunk calls; a sequence rule turns busy into answer on the retry', async () => {
    sim = await AriSim.start({ timeScale: 0.02, rules: [{ match: 'retry', outcome: ['busy', 'answer'], ringMs: 200 }] });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    const ends = new Map<string, string>();
    const call = async (endpoint: string, id: string): Promise<void> => {
      await rest(sim.url, 'POST', `/channels?endpoint=${encodeURIComponent(endpoint)}&app=dialer&channelId=${id}`);
      const last = await log.next((e) => channelOf(e)?.id === id && (e.type === 'ChannelDestroyed' || e.type === 'StasisStart'));
      const dial = log
        .ofChannel(id)
        .filter((e) => e.type === 'Dial')
        .pop();
      ends.set(id, `${last.type}:${String(last.cause ?? '')}:${String(dial?.dialstatus)}`);
    };
    await call('SIP/trunk/5551230006', 'n6');
    await call('SIP/trunk/5551230008', 'n8');
    await call('SIP/trunk/5551230009', 'n9');
    await call('SIP/trunk/5551230003', 'n3');
    await call('PJSIP/retry', 'r1');
    await call('PJSIP/retry', 'r2');
    expect(Object.fromEntries(ends)).toEqual({
      n6: 'ChannelDestroyed:17:BUSY',
      n8: 'ChannelDestroyed:34:CONGESTION',
      n9: 'ChannelDestroyed:21:NOANSWER',
      n3: 'StasisStart::ANSWER',
      r1: 'ChannelDestroyed:17:BUSY',
      r2: 'StasisStart::ANSWER',
    });
    // The rule's ringMs rang the busy retry first.
    expect(log.ofChannel('r1').map((e) => e.type)).toEqual(['Dial', 'ChannelStateChange', 'Dial', 'Dial', 'ChannelDestroyed']);
    log.close();
  });

  it('talkMs: the callee hangs up that long after answer; StasisEnd precedes the destroy when never continued', async () => {
    sim = await AriSim.start({ timeScale: 0.02, rules: [{ match: 'short', outcome: 'answer', ringMs: 100, talkMs: 1000 }] });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    await rest(sim.url, 'POST', '/channels?endpoint=Local/short@sim&app=dialer&channelId=t1');
    const start = await log.next((e) => e.type === 'StasisStart');
    await log.until(() => log.events.filter((e) => e.type === 'ChannelDestroyed').length === 2, 2000, 'both destroyed');
    const after = log.events.slice(log.events.indexOf(start) + 1).map((e) => `${e.type}${channelOf(e)?.name.endsWith(';2') ? ';2' : ''}`);
    expect(after).toEqual([
      'ChannelDialplan;2', // Wait(1) after Answer()'s 500 ms
      'ChannelHangupRequest;2', // the `;2` half is torn down softly first (after-answer/talk_detect_machine_greeting.json)
      'ChannelHangupRequest',
      'ChannelDestroyed;2',
      'StasisEnd',
      'ChannelVarset',
      'ChannelDestroyed',
    ]);
    const destroyed = log.events.filter((e) => e.type === 'ChannelDestroyed');
    expect(destroyed.map((e) => e.cause)).toEqual([16, 16]);
    log.close();
  });
});
