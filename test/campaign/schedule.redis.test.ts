import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignService } from '../../src/campaign/campaign-service.js';
import type { AttemptRecord } from '../../src/report/summarize.js';
import type { AriSim } from '../../src/sim/index.js';
import { testPrefix, waitUntil } from '../helpers/redis-test.js';
import { startCampaignRig, type CampaignRig } from '../helpers/campaign-rig.js';

const csvOf = (numbers: string[]) => () => Readable.from([`number\n${numbers.join('\n')}\n`]);
const numbersFor = (area: string, n: number) => Array.from({ length: n }, (_, i) => `+1${area}555${String(1000 + i).padStart(4, '0')}`);
const inSeconds = (s: number) => new Date(Date.now() + s * 1000).toISOString().replace('Z', '+00:00');

let sim: AriSim;
const prefix = testPrefix('schedule');
let svc: CampaignService;

let rig: CampaignRig;

beforeAll(async () => {
  rig = await startCampaignRig(prefix, { sim: { timeScale: 0.25 } });
  ({ sim, svc } = rig);
});

afterAll(() => rig.close());

async function finals(id: string): Promise<AttemptRecord[]> {
  const out: AttemptRecord[] = [];
  for await (const f of svc.finals(id)) out.push(f);
  return out;
}
const originatesOf = (area: string) =>
  sim.stats.originateTimestamps.length && [...sim.stats.originatesByEndpoint.keys()].filter((e) => e.includes(`/+1${area}`));
const finished = (id: string, ms = 30_000) => waitUntil(`${id} finished`, async () => (await svc.get(id)).state === 'finished', ms, 100);

describe('scheduled campaigns against the simulator', () => {
  it('dials nothing before its start, then everything; status says it waits for its start', async () => {
    sim.resetStats();
    const startAt = inSeconds(2);
    const r = await svc.create({
      name: 'later',
      settings: { endpoint: 'SIP/trunk/{number}', cps: 20, startAt, retry: 'none' },
      open: csvOf(numbersFor('301', 5)),
    });
    await new Promise((res) => setTimeout(res, 500));
    const waiting = await svc.status(r.id!);
    expect(waiting.holdingBack).toContainEqual(expect.objectContaining({ reason: 'schedule', detail: `starts at ${startAt}` }));
    await finished(r.id!);
    expect(sim.stats.originateTimestamps).toHaveLength(5);
    expect(Math.min(...sim.stats.originateTimestamps)).toBeGreaterThanOrEqual(Date.parse(startAt));
  }, 40_000);

  it('an end that passes stops dialing and ends the rest CANCELLED "campaign ended at …"; retries due after it end too', async () => {
    sim.resetStats();
    const endAt = inSeconds(2.5);
    // Last digit 6 is busy; its retry (in an hour) would come after the end.
    const numbers = numbersFor('302', 40);
    const r = await svc.create({
      name: 'until',
      settings: { endpoint: 'SIP/trunk/{number}', cps: 5, endAt, timeoutS: 8, retry: 'busy=2@1h' },
      open: csvOf(numbers),
    });
    await finished(r.id!);
    const all = await finals(r.id!);
    expect(all).toHaveLength(40);
    // `attempt` of a number ended before a call: the attempts it had (0: never dialed).
    const never = all.filter((f) => f.attempt === 0);
    expect(never.length).toBeGreaterThan(20);
    for (const f of never) expect(f).toMatchObject({ disposition: 'CANCELLED', message: `campaign ended at ${endAt} before this number was dialed` });
    // Nothing sent after the end (calls in flight finished on their own).
    expect(Math.max(...sim.stats.originateTimestamps)).toBeLessThan(Date.parse(endAt));
    const dialed = all.filter((f) => f.attempt >= 1);
    expect(dialed.length).toBe(sim.stats.originateTimestamps.length);
    expect(originatesOf('302')).toHaveLength(dialed.length);
    // A busy number dialed before the end does not wait an hour for a retry after it: it ends now, saying why.
    const busy = dialed.filter((f) => f.number.endsWith('6'));
    expect(busy.length).toBeGreaterThan(0);
    for (const f of busy)
      expect(f).toMatchObject({ disposition: 'CANCELLED', attempt: 1, message: `campaign ended at ${endAt} before this number was dialed again` });
  }, 40_000);

  it('the schedule is editable while the campaign waits: an earlier start dials now', async () => {
    sim.resetStats();
    const r = await svc.create({
      name: 'moved',
      settings: { endpoint: 'SIP/trunk/{number}', cps: 20, startAt: inSeconds(3600), retry: 'none' },
      open: csvOf(numbersFor('303', 4)),
    });
    await new Promise((res) => setTimeout(res, 700)); // the worker has deferred its jobs to the old start
    expect(sim.stats.originateTimestamps).toHaveLength(0);
    await expect(svc.schedule(r.id!, { startAt: null, endAt: '2020-01-01T00:00:00Z' })).rejects.toThrow(/endAt: 2020-01-01T00:00:00Z has already passed/);
    await expect(svc.schedule(r.id!, { startAt: '2026-12-01T09:00:00' })).rejects.toThrow(/startAt: must be an ISO time with a zone/);
    const moved = await svc.schedule(r.id!, { startAt: inSeconds(1), endAt: inSeconds(3600) });
    expect(moved.settings.endAt).toBeDefined();
    await finished(r.id!, 15_000);
    expect(sim.stats.originateTimestamps).toHaveLength(4);
    await expect(svc.schedule(r.id!, { startAt: null })).rejects.toThrow(/is finished; nothing left to schedule/);
  }, 40_000);
});
