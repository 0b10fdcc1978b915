import { afterEach, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';
import { EventLog, basic, rest, wsUrl } from './sim-client.js';

describe('ARI authentication (ari.conf users)', () => {
  let sim: AriSim;
  afterEach(async () => {
    await sim.stop();
  });

  it('answers 401 {"message":"Authentication required"} with a Basic challenge to bad or missing REST credentials', async () => {
    sim = await AriSim.start({ users: { dialer: 'dialerpass' } });
    for (const auth of [basic('dialer', 'wrongpass'), basic('nosuchuser', 'x'), null]) {
      const res = await rest(sim.url, 'GET', '/asterisk/info', { auth });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ message: 'Authentication required' });
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="Asterisk REST Interface"');
    }
    // A rejected originate does nothing.
    const post = await rest(sim.url, 'POST', '/channels?endpoint=Local%2Fanswer%40sim&app=dialer', { auth: null });
    expect(post.status).toBe(401);
    expect(sim.stats.originates).toBe(0);
    expect(sim.liveChannels()).toEqual([]);
  });

  it('accepts HTTP Basic and the api_key query parameter', async () => {
    sim = await AriSim.start({ users: { dialer: 'dialerpass' } });
    const byHeader = await rest(sim.url, 'GET', '/asterisk/info', { auth: basic('dialer', 'dialerpass') });
    expect(byHeader.status).toBe(200);
    expect(byHeader.body).toMatchObject({ system: { version: '20.20.1' } });
    const byKey = await rest(sim.url, 'GET', '/asterisk/info?api_key=dialer%3Adialerpass', { auth: null });
    expect(byKey.status).toBe(200);
    const badKey = await rest(sim.url, 'GET', '/asterisk/info?api_key=dialer%3Awrong', { auth: null });
    expect(badKey.status).toBe(401);
  });

  it('refuses the WebSocket upgrade with an HTTP 401 and the same JSON body', async () => {
    sim = await AriSim.start({ users: { dialer: 'dialerpass' } });
    const refused = await EventLog.open(wsUrl(sim.url, 'app=dialer&api_key=dialer:wrongpass')).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 401 });
    expect(JSON.parse((refused as { text: string }).text)).toEqual({ message: 'Authentication required' });
    const none = await EventLog.open(wsUrl(sim.url, 'app=dialer')).catch((e: unknown) => e);
    expect(none).toMatchObject({ status: 401 });

    const byKey = await EventLog.open(wsUrl(sim.url, 'app=dialer&api_key=dialer:dialerpass'));
    const byHeader = await EventLog.open(wsUrl(sim.url, 'app=other'), { authorization: basic('dialer', 'dialerpass') });
    expect(byKey.closed).toBe(false);
    expect(byHeader.closed).toBe(false);
    byKey.close();
    byHeader.close();
  });

  it('serves under the http.conf prefix and nowhere else', async () => {
    sim = await AriSim.start({ prefix: 'asterisk' });
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}/asterisk/ari`);
    expect((await rest(sim.url, 'GET', '/applications')).status).toBe(200);
    const outside = await rest(`http://127.0.0.1:${sim.port}/ari`, 'GET', '/applications');
    expect(outside.status).toBe(404);
    expect(String(outside.body)).toContain('The requested URL was not found on this server.');
  });
});
