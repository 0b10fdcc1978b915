import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';
import { EventLog, rest, wsUrl } from './sim-client.js';

const KEY = 'api_key=asterisk:asterisk';

describe('stats', () => {
  let sim: AriSim;
  afterEach(async () => {
    await sim.stop();
  });

  it('counts accepted originates, active and peak channels, continues and REST requests', async () => {
    // Slow enough (dialplan after continue: 200 ms) that a loaded machine still sees the channel between requests.
    sim = await AriSim.start({ timeScale: 0.2, rules: [{ match: /^Local\/answer@/, outcome: 'answer', ringMs: 100, talkMs: 60_000 }] });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    const before = Date.now();
    const a = await rest(sim.url, 'POST', '/channels?endpoint=Local/answer@sim&app=dialer&channelId=a');
    const b = await rest(sim.url, 'POST', '/channels?endpoint=Local/noanswer@sim&app=dialer&channelId=b');
    const dup = await rest(sim.url, 'POST', '/channels?endpoint=Local/answer@sim&app=dialer&channelId=a');
    const bad = await rest(sim.url, 'POST', '/channels?endpoint=Bogus/x&app=dialer');
    expect([a.status, b.status, dup.status, bad.status]).toEqual([200, 200, 409, 500]);
    expect(bad.body).toEqual({ error: 'Allocation failed' });

    expect(sim.stats.originates).toBe(2);
    expect([...sim.stats.originatesByEndpoint]).toEqual([
      ['Local/answer@sim', 1],
      ['Local/noanswer@sim', 1],
    ]);
    expect([...sim.stats.originatesByChannelId.keys()]).toEqual(['a', 'b']);
    expect(sim.stats.originateTimestamps).toHaveLength(2);
    expect(sim.stats.originateTimestamps[0]).toBeGreaterThanOrEqual(before);
    expect(sim.stats.activeChannels).toBe(2); // Local ;2 halves are not counted
    expect(sim.stats.peakActiveChannels).toBe(2);

    await log.next((e) => e.type === 'StasisStart');
    const early = await rest(sim.url, 'POST', '/channels/b/continue'); // still ringing
    const cont = await rest(sim.url, 'POST', '/channels/a/continue?context=default&extension=s&priority=1');
    const late = await rest(sim.url, 'POST', '/channels/a/continue');
    expect([early.status, cont.status, late.status]).toEqual([409, 204, 409]);
    expect(sim.stats.continues).toBe(1);
    expect(sim.stats.rejectedContinues).toBe(2);

    await log.next((e) => e.type === 'ChannelDestroyed' && (e.channel as { id: string }).id === 'a');
    expect(sim.stats.activeChannels).toBe(1);
    expect(sim.stats.peakActiveChannels).toBe(2);
    expect(sim.stats.restRequests).toBe(7);

    sim.resetStats();
    expect(sim.stats).toMatchObject({ originates: 0, continues: 0, restRequests: 0, rejectedContinues: 0 });
    expect(sim.stats.originatesByEndpoint.size).toBe(0);
    expect(sim.stats.originateTimestamps).toEqual([]);
    expect(sim.stats.activeChannels).toBe(1); // a gauge: b still rings
    expect(sim.stats.peakActiveChannels).toBe(1);
    await rest(sim.url, 'DELETE', '/channels/b');
    expect(sim.stats.activeChannels).toBe(0);
    log.close();
  });

  it('cleans every per-channel structure under load (300 instant calls over a pool of 8)', async () => {
    sim = await AriSim.start({ timeScale: 0.01, rules: [{ match: 'fast', outcome: 'answer', ringMs: 0, talkMs: 0 }] });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    // A bounded pool, as the traces' README advises: an unbounded one trips the session limit (100).
    const pool = new Pool(`http://127.0.0.1:${sim.port}`, { connections: 8 });
    const posts = Array.from({ length: 300 }, async (_, i) => {
      const endpoint = i % 2 ? 'SIP/fast' : 'Local/fast@sim';
      const res = await pool.request({
        method: 'POST',
        path: `/ari/channels?endpoint=${endpoint}&app=dialer&channelId=load-${i}&api_key=asterisk:asterisk`,
      });
      await res.body.dump();
      return res.statusCode;
    });
    expect(await Promise.all(posts)).toEqual(Array(300).fill(200));
    await pool.close();
    await log.until(() => sim.stats.activeChannels === 0, 5000, 'all calls to end');
    expect(sim.liveChannels()).toEqual([]);
    expect(log.events.filter((e) => e.type === 'StasisStart')).toHaveLength(300);
    const app = await rest(sim.url, 'GET', '/applications/dialer');
    expect(app.body).toMatchObject({ name: 'dialer', channel_ids: [] });
    expect(sim.stats.peakActiveChannels).toBeGreaterThan(1);
    log.close();
  });
});
