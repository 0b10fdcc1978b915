import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignStatus } from '../../src/campaign/campaign-reads.js';
import { campaignFigures } from '../../src/dashboard/campaign-figures.js';
import { DEFAULT_SETTINGS } from '../../src/policy/campaign-settings.js';
import { CampaignStore } from '../../src/store/campaign-store.js';
import type { HistoryStore } from '../../src/store/history/history-store.js';
import { Keys } from '../../src/store/keys.js';
import { testHistory } from '../helpers/pg-test.js';
import { dropPrefix, testPrefix, testRedis } from '../helpers/redis-test.js';

let redis: Redis;
let store: CampaignStore;
let history: HistoryStore;
let drop: () => Promise<void>;
const prefix = testPrefix('paused-time');
const settings = { ...DEFAULT_SETTINGS, endpoint: 'PJSIP/{number}@pstn' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  redis = testRedis();
  store = new CampaignStore(redis, new Keys(prefix));
  ({ history, drop } = await testHistory('paused_time'));
});
afterAll(async () => {
  await dropPrefix(redis, prefix);
  redis.disconnect();
  await drop();
});

describe('time spent paused', () => {
  it('adds up over pauses, counts the pause going on, ends with a cancel, and survives the archive to PostgreSQL', async () => {
    await store.create({ id: 'p1', name: 'paused', settings });
    expect((await store.get('p1'))!.pausedTime).toBeUndefined();

    expect(await store.pauseIfLive('p1')).toBe(true);
    const during = (await store.get('p1'))!.pausedTime!;
    expect(during.ms).toBe(0);
    expect(Date.now() - Date.parse(during.since!)).toBeLessThan(1000);
    await sleep(120);
    await store.setState('p1', 'running');
    const first = (await store.get('p1'))!.pausedTime!;
    expect(first.since).toBeUndefined();
    expect(first.ms).toBeGreaterThanOrEqual(120);
    expect(first.ms).toBeLessThan(1000);

    // A second pause ended by a cancel: both pauses count, and the cancel has its time.
    expect(await store.pauseIfLive('p1', { reason: 'breaker', by: 'breaker', at: new Date().toISOString() })).toBe(true);
    await sleep(80);
    await store.setState('p1', 'cancelled');
    const meta = (await store.get('p1'))!;
    expect(meta.paused).toBeUndefined();
    expect(meta.pausedTime!.ms).toBeGreaterThanOrEqual(first.ms + 80);
    expect(meta.cancelledAt).toBeDefined();

    await history.saveCampaign(meta, {}, new Date().toISOString());
    const archived = (await history.campaign('p1'))!.meta;
    expect(archived.pausedTime).toEqual({ ms: meta.pausedTime!.ms });
    expect(archived.cancelledAt).toBe(meta.cancelledAt);
  });

  it('a campaign never paused has none in PostgreSQL either', async () => {
    await store.create({ id: 'p2', name: 'never paused', settings });
    await history.saveCampaign((await store.get('p2'))!);
    expect((await history.campaign('p2'))!.meta.pausedTime).toBeUndefined();
  });
});

describe('campaign figures', () => {
  const t0 = Date.parse('2026-12-01T10:00:00Z');
  const status = (over: Partial<CampaignStatus>): CampaignStatus => ({
    id: 'f',
    name: 'f',
    state: 'running',
    createdAt: new Date(t0).toISOString(),
    settings,
    counters: { total: 1000, done: 100, attempts: 100, final: { ANSWERED: 50 }, attempt: { ANSWERED: 50 } } as CampaignStatus['counters'],
    queue: {} as CampaignStatus['queue'],
    holdingBack: [],
    ...over,
  });

  it('the time left goes by the pace while dialing: an hour paused does not slow it', async () => {
    // 100 numbers done in 10 minutes of dialing, plus an hour paused: 900 left take 90 minutes, not 630.
    const now = t0 + 70 * 60_000;
    const f = campaignFigures(status({ pausedTime: { ms: 60 * 60_000 } }), now);
    expect(f.durationS).toBe(70 * 60);
    expect(f.pausedS).toBe(60 * 60);
    expect(f.timeLeftS).toBe(90 * 60);
    // Never paused: the whole duration is dialing.
    expect(campaignFigures(status({}), t0 + 10 * 60_000)).toMatchObject({ pausedS: 0, timeLeftS: 90 * 60 });
    // A list kept in Redis has no "in the list" figure: its queue's waiting jobs are the list.
    expect(campaignFigures(status({}), t0).inList).toBeUndefined();
  });

  it('a pause going on counts up to now; it stops at the cancel for a cancelled campaign', async () => {
    const since = new Date(t0 + 10 * 60_000).toISOString();
    const paused = campaignFigures(status({ state: 'paused', pausedTime: { ms: 5000, since } }), t0 + 30 * 60_000);
    expect(paused).toMatchObject({ durationS: 30 * 60, pausedS: 20 * 60 + 5, timeLeftS: null });
    const cancelledAt = new Date(t0 + 40 * 60_000).toISOString();
    const over = campaignFigures(status({ state: 'cancelled', cancelledAt, pausedTime: { ms: 25 * 60_000 } }), t0 + 500 * 60_000);
    expect(over).toMatchObject({ durationS: 40 * 60, pausedS: 25 * 60, endedAt: cancelledAt });
  });
});
