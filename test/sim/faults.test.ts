import { afterEach, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';
import { EventLog, rest, sleep, wsUrl } from './sim-client.js';

const KEY = 'api_key=asterisk:asterisk';

describe('faults', () => {
  let sim: AriSim;
  afterEach(async () => {
    await sim.stop();
  });

  it('dropSockets cuts every event socket abruptly; calls go on and a reconnected app hears them again', async () => {
    sim = await AriSim.start({ timeScale: 0.05, rules: [{ match: 'slow', outcome: 'answer', ringMs: 3000 }] });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    const post = await rest(sim.url, 'POST', '/channels?endpoint=SIP/slow&app=dialer&channelId=c1');
    expect(post.status).toBe(200);
    await log.next((e) => e.type === 'Dial');
    sim.faults.dropSockets();
    await log.until(() => log.closed, 2000, 'close');
    expect(log.closeCode).toBe(1006); // no close frame: abrupt
    expect(sim.liveChannels().map((c) => c.id)).toEqual(['c1']);

    const again = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    const start = await again.next((e) => e.type === 'StasisStart', 3000);
    expect((start.channel as { id: string }).id).toBe('c1');
    again.close();
  });

  it('resetConnections resets every TCP connection (REST and WebSocket) at once; the server listens on, calls live on', async () => {
    sim = await AriSim.start({ timeScale: 0.05, rules: [{ match: 'slow', outcome: 'answer', ringMs: 3000 }] });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    expect((await rest(sim.url, 'POST', '/channels?endpoint=SIP/slow&app=dialer&channelId=r1')).status).toBe(200);
    await log.next((e) => e.type === 'Dial');

    // A request in flight on a pooled keep-alive connection when the reset comes fails; it was carried out anyway.
    sim.faults.setRestDelay(300);
    const inFlight = rest(sim.url, 'POST', '/channels?endpoint=SIP/slow&app=dialer&channelId=r2');
    await sleep(100);
    sim.faults.resetConnections();
    const failure = await inFlight.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(Error);
    sim.faults.setRestDelay(0);
    await log.until(() => log.closed, 2000, 'close');
    expect(log.closeCode).toBe(1006); // no close frame: abrupt

    // The listener is still there: a retry on a new connection works, and the calls are alive.
    const again = await rest(sim.url, 'GET', '/channels');
    expect(again.status).toBe(200);
    expect((again.body as Array<{ id: string }>).map((c) => c.id).sort()).toEqual(['r1', 'r2']);
    const reconnected = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    await reconnected.next((e) => e.type === 'StasisStart' && (e.channel as { id: string }).id === 'r1', 3000);
    reconnected.close();
  });

  it('a call answered while its app has no socket fails Stasis and is hung up (no StasisStart)', async () => {
    // Rings 100 ms, then would talk for 20 s if Stasis took it.
    sim = await AriSim.start({ timeScale: 0.02, rules: [{ match: 'long', outcome: 'answer', ringMs: 5000, talkMs: 1_000_000 }] });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    await rest(sim.url, 'POST', '/channels?endpoint=Local/long@sim&app=dialer&channelId=c2');
    log.close();
    await log.until(() => log.closed);
    await sleep(400);
    expect(log.events.some((e) => e.type === 'StasisStart')).toBe(false);
    expect(sim.liveChannels()).toEqual([]);
    expect(sim.stats.activeChannels).toBe(0);
  });

  it('setRestDelay delays answers, not the work: events come first', async () => {
    sim = await AriSim.start({ timeScale: 0.02 });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    sim.faults.setRestDelay(150);
    const t0 = Date.now();
    const post = await rest(sim.url, 'POST', '/channels?endpoint=Local/busy@sim&app=dialer&channelId=slow1');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(post.status).toBe(200);
    expect(log.ofChannel('slow1').map((e) => e.type)).toContain('ChannelDestroyed');
    sim.faults.setRestDelay(0);
    const t1 = Date.now();
    await rest(sim.url, 'GET', '/channels');
    expect(Date.now() - t1).toBeLessThan(100);
    log.close();
  });

  it('failRest answers the status for matching requests, count times, without doing them', async () => {
    sim = await AriSim.start({ timeScale: 0.02 });
    sim.faults.failRest(503, { count: 2, match: /^POST \/ari\/channels$/ });
    const a = await rest(sim.url, 'POST', '/channels?endpoint=Local/busy@sim&app=dialer');
    const other = await rest(sim.url, 'GET', '/channels');
    const b = await rest(sim.url, 'POST', '/channels?endpoint=Local/busy@sim&app=dialer');
    const c = await rest(sim.url, 'POST', '/channels?endpoint=Local/busy@sim&app=dialer');
    expect([a.status, other.status, b.status, c.status]).toEqual([503, 200, 503, 200]);
    expect(a.body).toEqual({ message: 'Simulated failure' });
    expect(sim.stats.originates).toBe(1);

    sim.faults.failRest(500); // every request, until cleared
    expect((await rest(sim.url, 'GET', '/asterisk/info')).status).toBe(500);
    expect((await rest(sim.url, 'GET', '/channels')).status).toBe(500);
    sim.faults.clear();
    expect((await rest(sim.url, 'GET', '/channels')).status).toBe(200);
  });

  it('refuseConnections destroys new connections (HTTP and WebSocket) until switched off', async () => {
    sim = await AriSim.start();
    sim.faults.refuseConnections(true);
    await expect(fetch(`${sim.url}/asterisk/info`)).rejects.toThrow();
    await expect(EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`))).rejects.toThrow();
    sim.faults.refuseConnections(false);
    expect((await rest(sim.url, 'GET', '/asterisk/info')).status).toBe(200);
    sim.faults.refuseConnections(true);
    sim.faults.clear();
    expect((await rest(sim.url, 'GET', '/asterisk/info')).status).toBe(200);
  });

  it('an unreachable resource (nosuch) never allocates: 500 Allocation failed, like an unknown driver', async () => {
    sim = await AriSim.start();
    const res = await rest(sim.url, 'POST', '/channels?endpoint=SIP/nosuchtrunk/5551230001&app=dialer');
    expect([res.status, res.body]).toEqual([500, { error: 'Allocation failed' }]);
    expect(sim.stats.originates).toBe(0);
  });

  it('trunkDown refuses originates (or places them to fail at once) until trunkUp', async () => {
    sim = await AriSim.start({ timeScale: 0.05 });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    sim.faults.trunkDown('SIP/carrier-a/');
    const refused = await rest(sim.url, 'POST', '/channels?endpoint=SIP/carrier-a/5551230001&app=dialer');
    expect([refused.status, refused.body]).toEqual([500, { error: 'Allocation failed' }]);
    expect((await rest(sim.url, 'POST', '/channels?endpoint=SIP/carrier-b/5551230001&app=dialer')).status).toBe(200);

    sim.faults.trunkUp('SIP/carrier-a/');
    for (const cause of [34, 38] as const) {
      sim.faults.trunkDown(/^SIP\/carrier-a\//, { mode: 'fail', cause });
      const id = `placed-${cause}`;
      expect((await rest(sim.url, 'POST', `/channels?endpoint=SIP/carrier-a/5551230001&app=dialer&channelId=${id}`)).status).toBe(200);
      const destroyed = await log.next((e) => e.type === 'ChannelDestroyed' && (e.channel as { id: string }).id === id);
      expect(destroyed.cause).toBe(cause);
      const dial = log
        .ofChannel(id)
        .filter((e) => e.type === 'Dial')
        .at(-1)!;
      expect(dial.dialstatus).toBe(cause === 34 ? 'CONGESTION' : 'NOANSWER');
      sim.faults.trunkUp();
    }
    expect((await rest(sim.url, 'POST', '/channels?endpoint=SIP/carrier-a/5551230001&app=dialer')).status).toBe(200);
    expect(() => sim.faults.trunkDown('x', { cause: 41 as 34 })).toThrow(/cause/);
    log.close();
  });

  it('checks fault arguments', async () => {
    sim = await AriSim.start();
    expect(() => sim.faults.setRestDelay(-1)).toThrow(/setRestDelay/);
    expect(() => sim.faults.failRest(42)).toThrow(/status/);
  });
});
