import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRecordingFile } from '../../src/ari/recording-file.js';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { parseSettings } from '../../src/policy/campaign-settings.js';
import type { AttemptRecord } from '../../src/report/attempt-record.js';
import { testPrefix, waitUntil } from '../helpers/redis-test.js';
import { startCampaignRig, type CampaignRig } from '../helpers/campaign-rig.js';
import { collect } from '../helpers/json-receiver.js';

let rig: CampaignRig;
let svc: CampaignService;
const prefix = testPrefix('reccamp');

beforeAll(async () => {
  // A named Asterisk: the result says which config entry holds the file.
  rig = await startCampaignRig(prefix, { sim: { timeScale: 0.05, rules: [{ match: '5550009', outcome: 'busy' }] }, worker: { asterisk: 'pbx1' } });
  ({ svc } = rig);
});

afterAll(() => rig.close());

async function runCampaign(settings: Record<string, unknown>, numbers: string[]): Promise<Map<string, AttemptRecord>> {
  const r = await svc.create({ name: 'rec', settings: { endpoint: 'SIP/trunk/{number}', cps: 100, timeoutS: 5, retry: 'none', ...settings }, open: () => Readable.from([`number\n${numbers.join('\n')}\n`]) });
  expect(r.created).toBe(true);
  await waitUntil('campaign finished', async () => (await svc.get(r.id!)).state === 'finished', 20_000);
  return new Map((await collect(svc.attempts(r.id!))).map((a) => [a.number, a]));
}

describe('a campaign with the record setting', () => {
  it('records each answered call on the worker\'s Asterisk; the result names the file, its Asterisk and format', async () => {
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
