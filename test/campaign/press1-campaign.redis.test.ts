import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { CampaignStats } from '../../src/dashboard/campaign-stats.js';
import type { AttemptRecord } from '../../src/report/summarize.js';
import { testPrefix, waitUntil } from '../helpers/redis-test.js';
import { startCampaignRig, type CampaignRig } from '../helpers/campaign-rig.js';
import { collect, startJsonReceiver, type JsonReceiver } from '../helpers/json-receiver.js';

let rig: CampaignRig;
let redis: Redis;
let svc: CampaignService;
let hooks: JsonReceiver<Record<string, unknown>>;
const prefix = testPrefix('press1');

beforeAll(async () => {
  // 0.05: the 1 s message plays 50 ms, callees press 1.5 s (75 ms) after the answer (in the wait for a key) and
  // listen 10 s (the rule only lengthens the call: keys come from the numbers).
  rig = await startCampaignRig(prefix, {
    webhookAllowHosts: ['127.0.0.1'],
    sim: { timeScale: 0.05, sounds: { promo: 1000 }, rules: [{ match: '5550003', outcome: 'answer', talkMs: 10_000 }] },
  });
  ({ redis, svc } = rig);
  hooks = await startJsonReceiver();
});

afterAll(async () => {
  await rig.close();
  await hooks.close();
});

describe('a press-1 campaign', () => {
  it('1 goes to sales, 9 opts out (suppression list and webhook at once), silence follows --no-press', async () => {
    // The simulator's callees: a next-to-last digit 1 presses 1, 9 presses 9, anything else stays silent.
    const [sales, optout, silent] = ['+15550003011', '+15550003091', '+15550003001'];
    const r = await svc.create({
      name: 'press1',
      settings: {
        endpoint: 'SIP/trunk/{number}',
        cps: 100,
        maxConcurrent: 10,
        timeoutS: 5,
        message: { media: 'sound:promo', press: ['1=sales,s,1', '9=optout'], pressWaitS: 0.2 },
        capture: 'SURVEY_ANSWER',
        webhook: { url: hooks.url, attempts: 1, ratePerSecond: 100 },
      },
      open: () => Readable.from([`number\n${sales}\n${optout}\n${silent}\n`]),
    });
    expect(r).toMatchObject({ created: true, accepted: 3 });
    const id = r.id!;
    expect((await svc.get(id)).settings.message).toMatchObject({ media: ['sound:promo'], noPress: { do: 'hangup' } });
    await waitUntil('campaign finished', async () => (await svc.get(id)).state === 'finished', 30_000);

    const byNumber = new Map((await collect(svc.attempts(id))).map((a: AttemptRecord) => [a.number, a]));
    expect(byNumber.get(sales)).toMatchObject({ flow: 'pressed', keys: '1', continued: true, opted_out: false, captured: {} });
    expect(byNumber.get(optout)).toMatchObject({ flow: 'optout', keys: '9', opted_out: true, optout_stored: true, continued: false });
    expect(byNumber.get(silent)).toMatchObject({ flow: 'no_press', keys: '', first_key_s: null, message_done: true, continued: false });
    expect(await redis.sismember(`${prefix}:suppression`, optout)).toBe(1);
    expect(await redis.sismember(`${prefix}:suppression`, sales)).toBe(0);
    await waitUntil('opt-out webhook', async () => hooks.posted.some((p) => p.event === 'contact.opted_out'), 10_000);
    expect(hooks.posted.find((p) => p.event === 'contact.opted_out')).toMatchObject({ campaign_id: id, number: optout, row: 3 });

    // The dashboard's live figures: press rate per key and opt-outs, from the results so far.
    const row = await new CampaignStats(svc).row(await svc.status(id));
    expect(row.message).toMatchObject({ calls: 3, opted_out: 1, press_rate: { '1': 1 / 3, '9': 1 / 3 }, by_flow: { pressed: 1, optout: 1, no_press: 1 } });

    // The next campaign's import checks the list: the number that opted out is not dialed again.
    const again = await svc.create({
      name: 'again',
      settings: { endpoint: 'SIP/trunk/{number}' },
      open: () => Readable.from([`number\n${optout}\n${sales}\n`]),
    });
    expect(again.accepted).toBe(1);
  });

  it('a CSV message column: each row plays its own media; a bad cell rejects the row by line and column', async () => {
    const rejected: Array<{ line: number; reason: string }> = [];
    const r = await svc.create({
      name: 'rows',
      settings: { endpoint: 'SIP/trunk/{number}', cps: 100, timeoutS: 5, message: { media: 'sound:promo' } },
      open: () => Readable.from(['number,message\n+15550003101,sound:promo-a\n+15550003102,http://evil/x.wav\n']),
      skipInvalid: true,
      onRejected: (e) => rejected.push(e),
    });
    expect(r).toMatchObject({ accepted: 1, rejected: 1 });
    expect(rejected).toEqual([{ line: 3, reason: expect.stringMatching(/^column 2 \(message\): "http:\/\/evil\/x.wav": a media URI starts with sound:/) }]);
    await waitUntil('campaign finished', async () => (await svc.get(r.id!)).state === 'finished', 30_000);
    const [rec] = await collect(svc.attempts(r.id!));
    // The row's own sound played to its end (3 s, the simulator's default length), then the destination.
    expect(rec).toMatchObject({ number: '+15550003101', flow: 'no_press', message_done: true, continued: true });
    expect(rec!.heard_s).toBeGreaterThan(3 * 0.05 * 0.8);
  });

  it('rejects a message setting naming the bad field', async () => {
    await expect(
      svc.create({
        name: 'bad',
        settings: { endpoint: 'SIP/trunk/{number}', message: { media: 'sound:a', press: ['1=x'] } },
        open: () => Readable.from(['number\n+15550003011\n']),
      }),
    ).rejects.toThrow(/message: --press: "1=x"/);
    await expect(
      svc.create({ name: 'bad2', settings: { endpoint: 'SIP/trunk/{number}', capture: 'A,B C' }, open: () => Readable.from(['number\n+15550003011\n']) }),
    ).rejects.toThrow(/capture: "B C"/);
  });
});
