import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRecordingFile, type RecordingSource } from '../../src/ari/recording-file.js';
import { parseRange } from '../../src/dashboard/api/byte-range.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { createLogger } from '../../src/log.js';
import type { AttemptRecord } from '../../src/report/attempt-record.js';
import { startCampaignRig, type CampaignRig } from '../helpers/campaign-rig.js';
import { collect } from '../helpers/json-receiver.js';
import { REDIS_URL, testPrefix, waitUntil } from '../helpers/redis-test.js';

const OPERATOR = 'op-token-recordings-0123456789';
const VIEWER = 'viewer-token-recordings-0123456789';
const SIM_PASSWORD = 'pw-never-in-a-log';
let rig: CampaignRig;
let dash: Dashboard;
let src: RecordingSource;
let recorded: AttemptRecord;
let campaignId: string;
let whole: Buffer;
const logLines: string[] = [];

beforeAll(async () => {
  rig = await startCampaignRig(testPrefix('recapi'), { password: SIM_PASSWORD, sim: { timeScale: 0.05, dialplanMs: 20_000 } });
  src = { url: rig.sim.url, user: 'dialer', password: SIM_PASSWORD };
  const r = await rig.svc.create({
    name: 'rec-api',
    settings: { endpoint: 'SIP/trunk/{number}', cps: 100, timeoutS: 5, retry: 'none', record: true, maxCallS: 60 },
    open: () => Readable.from(['number\n+15550001001\n+15550002002\n']),
  });
  campaignId = r.id!;
  await waitUntil('campaign finished', async () => (await rig.svc.get(campaignId)).state === 'finished', 20_000);
  const all = await collect(rig.svc.attempts(campaignId));
  recorded = all.find((a) => a.number === '+15550001001')!;
  expect(recorded.recording?.state).toBe('done');
  const f = await openRecordingFile(src, recorded.recording!.name);
  whole = Buffer.concat(await collect(f.body as AsyncIterable<Buffer>));
  const sink = new Writable({ write: (c, _e, cb) => (logLines.push(String(c)), cb()) });
  dash = await startDashboard({
    service: rig.svc,
    redisUrl: REDIS_URL,
    port: 0,
    operatorToken: OPERATOR,
    viewerToken: VIEWER,
    logger: createLogger({ level: 'debug', destination: sink }),
    recordings: (name) => (name === 'default' ? src : name === 'badcreds' ? { ...src, password: 'wrong-secret' } : undefined),
  });
}, 40_000);

afterAll(async () => {
  await dash?.close();
  await rig?.close();
});

const get = (path: string, headers: Record<string, string> = {}, token = VIEWER) =>
  fetch(`${dash.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
const path = (channelId = recorded.channel_id, cid = campaignId) => `/api/campaigns/${cid}/attempts/${channelId}/recording`;

describe('GET /api/campaigns/:id/attempts/:channelId/recording', () => {
  it('a viewer may listen: the whole file from the Asterisk that made it, with its Content-Type and length', async () => {
    const res = await get(path());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/wav');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(Number(res.headers.get('content-length'))).toBe(whole.length);
    const body = Buffer.from(await res.arrayBuffer());
    expect(body.equals(whole)).toBe(true);
    expect(body.toString('ascii', 0, 4)).toBe('RIFF');
    // The whole file lasts the call's talk time (16,000 bytes a second after the 44-byte header).
    expect(Math.abs((whole.length - 44) / 16000 - recorded.talk_s)).toBeLessThan(0.25);
  });

  it('honours Range itself (Asterisk answers every request with the whole file): 206 and only those bytes', async () => {
    const size = whole.length;
    for (const [range, start, end] of [
      ['bytes=0-43', 0, 43],
      ['bytes=1000-', 1000, size - 1],
      ['bytes=-100', size - 100, size - 1],
      [`bytes=${size >> 1}-${size + 99}`, size >> 1, size - 1],
    ] as const) {
      const res = await get(path(), { range });
      expect(res.status, range).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${size}`);
      expect(Number(res.headers.get('content-length'))).toBe(end - start + 1);
      expect(Buffer.from(await res.arrayBuffer()).equals(whole.subarray(start, end + 1)), range).toBe(true);
    }
  });

  it('416 for a range past the end, naming the size; a range it does not read is answered with the whole file', async () => {
    const res = await get(path(), { range: `bytes=${whole.length}-` });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe(`bytes */${whole.length}`);
    expect((await res.json()).error.code).toBe('RANGE_NOT_SATISFIABLE');
    const multi = await get(path(), { range: 'bytes=0-1,5-9' });
    expect(multi.status).toBe(200);
    expect(Buffer.from(await multi.arrayBuffer()).length).toBe(whole.length);
  });

  it("needs the dashboard's auth; 404 for an attempt that is not there or was not recorded", async () => {
    expect((await fetch(`${dash.url}${path()}`)).status).toBe(401);
    expect((await get(path('no-such-channel'))).status).toBe(404);
    const other = (await collect(rig.svc.attempts(campaignId))).find((a) => a.number === '+15550002002')!;
    expect(other.recording?.state).toBe('done');
    await rig.redis.hset(rig.svc.keys.attemptIds(campaignId), other.channel_id, JSON.stringify({ ...other, recording: undefined }));
    const res = await get(path(other.channel_id));
    expect(res.status).toBe(404);
    expect((await res.json()).error.message).toBe(`attempt ${other.channel_id} was not recorded`);
  });

  it('an Asterisk that refuses the credentials is a 502 naming it by its config name; no password in a message or a log line', async () => {
    await rig.redis.hset(
      rig.svc.keys.attemptIds(campaignId),
      recorded.channel_id,
      JSON.stringify({ ...recorded, recording: { ...recorded.recording, asterisk: 'badcreds' } }),
    );
    const res = await get(path());
    expect(res.status).toBe(502);
    const text = await res.text();
    expect(text).toContain('Asterisk \\"badcreds\\" refused');
    await rig.redis.hset(
      rig.svc.keys.attemptIds(campaignId),
      recorded.channel_id,
      JSON.stringify({ ...recorded, recording: { ...recorded.recording, asterisk: 'pbx9' } }),
    );
    expect((await get(path())).status).toBe(404);
    await rig.redis.hset(rig.svc.keys.attemptIds(campaignId), recorded.channel_id, JSON.stringify(recorded));
    const all = logLines.join('');
    expect(all).toContain('recording served');
    for (const secret of [SIM_PASSWORD, 'wrong-secret', OPERATOR, VIEWER]) {
      expect(all).not.toContain(secret);
      expect(text).not.toContain(secret);
    }
  });
});

describe('parseRange', () => {
  it('reads one range against the size; ignores what it cannot read', () => {
    expect(parseRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=-30', 10)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=5-2', 10)).toBeUndefined();
    expect(parseRange('items=0-1', 10)).toBeUndefined();
    expect(parseRange(undefined, 10)).toBeUndefined();
  });
});
