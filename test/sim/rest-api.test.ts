import { afterEach, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';
import { EventLog, channelOf, rest, sleep, wsUrl } from './sim-client.js';

const KEY = 'api_key=asterisk:asterisk';

describe('REST surface', () => {
  let sim: AriSim;
  afterEach(async () => {
    await sim.stop();
  });

  it('answers unknown paths, wrong methods, trailing slashes and unsimulated resources as Asterisk does', async () => {
    sim = await AriSim.start();
    expect(await rest(sim.url, 'GET', '/nosuch')).toMatchObject({ status: 404, body: { message: 'Resource not found' } });
    expect(await rest(sim.url, 'GET', '/channels/x/nosuch')).toMatchObject({ status: 404, body: { message: 'Resource not found' } });
    const wrong = await rest(sim.url, 'PUT', '/channels');
    expect(wrong).toMatchObject({ status: 405, body: { message: 'Invalid method' } });
    expect(wrong.headers.get('allow')).toBe('GET,POST');
    expect(await rest(sim.url, 'GET', '/channels/')).toMatchObject({
      status: 404,
      body: { message: 'ARI URLs do not end with a slash. Try /ari/channels' },
    });
    expect((await rest(sim.url, 'GET', '/bridges')).status).toBe(501);
    const ping = await rest(sim.url, 'GET', '/asterisk/ping');
    expect(ping.body).toMatchObject({ ping: 'pong', asterisk_id: expect.any(String) });
    expect((await rest(sim.url, 'GET', '/asterisk/info?only=system')).body).toEqual({
      system: { version: '20.20.1', entity_id: expect.any(String) },
    });
  });

  it('refuses an events upgrade without app (HTML 400, as Asterisk) and a plain GET of /events (426)', async () => {
    sim = await AriSim.start();
    const noApp = await EventLog.open(wsUrl(sim.url, KEY)).catch((e: unknown) => e);
    expect(noApp).toMatchObject({ status: 400 });
    expect((noApp as { text: string }).text).toContain('HTTP request is missing param: [app]');
    expect((await rest(sim.url, 'GET', '/events?app=x')).status).toBe(426);
  });

  it('validates originates in Asterisk order and with its messages', async () => {
    sim = await AriSim.start();
    const post = (q: string): Promise<{ status: number; body: unknown }> => rest(sim.url, 'POST', `/channels?${q}`);
    expect(await post('app=d')).toMatchObject({ status: 400, body: { message: 'Endpoint must be specified' } });
    expect(await post('endpoint=noslash&app=d')).toMatchObject({ status: 400, body: { message: 'Invalid endpoint specified' } });
    expect(await post('endpoint=SIP/&app=d')).toMatchObject({ status: 400, body: { message: 'Invalid endpoint specified' } });
    expect(await post('endpoint=SIP/x')).toMatchObject({ status: 400, body: { message: 'Application or extension must be specified' } });
    expect(await post('endpoint=Bogus/x&app=d')).toMatchObject({ status: 500, body: { error: 'Allocation failed' } });
    expect(await post(`endpoint=SIP/x&app=d&channelId=${'x'.repeat(150)}`)).toMatchObject({
      status: 400,
      body: { message: 'Uniqueid length exceeds maximum of 149' },
    });
    expect(await post('endpoint=SIP/x&app=d&originator=nope')).toMatchObject({
      status: 400,
      body: { message: 'Provided originator channel was not found' },
    });
    expect(sim.stats.originates).toBe(0);
  });

  it('takes parameters from a JSON body too, variables included, and ids Asterisk-style', async () => {
    sim = await AriSim.start({ timeScale: 0.02 });
    const byBody = await rest(sim.url, 'POST', '/channels', {
      body: { endpoint: 'PJSIP/alice', app: 'dialer', callerId: '"Alice" <555>', timeout: 30, variables: { FOO: 'bar' } },
    });
    expect(byBody.status).toBe(200);
    const ch = byBody.body as { id: string; name: string; caller: unknown; state: string; protocol_id: string };
    expect(ch.id).toMatch(/^\d{10}\.\d+$/);
    expect(ch.name).toMatch(/^PJSIP\/alice-[0-9a-f]{8}$/);
    expect(ch.caller).toEqual({ name: 'Alice', number: '555' });
    expect(ch.state).toBe('Down');
    expect(ch.protocol_id).not.toBe('');
    const bad = await fetch(`${sim.url}/channels`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic YXN0ZXJpc2s6YXN0ZXJpc2s=' },
      body: '{nope',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ message: 'Error parsing request body' });
  });

  it('lists and fetches channels; 404 {"message":"Channel not found"} once gone', async () => {
    sim = await AriSim.start({ timeScale: 0.02 });
    await rest(sim.url, 'POST', '/channels?endpoint=Local/noanswer@sim&app=dialer&channelId=L&otherChannelId=L2');
    const list = (await rest(sim.url, 'GET', '/channels')).body as Array<{ id: string; name: string }>;
    expect(list.map((c) => c.id).sort()).toEqual(['L', 'L2']);
    expect((await rest(sim.url, 'GET', '/channels/L2')).body).toMatchObject({ name: expect.stringMatching(/;2$/), state: 'Ring' });
    expect((await rest(sim.url, 'DELETE', '/channels/L')).status).toBe(204);
    for (const [method, path] of [
      ['GET', '/channels/L'],
      ['DELETE', '/channels/L'],
      ['POST', '/channels/L/continue'],
      ['POST', '/channels/L/answer'],
    ]) {
      expect(await rest(sim.url, method!, path!)).toMatchObject({ status: 404, body: { message: 'Channel not found' } });
    }
  });

  it('originates to an app nobody listens to: 200, then the call goes away without a single event', async () => {
    sim = await AriSim.start({ timeScale: 0.02 });
    const other = await EventLog.open(wsUrl(sim.url, `app=other&${KEY}`));
    const res = await rest(sim.url, 'POST', '/channels?endpoint=Local/answer@sim&app=notregistered');
    expect(res.status).toBe(200);
    await sleep(150);
    expect(sim.liveChannels()).toEqual([]);
    expect(other.events).toEqual([]);
    other.close();
  });

  it('continue without context goes to the next priority; answer is a no-op while in Stasis', async () => {
    sim = await AriSim.start({ timeScale: 0.2, rules: [{ match: 'operator', outcome: 'answer', ringMs: 100, talkMs: 60_000 }] });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    await rest(sim.url, 'POST', '/channels?endpoint=SIP/operator&app=dialer&channelId=k');
    await log.next((e) => e.type === 'StasisStart');
    expect((await rest(sim.url, 'POST', '/channels/k/answer')).status).toBe(204);
    expect((await rest(sim.url, 'POST', '/channels/k/continue')).status).toBe(204);
    const dp = await log.next((e) => e.type === 'ChannelDialplan');
    expect((dp.channel as { dialplan: unknown }).dialplan).toMatchObject({ context: 'default', exten: '', priority: 2, app_name: 'Answer' });
    expect((await rest(sim.url, 'POST', '/channels/k/answer')).status).toBe(409);
    log.close();
  });

  it('lets another app adopt a live call through /applications/{app}/subscription', async () => {
    sim = await AriSim.start({ timeScale: 0.05, rules: [{ match: 'adopt', outcome: 'answer', ringMs: 10_000 }] });
    const crashed = await EventLog.open(wsUrl(sim.url, `app=dialer-1&${KEY}`));
    await rest(sim.url, 'POST', '/channels?endpoint=PJSIP/adopt&app=dialer-1&channelId=orphan');
    await crashed.next((e) => e.type === 'Dial');
    crashed.close();

    const heir = await EventLog.open(wsUrl(sim.url, `app=dialer-2&${KEY}`));
    const sub = (method: string, q: string, app = 'dialer-2'): Promise<{ status: number; body: unknown }> =>
      rest(sim.url, method, `/applications/${app}/subscription?${q}`);
    expect(await sub('POST', '')).toMatchObject({ status: 400, body: { message: 'Missing parameter eventSource' } });
    expect(await sub('POST', 'eventSource=channel:orphan', 'ghost')).toMatchObject({ status: 404, body: { message: 'Application not found' } });
    expect(await sub('POST', 'eventSource=bogus:orphan')).toMatchObject({ status: 400, body: { message: 'Invalid event source URI scheme' } });
    expect(await sub('POST', 'eventSource=channel:nope')).toMatchObject({ status: 422, body: { message: 'Event source does not exist' } });
    expect(await sub('DELETE', 'eventSource=channel:orphan')).toMatchObject({ status: 422 });
    const ok = await sub('POST', 'eventSource=channel:orphan');
    expect(ok).toMatchObject({ status: 200, body: { name: 'dialer-2', channel_ids: ['orphan'] } });
    expect((await rest(sim.url, 'GET', '/applications')).body).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'dialer-1', channel_ids: ['orphan'] })]),
    );

    // The heir hears the call's events; Stasis belongs to dialer-1, gone, so the answered call fails there.
    const destroyed = await heir.next((e) => e.type === 'ChannelDestroyed', 3000);
    expect(channelOf(destroyed)?.id).toBe('orphan');
    expect(heir.events.map((e) => e.type)).toEqual(['ChannelStateChange', 'Dial', 'ChannelVarset', 'ChannelVarset', 'ChannelDestroyed']);
    expect(heir.events.filter((e) => e.type === 'ChannelVarset').map((e) => e.value)).toEqual(['', 'FAILED']);
    expect(destroyed.cause).toBe(0);
    expect((await rest(sim.url, 'GET', '/applications/dialer-1')).status).toBe(404); // gone with its last channel
    heir.close();
  });
});
