import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';
import { EventLog, channelOf, rest, sleep, wsUrl, type AriEvent } from './sim-client.js';

const KEY = 'api_key=asterisk:asterisk';
const TRACES = new URL('./traces/restart/', import.meta.url);

type TraceEntry = Record<string, unknown> & { t_ms: number };
const trace = (name: string): TraceEntry[] => JSON.parse(readFileSync(new URL(name, TRACES), 'utf8')) as TraceEntry[];

/** One originate's answer, reduced to what the trace keeps: status and body (or the connection error). */
async function originateKind(url: string, n: number): Promise<string> {
  try {
    const res = await fetch(`${url}/channels?endpoint=Local/noanswer@sim&app=probe&timeout=-1&channelId=o-${n}`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('asterisk:asterisk').toString('base64')}` },
      signal: AbortSignal.timeout(2000),
    });
    const text = await res.text();
    return `${res.status} ${res.status === 200 ? '(channel)' : text}`;
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    return code === 'ECONNREFUSED' ? 'ECONNREFUSED' : `reset:${code ?? String(err)}`;
  }
}

describe('restart ("core restart now", as real Asterisk 20.20.1 goes through it)', () => {
  let sim: AriSim;
  afterEach(async () => {
    await sim.stop();
  });

  it('originates across a restart go through the phases of originates-across-restart.json, in order', async () => {
    const expected = trace('originates-across-restart.json').filter((e) => 'status' in e);
    sim = await AriSim.start();
    for (let i = 0; i < 30; i++) await rest(sim.url, 'POST', `/channels?endpoint=Local/noanswer@sim&app=probe&timeout=-1&channelId=live-${i}`);
    const seen: string[] = [await originateKind(sim.url, 0)];
    let done = false;
    const restarting = sim.restart().then(() => (done = true));
    for (let n = 1; !done || n < 3; n++) {
      seen.push(await originateKind(sim.url, n));
      await sleep(20);
    }
    await restarting;
    seen.push(await originateKind(sim.url, 9999));
    // A sample that lands on the reset itself fails differently; the trace lists only what each phase answers.
    const changes = seen.filter((k) => !k.startsWith('reset:')).filter((k, i, all) => i === 0 || k !== all[i - 1]);
    expect(changes).toHaveLength(expected.length);
    changes.forEach((kind, i) => {
      const want = expected[i]!;
      if (want.status === 0) return expect(kind).toBe(want.error);
      // The trace keeps the first ~120 characters of an HTML page.
      expect(kind.startsWith(`${want.status} ${String(want.body)}`), `${kind} vs ${String(want.body)}`).toBe(true);
    });
  });

  it("a ringing call's events at restart match live-calls-at-restart.json one by one, then the socket closes 1006", async () => {
    const all = trace('live-calls-at-restart.json');
    const at = all.findIndex((e) => e.action === 'core restart now');
    const expected = all.slice(at + 1);
    sim = await AriSim.start();
    const log = await EventLog.open(wsUrl(sim.url, `app=restart-probe&${KEY}`));
    await rest(sim.url, 'POST', '/channels?endpoint=Local/noanswer@sim&app=restart-probe&channelId=rs-ringing');
    await log.next((e) => e.type === 'Dial' && e.dialstatus === 'RINGING');
    const before = log.events.length;
    await sim.restart({ downMs: 50 });
    await log.until(() => log.closed, 3000, 'close');

    const got = log.events.slice(before).map(summary);
    const want = expected.filter((e) => 'ws_event' in e).map(({ t_ms: _t, ws_event, ...rest }) => ({ type: ws_event, ...rest }));
    expect(got).toEqual(want);
    expect(log.closeCode).toBe(expected.at(-1)!.ws_close);
  });

  it('answered calls are hung up too: cause 4 (soft), StasisEnd, STASISSTATUS=SUCCESS, ChannelDestroyed 0', async () => {
    sim = await AriSim.start({ dialplanMs: 60_000, rules: [{ match: 'talk', outcome: 'answer', ringMs: 10, talkMs: 60_000 }] });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    await rest(sim.url, 'POST', '/channels?endpoint=SIP/talk&app=dialer&channelId=in-stasis');
    await rest(sim.url, 'POST', '/channels?endpoint=Local/talk@sim&app=dialer&channelId=continued');
    await log.next((e) => e.type === 'StasisStart' && channelOf(e)?.id === 'continued');
    await log.next((e) => e.type === 'StasisStart' && channelOf(e)?.id === 'in-stasis');
    await rest(sim.url, 'POST', '/channels/continued/continue?context=default&extension=s&priority=1');
    await log.next((e) => e.type === 'StasisEnd' && channelOf(e)?.id === 'continued');
    const before = log.events.length;
    await sim.restart({ downMs: 20 });

    const after = log.events.slice(before).map(summary);
    const of = (id: string) => after.filter((e) => e.channel === id && e.type !== 'ChannelDialplan').map(({ type, cause, value }) => [type, cause ?? value]);
    // chan_sip's RTPAUDIOQOS* variables come between SUCCESS and the destroy, as on any answered SIP hangup.
    expect(of('in-stasis').filter(([type, v]) => type !== 'ChannelVarset' || v === 'SUCCESS')).toEqual([
      ['ChannelHangupRequest', 4],
      ['StasisEnd', undefined],
      ['ChannelVarset', 'SUCCESS'],
      ['ChannelDestroyed', 0],
    ]);
    expect(of('continued')).toEqual([
      ['ChannelHangupRequest', 4],
      ['ChannelHangupRequest', 0],
      ['ChannelVarset', 'SUCCESS'],
      ['ChannelDestroyed', 0],
    ]);
    expect(of('continued;2')).toEqual([
      ['ChannelHangupRequest', 4],
      ['ChannelDestroyed', 0],
    ]);
  });

  it('while refusing channels only originates fail; a held phase lasts until released; then a fresh Asterisk', async () => {
    sim = await AriSim.start();
    const { port, url } = sim;
    await rest(url, 'POST', '/channels?endpoint=Local/noanswer@sim&app=dialer&channelId=ring-1&timeout=-1');
    const restarting = sim.restart({ refusingChannelsMs: Infinity, shuttingDownMs: 0, downMs: 20 });
    expect(sim.restartPhase).toBe('refusingChannels');
    const refused = await rest(url, 'POST', '/channels?endpoint=Local/answer@sim&app=dialer&channelId=ring-1');
    expect([refused.status, refused.body]).toEqual([500, { error: 'Allocation failed' }]); // even a live id: no 409
    expect((await rest(url, 'POST', '/channels?app=dialer')).status).toBe(400); // validation still comes first
    expect((await rest(url, 'GET', '/asterisk/info')).status).toBe(200);
    expect((await rest(url, 'GET', '/channels/ring-1')).status).toBe(200);
    await sleep(100);
    expect(sim.restartPhase).toBe('refusingChannels');
    sim.releaseRestartPhase();
    await restarting;

    expect(sim.restartPhase).toBeUndefined();
    expect(sim.port).toBe(port);
    expect((await rest(url, 'GET', '/channels/ring-1')).status).toBe(404);
    expect((await rest(url, 'GET', '/applications')).body).toEqual([]);
  });

  it('holding the later phases: 503 HTML, refused, 404 HTML, 503 not booted (REST and WebSocket upgrade alike)', async () => {
    sim = await AriSim.start();
    const { url } = sim;
    const hold = { refusingChannelsMs: 0, shuttingDownMs: Infinity, downMs: Infinity, notRegisteredMs: Infinity, notBootedMs: Infinity };
    const restarting = sim.restart(hold);
    const upgrade = () =>
      EventLog.open(wsUrl(url, `app=dialer&${KEY}`)).then(
        () => 101,
        (err: { status?: number }) => err.status ?? 0,
      );

    await waitForPhase(sim, 'shuttingDown');
    const shutting = await rest(url, 'GET', '/asterisk/info');
    expect(shutting.status).toBe(503);
    expect(String(shutting.body)).toContain('<p>Shutdown in progress</p>');
    expect(await upgrade()).toBe(503);

    sim.releaseRestartPhase();
    await waitForPhase(sim, 'down');
    await expect(fetch(`${url}/asterisk/info`)).rejects.toThrow();

    sim.releaseRestartPhase();
    await waitForPhase(sim, 'notRegistered');
    const notRegistered = await rest(url, 'GET', '/asterisk/info');
    expect(notRegistered.status).toBe(404);
    expect(String(notRegistered.body)).toContain('<title>404 Not Found</title>');
    expect(await upgrade()).toBe(404);

    sim.releaseRestartPhase();
    await waitForPhase(sim, 'notBooted');
    expect((await rest(url, 'GET', '/asterisk/info', { auth: null })).status).toBe(401); // authentication first
    const notBooted = await rest(url, 'GET', '/asterisk/info');
    expect([notBooted.status, notBooted.body]).toEqual([503, { message: 'Asterisk not booted' }]);
    expect(await upgrade()).toBe(503);

    sim.releaseRestartPhase();
    await restarting;
    expect((await rest(url, 'GET', '/asterisk/info')).status).toBe(200);
    expect(await upgrade()).toBe(101);
  });

  it('restart(downMs) still means "the port stays closed this long"; overlapping restarts are one', async () => {
    sim = await AriSim.start();
    const restarting = sim.restart(300);
    await waitForPhase(sim, 'down');
    await sleep(150);
    await expect(fetch(`${sim.url}/asterisk/info`)).rejects.toThrow();
    await Promise.all([restarting, sim.restart(50)]);
    expect((await rest(sim.url, 'GET', '/asterisk/info')).status).toBe(200);
    expect(() => sim.restart({ downMs: -1 })).toThrow(/downMs/);
  });

  it('stop() ends a restart in progress, even a held one, without listening again', async () => {
    sim = await AriSim.start();
    const restarting = sim.restart({ downMs: Infinity });
    await waitForPhase(sim, 'down');
    await sim.stop();
    await restarting;
    await expect(fetch(`${sim.url}/asterisk/info`)).rejects.toThrow();
  });
});

/** An event as the restart trace records it. */
function summary(e: AriEvent): Record<string, unknown> {
  const out: Record<string, unknown> = { type: e.type };
  if (e.type === 'Dial') out.dialstatus = e.dialstatus;
  else {
    const ch = channelOf(e)!;
    out.channel = ch.id;
    out.state = ch.state;
  }
  if ('cause' in e) out.cause = e.cause;
  if ('cause_txt' in e) out.cause_txt = e.cause_txt;
  if (e.type === 'ChannelVarset') out.value = e.value;
  return out;
}

async function waitForPhase(sim: AriSim, phase: AriSim['restartPhase']): Promise<void> {
  const deadline = Date.now() + 3000;
  while (sim.restartPhase !== phase) {
    if (Date.now() > deadline) throw new Error(`restart never reached ${phase}; now ${sim.restartPhase}`);
    await sleep(5);
  }
}
