import { afterEach, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';
import { calleeScriptFor } from '../../src/sim/callee-script.js';
import { mediaPlan } from '../../src/sim/sounds.js';
import { parseEndpoint, type ParsedEndpoint } from '../../src/sim/technologies.js';
import { EventLog, channelOf, rest, wsUrl, type AriEvent } from './sim-client.js';

const KEY = 'api_key=asterisk:asterisk';
const pressOf = (endpoint: string): string =>
  calleeScriptFor({ endpoint: parseEndpoint(endpoint) as ParsedEndpoint, endpointText: endpoint, amd: 'HUMAN' }).press;

describe('callee keys and media plans', () => {
  it('presses by rule, keyword, lab context and next-to-last digit', () => {
    expect(
      calleeScriptFor({ endpoint: parseEndpoint('SIP/x/5551230011') as ParsedEndpoint, endpointText: 'SIP/x/5551230011', amd: 'HUMAN', rulePress: '' }).press,
    ).toBe('');
    expect(pressOf('Local/press1@sim')).toBe('1');
    expect(pressOf('SIP/trunk/press9')).toBe('9');
    expect(pressOf('Local/press12#@sim')).toBe('12#');
    expect(pressOf('Local/silent11@sim')).toBe('');
    expect(pressOf('Local/5580003@dtmfcallee')).toBe('3');
    expect(pressOf('Local/5580000@dtmfcallee')).toBe('');
    expect(pressOf('SIP/trunk/5551230011')).toBe('1');
    expect(pressOf('SIP/trunk/5551230091')).toBe('9');
    expect(pressOf('SIP/trunk/5551230021')).toBe('');
  });

  it('plays known sounds for their length, fails missing ones, skips unknown schemes', () => {
    expect(mediaPlan('sound:lab/human-hello', {})).toEqual({ kind: 'plays', ms: 5500 });
    expect(mediaPlan('sound:anything', {})).toEqual({ kind: 'plays', ms: 3000 });
    expect(mediaPlan('sound:no-such-sound', {})).toEqual({ kind: 'fails' });
    expect(mediaPlan('sound:mine', { mine: null })).toEqual({ kind: 'fails' });
    expect(mediaPlan('digits:123', {})).toEqual({ kind: 'plays', ms: 1800 });
    expect(mediaPlan('number:abc', {})).toEqual({ kind: 'skipped' });
    expect(mediaPlan('nosuchscheme:foo', {})).toEqual({ kind: 'skipped' });
    expect(mediaPlan('recording:gone', {})).toEqual({ kind: 'skipped' });
  });
});

describe('after the answer, through the simulator', () => {
  let sim: AriSim | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  const answered = async (endpoint: string, id: string, log: EventLog): Promise<void> => {
    expect((await rest(sim!.url, 'POST', `/channels/${id}?endpoint=${encodeURIComponent(endpoint)}&app=dialer`)).status).toBe(200);
    await log.next((e) => e.type === 'StasisStart' && channelOf(e)?.id === id);
  };

  it('a press-1 callee presses during a playback; stop ends it done; a continue waits behind a playing one', async () => {
    // The rule only lengthens the call: the key comes from the `press1` keyword.
    sim = await AriSim.start({ timeScale: 0.05, rules: [{ match: 'press1', outcome: 'answer', talkMs: 60_000 }] });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    await answered('Local/press1@sim', 'k1', log);
    expect((await rest(sim.url, 'POST', '/channels/k1/play/pb1?media=sound:lab/human-hello')).body).toMatchObject({ id: 'pb1', state: 'queued' });
    expect((await rest(sim.url, 'GET', '/playbacks/pb1')).body).toMatchObject({ state: 'playing' });
    const key = await log.next((e) => e.type === 'ChannelDtmfReceived');
    expect([key.digit, key.duration_ms]).toEqual(['1', 100]);
    expect((await rest(sim.url, 'DELETE', '/playbacks/pb1')).status).toBe(204);
    const fin = await log.next((e) => e.type === 'PlaybackFinished');
    expect((fin.playback as { state: string }).state).toBe('done');
    expect((await rest(sim.url, 'DELETE', '/playbacks/pb1')).status).toBe(404);

    // A second playback plays on; a continue asked for now leaves Stasis only when it has ended.
    await rest(sim.url, 'POST', '/channels/k1/play/pb2?media=sound:beep');
    expect((await rest(sim.url, 'POST', '/channels/k1/continue?context=default&extension=s&priority=1')).status).toBe(204);
    await log.next((e) => e.type === 'StasisEnd');
    const types = log.events.map((e) => e.type);
    expect(types.indexOf('StasisEnd')).toBeGreaterThan(types.lastIndexOf('PlaybackFinished'));
    log.close();
  });

  it('play answers 404 for no channel and 409 for one not in Stasis (a ringing originated channel)', async () => {
    sim = await AriSim.start({ timeScale: 0.05, rules: [{ match: 'slow', outcome: 'answer', ringMs: 10_000 }] });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    expect((await rest(sim.url, 'POST', '/channels/none/play?media=sound:beep')).body).toEqual({ message: 'Channel not found' });
    await rest(sim.url, 'POST', '/channels/r1?endpoint=SIP/slow&app=dialer');
    expect((await rest(sim.url, 'POST', '/channels/r1/play?media=sound:beep')).status).toBe(409);
    log.close();
  });

  it('the survey context reads a key into SURVEY_ANSWER; silence times out', async () => {
    // Keys 1.5 s after the answer (75 ms here): the continue into the survey is long done by then.
    sim = await AriSim.start({ timeScale: 0.05, rules: [{ match: '@sim', outcome: 'answer', talkMs: 60_000 }] });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    await answered('Local/press2@sim', 's1', log);
    await rest(sim.url, 'POST', '/channels/s1/continue?context=survey&extension=s&priority=1');
    await answered('Local/silent@sim', 's2', log);
    await rest(sim.url, 'POST', '/channels/s2/continue?context=survey&extension=s&priority=1');
    await log.until(() => log.events.filter((e) => e.type === 'ChannelDestroyed').length === 4, 3000, 'both calls ended');
    const vars = (id: string): string[] =>
      log
        .ofChannel(id)
        .flatMap((e: AriEvent) => (e.type === 'ChannelVarset' && e.variable !== 'STASISSTATUS' ? [`${String(e.variable)}=${String(e.value)}`] : []));
    expect(vars('s1')).toEqual(['SURVEY_STARTED=yes', 'READSTATUS=ERROR', 'SURVEY_ANSWER=2', 'READSTATUS=OK', 'SURVEY_DONE=OK']);
    expect(vars('s2')).toEqual(['SURVEY_STARTED=yes', 'READSTATUS=ERROR', 'SURVEY_ANSWER=', 'READSTATUS=TIMEOUT', 'SURVEY_DONE=TIMEOUT']);
    log.close();
  });

  it('TALK_DETECT on a machine: talking started, then finished with the greeting length, no ChannelVarset', async () => {
    sim = await AriSim.start({ timeScale: 0.05, rules: [{ match: 'vm', outcome: 'answer', amd: 'MACHINE', greetingMs: 4000, talkMs: 20_000 }] });
    const log = await EventLog.open(wsUrl(sim.url, `app=dialer&${KEY}`));
    await answered('SIP/vm', 't1', log);
    expect((await rest(sim.url, 'POST', '/channels/t1/variable?variable=TALK_DETECT(set)&value=1000,256')).status).toBe(204);
    const done = await log.next((e) => e.type === 'ChannelTalkingFinished');
    expect(done.duration).toBeGreaterThan(3500);
    expect(done.duration).toBeLessThanOrEqual(4000);
    expect(log.events.some((e) => e.type === 'ChannelVarset' && String(e.variable).startsWith('TALK_DETECT'))).toBe(false);
    expect(log.events.map((e) => e.type).indexOf('ChannelTalkingStarted')).toBeGreaterThan(-1);
    log.close();
  });
});
