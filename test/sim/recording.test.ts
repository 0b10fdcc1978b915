import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AriSim } from '../../src/sim/index.js';
import { EventLog, basic, rest, type AriEvent } from './sim-client.js';

const AUTH = basic('dialer', 'pw');
const app = 'dialer';

/** Checks the RIFF header and returns the seconds of 8 kHz 16-bit audio in it. */
function wavSeconds(buf: Buffer): number {
  expect(buf.toString('ascii', 0, 4)).toBe('RIFF');
  expect(buf.readUInt32LE(4)).toBe(buf.length - 8);
  expect(buf.toString('ascii', 8, 16)).toBe('WAVEfmt ');
  expect(buf.readUInt16LE(20)).toBe(1);
  expect(buf.readUInt32LE(24)).toBe(8000);
  expect(buf.toString('ascii', 36, 40)).toBe('data');
  expect(buf.readUInt32LE(40)).toBe(buf.length - 44);
  return (buf.length - 44) / 16000;
}

describe('simulator: snoop channels and recordings (snoop_record_whole_call.json)', () => {
  let sim: AriSim;
  let log: EventLog;
  const call = async (id: string): Promise<void> => {
    const r = await rest(sim.url, 'POST', `/channels/${id}?endpoint=Local/5580001@sim&app=${app}&timeout=20`, { auth: AUTH });
    expect(r.status).toBe(200);
    await log.next((e) => e.type === 'StasisStart' && (e.channel as { id: string }).id === id);
  };

  beforeEach(async () => {
    sim = await AriSim.start({
      users: { dialer: 'pw' },
      timeScale: 1,
      dialplanMs: 1500,
      rules: [{ match: '5580001', outcome: 'answer', ringMs: 0, talkMs: 60_000 }],
    });
    log = await EventLog.open(`${sim.url.replace('http', 'ws')}/events?app=${app}&api_key=dialer:pw`);
  });
  afterEach(async () => {
    log.close();
    await sim.stop();
  });

  it('records the whole call through a snoop that outlives continue, and serves a WAV of its length', async () => {
    await call('tr-rec');
    const snoop = await rest(sim.url, 'POST', '/channels/tr-rec/snoop?spy=both&app=dialer&snoopId=tr-rec-snoop', { auth: AUTH });
    expect(snoop.status).toBe(200);
    expect(snoop.body).toMatchObject({ id: 'tr-rec-snoop', state: 'Up', dialplan: { context: 'default', exten: 's', priority: 1, app_name: '' } });
    expect((snoop.body as { name: string }).name).toMatch(/^Snoop\/tr-rec-[0-9a-f]{8}$/);
    const started = await log.next((e) => e.type === 'StasisStart' && (e.channel as { id: string }).id === 'tr-rec-snoop');
    expect(started.channel).toMatchObject({ dialplan: { app_name: 'Stasis', app_data: 'dialer' } });

    const rec = await rest(sim.url, 'POST', '/channels/tr-rec-snoop/record?name=tr-rec&format=wav', { auth: AUTH });
    expect(rec.status).toBe(201);
    expect(rec.headers.get('location')).toBe('/recordings/live/tr-rec');
    expect(rec.body).toEqual({ name: 'tr-rec', format: 'wav', state: 'queued', target_uri: 'channel:tr-rec-snoop' });
    expect((await rest(sim.url, 'POST', '/channels/tr-rec/continue?context=talk5&extension=s&priority=1', { auth: AUTH })).status).toBe(204);
    await log.next((e) => e.type === 'RecordingStarted');
    const live = await rest(sim.url, 'GET', '/recordings/live/tr-rec', { auth: AUTH });
    expect(live.body).toMatchObject({ state: 'recording' });

    // The dialplan hangs up after 1.5 s: the recording finishes, the snoop leaves, then the call's channel goes.
    const finished = await log.next((e) => e.type === 'RecordingFinished', 5000);
    // Whole seconds written (main/app.c: samples / 8000; a real Asterisk said 4 for its 4.86 s file).
    expect(finished.recording).toEqual({ name: 'tr-rec', format: 'wav', state: 'done', target_uri: 'channel:tr-rec-snoop', duration: 1 });
    await log.next((e) => e.type === 'ChannelDestroyed' && (e.channel as { id: string }).id === 'tr-rec');
    const order = log.events
      .filter((e) => ['RecordingFinished', 'StasisEnd', 'ChannelDestroyed'].includes(e.type))
      .map((e) => `${e.type}:${(e.channel as { id?: string } | undefined)?.id ?? ''}`);
    expect(order.filter((o) => !o.endsWith(';2')).slice(-3)).toEqual(['RecordingFinished:', 'StasisEnd:tr-rec-snoop', 'ChannelDestroyed:tr-rec']);
    expect(log.ofChannel('tr-rec-snoop').map((e) => e.type)).toEqual(['StasisStart', 'StasisEnd']);

    expect((await rest(sim.url, 'GET', '/recordings/stored/tr-rec', { auth: AUTH })).body).toEqual({ name: 'tr-rec', format: 'wav' });
    const file = await fetch(`${sim.url}/recordings/stored/tr-rec/file`, { headers: { authorization: AUTH, range: 'bytes=0-99' } });
    // Asterisk sends the file from an fd with ast_http_send: always 200 and the whole file, Range or not.
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('audio/wav');
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(Number(file.headers.get('content-length'))).toBe(bytes.length);
    const seconds = wavSeconds(bytes);
    // The talk after continue lasted 1.5 s (the recording started a few ms after the continue).
    expect(seconds).toBeGreaterThanOrEqual(1.4);
    expect(seconds).toBeLessThan(1.7);

    expect((await rest(sim.url, 'DELETE', '/recordings/stored/tr-rec', { auth: AUTH })).status).toBe(204);
    expect(await rest(sim.url, 'GET', '/recordings/stored/tr-rec', { auth: AUTH })).toMatchObject({ status: 404, body: { message: 'Recording not found' } });
    expect(await rest(sim.url, 'DELETE', '/recordings/stored/tr-rec', { auth: AUTH })).toMatchObject({ status: 404, body: { message: 'Recording not found' } });
    expect((await rest(sim.url, 'GET', '/recordings/stored/tr-rec/file', { auth: AUTH })).status).toBe(404);
    // Snoop on a channel that is gone; record on a channel that never was.
    expect(await rest(sim.url, 'POST', '/channels/tr-rec/snoop?spy=both&app=dialer', { auth: AUTH })).toMatchObject({
      status: 404,
      body: { message: 'Provided channel was not found' },
    });
    expect(await rest(sim.url, 'POST', '/channels/nosuch-snoop/record?name=x&format=wav', { auth: AUTH })).toMatchObject({
      status: 404,
      body: { message: 'Channel not found' },
    });
  });

  it('refuses an unknown format (422) and a name in use (409), as record_bad_format_and_name_in_use.json shows', async () => {
    await call('tr-recbad');
    expect(await rest(sim.url, 'POST', '/channels/tr-recbad/record?name=tr-recbad&format=nosuchformat', { auth: AUTH })).toMatchObject({
      status: 422,
      body: { message: 'specified format is unknown on this system' },
    });
    expect((await rest(sim.url, 'POST', '/channels/tr-recbad/record?name=tr-recbad&format=wav', { auth: AUTH })).status).toBe(201);
    for (const q of ['', '&ifExists=fail']) {
      expect(await rest(sim.url, 'POST', `/channels/tr-recbad/record?name=tr-recbad&format=wav${q}`, { auth: AUTH })).toMatchObject({
        status: 409,
        body: { message: "Recording 'tr-recbad' already exists and can not be overwritten" },
      });
    }
    expect(await rest(sim.url, 'POST', '/channels/tr-recbad/snoop?app=dialer', { auth: AUTH })).toMatchObject({
      status: 400,
      body: { message: 'Direction must be specified for at least spy or whisper' },
    });
    expect(await rest(sim.url, 'POST', '/channels/tr-recbad/snoop?spy=both', { auth: AUTH })).toMatchObject({
      status: 400,
      body: { message: 'Application name is required' },
    });
    expect(await rest(sim.url, 'POST', '/channels/tr-recbad/record?name=x&format=wav&ifExists=never', { auth: AUTH })).toMatchObject({
      status: 400,
      body: { message: 'ifExists invalid' },
    });
    await log.next((e) => e.type === 'RecordingStarted');
    expect((await rest(sim.url, 'DELETE', '/channels/tr-recbad', { auth: AUTH })).status).toBe(204);
    const finished = await log.next((e) => e.type === 'RecordingFinished');
    expect(finished.recording).toMatchObject({ name: 'tr-recbad', state: 'done', target_uri: 'channel:tr-recbad' });
    expect((await rest(sim.url, 'DELETE', '/recordings/stored/tr-recbad', { auth: AUTH })).status).toBe(204);
  });

  it('faults: a refused snoop is 500; a full disk finishes the recording with 0 s and writes no file', async () => {
    await call('tr-full');
    sim.recordingFaults.snoopRefused = true;
    expect(await rest(sim.url, 'POST', '/channels/tr-full/snoop?spy=both&app=dialer', { auth: AUTH })).toMatchObject({
      status: 500,
      body: { message: 'Snoop channel could not be created' },
    });
    sim.recordingFaults.snoopRefused = false;
    sim.recordingFaults.diskFull = true;
    const snoop = await rest(sim.url, 'POST', '/channels/tr-full/snoop?spy=both&app=dialer&snoopId=tr-full-snoop', { auth: AUTH });
    expect(snoop.status).toBe(200);
    // A second snoop with the same id cannot be made: its unique id is in use.
    expect((await rest(sim.url, 'POST', '/channels/tr-full/snoop?spy=both&app=dialer&snoopId=tr-full-snoop', { auth: AUTH })).status).toBe(500);
    await log.next((e) => e.type === 'StasisStart' && (e.channel as { id: string }).id === 'tr-full-snoop');
    expect((await rest(sim.url, 'POST', '/channels/tr-full-snoop/record?name=tr-full&format=gsm', { auth: AUTH })).status).toBe(201);
    await log.next((e) => e.type === 'RecordingStarted');
    await rest(sim.url, 'DELETE', '/channels/tr-full', { auth: AUTH });
    const finished: AriEvent = await log.next((e) => e.type === 'RecordingFinished');
    expect(finished.recording).toMatchObject({ state: 'done', duration: 0 });
    expect((await rest(sim.url, 'GET', '/recordings/stored/tr-full', { auth: AUTH })).status).toBe(404);
  });

  it('a restart keeps what was recorded so far (the recording directory is a disk)', async () => {
    await call('tr-rst');
    await rest(sim.url, 'POST', '/channels/tr-rst/snoop?spy=both&app=dialer&snoopId=tr-rst-snoop', { auth: AUTH });
    await log.next((e) => e.type === 'StasisStart' && (e.channel as { id: string }).id === 'tr-rst-snoop');
    await rest(sim.url, 'POST', '/channels/tr-rst-snoop/record?name=tr-rst&format=ulaw', { auth: AUTH });
    await log.next((e) => e.type === 'RecordingStarted');
    await new Promise((r) => setTimeout(r, 250));
    await sim.restart(50);
    const stored = await rest(sim.url, 'GET', '/recordings/stored/tr-rst', { auth: AUTH });
    expect(stored.body).toEqual({ name: 'tr-rst', format: 'ulaw' });
    const file = await fetch(`${sim.url}/recordings/stored/tr-rst/file`, { headers: { authorization: AUTH } });
    expect(file.headers.get('content-type')).toBe('audio/ulaw');
    // ulaw: 8,000 bytes a second; 0.25 s and the restart's first phases were recorded before its calls were cut.
    const bytes = (await file.arrayBuffer()).byteLength;
    expect(bytes).toBeGreaterThanOrEqual(8000 * 0.24);
    expect(bytes).toBeLessThan(8000 * 5);
    expect(bytes % 160).toBe(0);
  });
});
