import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRecordingFile } from '../../src/ari/recording-file.js';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { parseSettings } from '../../src/policy/campaign-settings.js';
import type { AttemptRecord } from '../../src/report/attempt-record.js';
import { testPrefix, waitUntil } from '../helpers/redis-test.js';
import { startCampaignRig, type CampaignRig } from '../helpers/campaign-rig.js';
import { collect, startJsonReceiver, type JsonReceiver } from '../helpers/json-receiver.js';
import { writeReport, type ReportFormat } from '../../src/report/write-report.js';

let rig: CampaignRig;
let svc: CampaignService;
let hooks: JsonReceiver<Record<string, unknown>>;
const prefix = testPrefix('reccamp');

beforeAll(async () => {
  // A named Asterisk: the result says which config entry holds the file. Calls of 0.5 s: long enough for the snoop to
  // start under load (a call that ends first is, rightly, reported not recorded).
  rig = await startCampaignRig(prefix, {
    webhookAllowHosts: ['127.0.0.1'],
    sim: {
      timeScale: 0.05,
      rules: [
        { match: '5550009', outcome: 'busy' },
        { match: '5550001', outcome: 'answer', talkMs: 10_000 },
      ],
    },
    worker: { asterisk: 'pbx1' },
  });
  ({ svc } = rig);
  hooks = await startJsonReceiver();
});

afterAll(async () => {
  await rig.close();
  await hooks.close();
});

let lastId = '';
async function report(format: ReportFormat): Promise<string> {
  let out = '';
  await writeReport(svc, lastId, { format, attempts: true }, new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) }));
  return out;
}

async function runCampaign(settings: Record<string, unknown>, numbers: string[]): Promise<Map<string, AttemptRecord>> {
  const r = await svc.create({
    name: 'rec',
    settings: { endpoint: 'SIP/trunk/{number}', cps: 100, timeoutS: 5, retry: 'none', ...settings },
    open: () => Readable.from([`number\n${numbers.join('\n')}\n`]),
  });
  expect(r.created).toBe(true);
  lastId = r.id!;
  await waitUntil('campaign finished', async () => (await svc.get(r.id!)).state === 'finished', 20_000);
  return new Map((await collect(svc.attempts(r.id!))).map((a) => [a.number, a]));
}

describe('a campaign with the record setting', () => {
  it("records each answered call on the worker's Asterisk; the result names the file, its Asterisk and format", async () => {
    const byNumber = await runCampaign({ record: 'answered', recordFormat: 'gsm' }, ['+15550001001', '+15550009001']);
    const answered = byNumber.get('+15550001001')!;
    expect(answered.disposition).toBe('ANSWERED');
    expect(answered.recording).toMatchObject({ name: answered.channel_id, asterisk: 'pbx1', format: 'gsm', state: 'done' });
    const file = await openRecordingFile({ url: rig.sim.url, user: 'dialer', password: 'pw' }, answered.recording!.name);
    let bytes = 0;
    for await (const c of file.body) bytes += (c as Buffer).length;
    // GSM: 1650 bytes a second of the call's talk time.
    expect(Math.abs(bytes / 1650 - answered.talk_s)).toBeLessThan(0.25);
    // Busy: never answered, so nothing was recorded.
    expect(byNumber.get('+15550009001')).toMatchObject({ disposition: 'BUSY' });
    expect(byNumber.get('+15550009001')!.recording).toBeUndefined();

    // Reports: a CSV column per key (empty when the call was not recorded), the whole object in JSON and NDJSON.
    const csv = (await report('csv')).trim().split('\r\n');
    const header = csv[0]!.split(',');
    const at = (line: string, col: string) => line.split(',')[header.indexOf(col)];
    expect(header.slice(-5)).toEqual(['recording_name', 'recording_asterisk', 'recording_format', 'recording_duration_s', 'recording_state']);
    const rec = csv.find((l) => l.includes(answered.channel_id))!;
    expect([at(rec, 'recording_name'), at(rec, 'recording_asterisk'), at(rec, 'recording_format'), at(rec, 'recording_state')]).toEqual([
      answered.channel_id,
      'pbx1',
      'gsm',
      'done',
    ]);
    expect(Number(at(rec, 'recording_duration_s'))).toBe(answered.recording!.duration_s);
    expect(
      at(
        csv.find((l) => l.includes('+15550009001'))!,
        'recording_state',
      ),
    ).toBe('');
    const json = JSON.parse(await report('json')) as { records: AttemptRecord[] };
    expect(json.records.find((x) => x.number === '+15550001001')!.recording).toEqual(answered.recording);
    const nd = (await report('ndjson'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AttemptRecord);
    expect(nd.find((x) => x.number === '+15550001001')!.recording).toEqual(answered.recording);
  });

  it('the webhook carries the recording with the final result', async () => {
    const byNumber = await runCampaign({ record: 'all', webhook: { url: hooks.url, attempts: 1, ratePerSecond: 100 } }, ['+15550001003']);
    const rec = byNumber.get('+15550001003')!;
    expect(rec.recording).toMatchObject({ state: 'done', format: 'wav', asterisk: 'pbx1' });
    const posted = () => hooks.posted.find((p) => (p.result as AttemptRecord | undefined)?.number === '+15550001003')?.result as AttemptRecord | undefined;
    await waitUntil('webhook', () => posted() !== undefined, 10_000);
    expect(posted()!.recording).toEqual(rec.recording);
  });

  it('without the setting nothing is recorded', async () => {
    const byNumber = await runCampaign({}, ['+15550001002']);
    expect(byNumber.get('+15550001002')).toMatchObject({ disposition: 'ANSWERED' });
    expect(byNumber.get('+15550001002')!.recording).toBeUndefined();
  });
});

describe('the record setting', () => {
  const base = { endpoint: 'SIP/t/{number}' };
  it('reads the flat keys and stores one object that reads back the same', () => {
    const s = parseSettings({ ...base, record: 'all', recordFormat: 'wav49', recordKeepDays: '30' });
    expect(s.record).toEqual({ mode: 'all', format: 'wav49', keepDays: 30 });
    expect(parseSettings(JSON.parse(JSON.stringify(s))).record).toEqual(s.record);
    expect(parseSettings({ ...base, record: true }).record).toEqual({ mode: 'answered', format: 'wav' });
  });

  it('names each bad key', () => {
    expect(() => parseSettings({ ...base, record: 'sometimes', recordFormat: 'w a v', recordKeepDays: 0 })).toThrow(
      /record: must be answered or all.*recordFormat: must be a format name.*recordKeepDays: must be a whole number of days/,
    );
    expect(() => parseSettings({ ...base, recordFormat: 'gsm' })).toThrow(/recordFormat: needs record/);
  });
});
