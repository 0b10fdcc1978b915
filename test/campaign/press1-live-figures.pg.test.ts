import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import { CampaignStats } from '../../src/dashboard/campaign-stats.js';
import { SummaryBuilder } from '../../src/report/summarize.js';
import type { HistoryArchiver } from '../../src/store/history/history-archiver.js';
import type { HistoryStore } from '../../src/store/history/history-store.js';
import { startCampaignRig, type CampaignRig } from '../helpers/campaign-rig.js';
import { testHistory } from '../helpers/pg-test.js';
import { testPrefix, waitUntil } from '../helpers/redis-test.js';

/**
 * A press-1 campaign whose history is in PostgreSQL (as with DATABASE_URL): Redis keeps no attempts list for it, so
 * the dashboard's live message figures (keys, flows, opt-outs) and captured values are read from the archived
 * attempts. They must say what the report says.
 */
let rig: CampaignRig;
let svc: CampaignService;
let history: HistoryStore;
let drop: () => Promise<void>;
let archiver: HistoryArchiver;
const prefix = testPrefix('press1pg');

beforeAll(async () => {
  ({ history, drop } = await testHistory('press1_live'));
  // 0.05: the 1 s message plays 50 ms; callees press 1.5 s (75 ms) after the answer, in the wait for a key; the
  // survey's Read() gives up after 6 s (300 ms); they listen 60 s (3 s: the rule only lengthens the call, and leaves
  // a loaded machine room to time the Read() out before the callee hangs up, which would make it ERROR).
  rig = await startCampaignRig(prefix, {
    history,
    sim: { timeScale: 0.05, sounds: { promo: 1000 }, rules: [{ match: '55500050', outcome: 'answer', talkMs: 60_000 }] },
  });
  svc = rig.svc;
  archiver = svc.historyArchiver({ idleMs: 50, purge: false });
  archiver.start();
});

afterAll(async () => {
  await archiver?.stop();
  await rig?.close();
  await drop?.();
});

describe('live figures of a campaign whose history is in PostgreSQL', () => {
  it('press rate per key, flows, opt-outs and captured values as the report counts them, read on as results arrive', async () => {
    // The simulator's callees: a next-to-last digit 1 presses 1, 9 presses 9, anything else stays silent.
    const numbers = ['+15550005011', '+15550005091', '+15550005001', '+15550005002'];
    const r = await svc.create({
      name: 'press1-pg',
      settings: {
        endpoint: 'SIP/trunk/{number}',
        context: 'survey',
        cps: 100,
        maxConcurrent: 10,
        timeoutS: 5,
        message: { media: 'sound:promo', press: ['1=survey,s,1', '9=optout'], noPress: 'destination', pressWaitS: 0.3 },
        capture: 'SURVEY_STARTED,READSTATUS',
      },
      open: () => Readable.from([`number\n${numbers.join('\n')}\n`]),
    });
    const id = r.id!;
    expect((await svc.status(id)).history).toBe('pg');
    const stats = new CampaignStats(svc);
    // Before any result: no figures (not zeros that would read as "nobody pressed").
    expect((await stats.row(await svc.status(id))).message).toBeUndefined();

    await waitUntil('campaign finished', async () => (await svc.get(id)).state === 'finished', 30_000);
    await waitUntil(
      'attempts archived',
      async () => (await history.pool.query(`SELECT count(*)::int AS n FROM attempts WHERE campaign_id = $1`, [id])).rows[0].n === 4,
      15_000,
    );
    const row = await stats.row(await svc.status(id));
    expect(row.message).toEqual({
      calls: 4,
      by_flow: { pressed: 1, optout: 1, no_press: 2, hung_up_in_message: 0, not_played: 0 },
      press_rate: { '1': 0.25, '9': 0.25 },
      optout_rate: 0.25,
      opted_out: 1,
      avg_heard_s: expect.any(Number),
    });
    // Three reached the survey (1 pressed, two silent ones after the wait); the one who opted out did not.
    expect(row.captured).toEqual({
      SURVEY_STARTED: { calls: 3, values: { yes: { count: 3, share: 1 } } },
      READSTATUS: { calls: 3, values: { TIMEOUT: { count: 3, share: 1 } } },
    });

    // The report reads the same archived attempts: the same figures.
    const report = new SummaryBuilder();
    for await (const a of svc.attempts(id)) report.add(a);
    const summary = report.result();
    expect(row.message).toEqual(summary.message);
    expect(row.captured).toEqual(summary.captured);

    // Read on, not again: a later refresh adds nothing, and a new page's first refresh counts the same.
    expect((await stats.row(await svc.status(id))).message).toEqual(row.message);
    expect((await new CampaignStats(svc).row(await svc.status(id))).message).toEqual(row.message);
  });
});
