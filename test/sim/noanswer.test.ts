import { afterEach, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';
import { EventLog, channelOf, rest, sleep, wsUrl, type AriEvent } from './sim-client.js';

const KEY = 'api_key=asterisk:asterisk';

function summary(events: AriEvent[]): string[] {
  return events.map((e) => {
    const ch = channelOf(e);
    const half = ch?.name.endsWith(';2') ? ';2' : '';
    const extra = e.type === 'Dial' ? ` ${String(e.dialstatus)}` : e.cause !== undefined ? ` ${String(e.cause)}${e.soft ? ' soft' : ''}` : '';
    return `${e.type}${half}${extra}`;
  });
}

describe('no answer and the originate timeout', () => {
  let sim: AriSim | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  async function start(options: Parameters<typeof AriSim.start>[0]): Promise<{ sim: AriSim; log: EventLog }> {
    sim = await AriSim.start({ timeScale: 0.05, ...options });
    return { sim, log: await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`)) };
  }

  it('rings until the originate timeout (scaled), then ChannelDestroyed 19 on a SIP channel, with no StasisStart', async () => {
    const { sim, log } = await start({});
    const t0 = Date.now();
    await rest(sim.url, 'POST', '/channels?endpoint=SIP/trunk/5551230007&app=dialer&timeout=4&channelId=na');
    const destroyed = await log.next((e) => e.type === 'ChannelDestroyed', 2000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190); // 4 s × 0.05
    expect(destroyed).toMatchObject({ cause: 19, cause_txt: 'User alerting, no answer' });
    expect(channelOf(destroyed)?.state).toBe('Ringing');
    expect(summary(log.events)).toEqual(['Dial ', 'ChannelStateChange', 'Dial RINGING', 'ChannelDestroyed 19']);
    log.close();
  });

  it('reports cause 0 "Unknown" when configured like the Asterisk versions that do', async () => {
    const { sim, log } = await start({ noAnswerCause: 0 });
    await rest(sim.url, 'POST', '/channels?endpoint=Local/noanswer@sim&app=dialer&timeout=2');
    await log.until(() => log.events.filter((e) => e.type === 'ChannelDestroyed').length === 2, 2000, 'both halves');
    const destroyed = log.events.filter((e) => e.type === 'ChannelDestroyed');
    expect(destroyed.map((e) => [e.cause, e.cause_txt])).toEqual([
      [0, 'Unknown'],
      [0, 'Unknown'],
    ]);
    log.close();
  });

  it('a callee that would answer after the timeout times out instead', async () => {
    const { sim, log } = await start({ rules: [{ match: 'late', outcome: 'answer', ringMs: 10_000 }] });
    await rest(sim.url, 'POST', '/channels?endpoint=PJSIP/late&app=dialer&timeout=3');
    const destroyed = await log.next((e) => e.type === 'ChannelDestroyed', 2000);
    expect(destroyed.cause).toBe(19);
    expect(log.events.some((e) => e.type === 'StasisStart')).toBe(false);
    log.close();
  });

  it('without a timeout (-1) rings until hung up; DELETE?reason=busy ends it with cause 17 and Dial BUSY', async () => {
    const { sim, log } = await start({});
    await rest(sim.url, 'POST', '/channels?endpoint=Local/noanswer@sim&app=dialer&timeout=-1&channelId=forever');
    await sleep(300); // longer than the default 30 s × 0.05
    expect(
      sim
        .liveChannels()
        .map((c) => c.id)
        .sort(),
    ).toEqual(['forever', 'forever;2']);
    expect((await rest(sim.url, 'DELETE', '/channels/forever?reason=nonsense')).status).toBe(400);
    expect((await rest(sim.url, 'DELETE', '/channels/forever?reason=busy')).status).toBe(204);
    await log.until(() => log.events.filter((e) => e.type === 'ChannelDestroyed').length === 2, 1000, 'destroy');
    expect(summary(log.events).slice(-6)).toEqual([
      'ChannelHangupRequest 32 soft',
      'Dial BUSY',
      'ChannelHangupRequest;2 17',
      'ChannelDestroyed 17',
      'ChannelHangupRequest;2 16 soft',
      'ChannelDestroyed;2 17',
    ]);
    log.close();
  });

  it('the default timeout is 30 s (here 30 × 0.01 s)', async () => {
    const { sim, log } = await start({ timeScale: 0.01 });
    const t0 = Date.now();
    await rest(sim.url, 'POST', '/channels?endpoint=SIP/x/noanswer&app=dialer');
    await log.next((e) => e.type === 'ChannelDestroyed', 2000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    log.close();
  });
});
