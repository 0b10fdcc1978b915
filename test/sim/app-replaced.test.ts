import { afterEach, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';
import { EventLog, rest, sleep, wsUrl } from './sim-client.js';
import { wsText } from '../../src/ari/ws-text.js';

const KEY = 'api_key=asterisk:asterisk';

describe('one WebSocket per Stasis app', () => {
  let sim: AriSim;
  afterEach(async () => {
    await sim.stop();
  });

  it('a second socket for the same app replaces the first: ApplicationReplaced, then close', async () => {
    sim = await AriSim.start({ timeScale: 0.02 });
    const first = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    const second = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    const replaced = await first.next((e) => e.type === 'ApplicationReplaced');
    expect(replaced).toMatchObject({ type: 'ApplicationReplaced', application: 'dialer', asterisk_id: expect.any(String) });
    expect(replaced.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    await first.until(() => first.closed, 2000, 'the replaced socket to close');

    // Calls now reach the new socket only.
    const post = await rest(sim.url, 'POST', '/channels?endpoint=Local/answer@sim&app=dialer');
    expect(post.status).toBe(200);
    await second.next((e) => e.type === 'StasisStart');
    expect(first.events.map((e) => e.type)).toEqual(['ApplicationReplaced']);
    expect(second.events.some((e) => e.type === 'ApplicationReplaced')).toBe(false);
    second.close();
  });

  it('a socket holding several apps loses only the replaced one and stays open', async () => {
    sim = await AriSim.start({ timeScale: 0.02 });
    const both = await EventLog.open(wsUrl(sim.url, `app=a,b&${KEY}`));
    const onlyB = await EventLog.open(wsUrl(sim.url, `app=b&${KEY}`));
    await both.next((e) => e.type === 'ApplicationReplaced' && e.application === 'b');
    await sleep(50);
    expect(both.closed).toBe(false);

    await rest(sim.url, 'POST', '/channels?endpoint=Local/answer@sim&app=a');
    await rest(sim.url, 'POST', '/channels?endpoint=Local/answer@sim&app=b');
    await both.next((e) => e.type === 'StasisStart' && e.application === 'a');
    await onlyB.next((e) => e.type === 'StasisStart' && e.application === 'b');
    expect(both.events.filter((e) => e.type === 'StasisStart').map((e) => e.application)).toEqual(['a']);
    both.close();
    onlyB.close();
  });

  it('events are JSON text frames carrying asterisk_id and the application, last', async () => {
    sim = await AriSim.start({ timeScale: 0.02 });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    const raw: string[] = [];
    log.ws.on('message', (data, isBinary) => {
      expect(isBinary).toBe(false);
      raw.push(wsText(data));
    });
    await rest(sim.url, 'POST', '/channels?endpoint=SIP/operator/busy&app=dialer');
    await log.next((e) => e.type === 'ChannelDestroyed');
    for (const text of raw) expect(text).toMatch(/,"asterisk_id":"[^"]+","application":"dialer"\}$/);
    log.close();
  });
});
