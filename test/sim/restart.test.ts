import { afterEach, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';
import { EventLog, rest, sleep, wsUrl } from './sim-client.js';

const KEY = 'api_key=asterisk:asterisk';

describe('restart ("Asterisk restarts")', () => {
  let sim: AriSim;
  afterEach(async () => {
    await sim.stop();
  });

  it('cuts sockets, drops channels without events, refuses connections while down, then listens on the same port', async () => {
    sim = await AriSim.start({ timeScale: 0.02 });
    const { port, url } = sim;
    const log = await EventLog.open(wsUrl(url, `app=dialer&${KEY}`));
    await rest(url, 'POST', '/channels?endpoint=Local/noanswer@sim&app=dialer&channelId=ringing-1&timeout=-1');
    await log.next((e) => e.type === 'Dial' && e.dialstatus === 'RINGING');
    const eventsBefore = log.events.length;
    expect(sim.stats.activeChannels).toBe(1);

    const restarting = sim.restart(300);
    await log.until(() => log.closed, 1000, 'socket cut');
    await sleep(50);
    await expect(fetch(`${url}/asterisk/info`)).rejects.toThrow(); // connection refused while down
    await restarting;

    expect(sim.port).toBe(port);
    expect(sim.url).toBe(url);
    expect(log.events.length).toBe(eventsBefore); // no ChannelDestroyed or anything else
    expect(sim.liveChannels()).toEqual([]);
    expect(sim.stats.activeChannels).toBe(0);
    const gone = await rest(url, 'GET', '/channels/ringing-1');
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ message: 'Channel not found' });

    // Apps are gone too; a new socket works as on a fresh Asterisk.
    expect((await rest(url, 'GET', '/applications')).body).toEqual([]);
    const again = await EventLog.open(wsUrl(url, `app=dialer&${KEY}`));
    await rest(url, 'POST', '/channels?endpoint=SIP/operator/busy&app=dialer');
    const destroyed = await again.next((e) => e.type === 'ChannelDestroyed');
    expect(destroyed.cause).toBe(17);
    again.close();
  });

  it('overlapping restarts are one restart', async () => {
    sim = await AriSim.start();
    await Promise.all([sim.restart(50), sim.restart(50)]);
    expect((await rest(sim.url, 'GET', '/asterisk/info')).status).toBe(200);
  });

  it('stop() ends a restart in progress without listening again', async () => {
    sim = await AriSim.start();
    const restarting = sim.restart(200);
    await sim.stop();
    await restarting;
    await expect(fetch(`${sim.url}/asterisk/info`)).rejects.toThrow();
  });
});
