import { Readable } from 'node:stream';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignService } from '../../src/campaign/campaign-service.js';
import { parseAge } from '../../src/campaign/retention/age.js';
import { purgeCampaigns } from '../../src/campaign/retention/purge-campaigns.js';
import { RetentionSweeper } from '../../src/campaign/retention/retention-sweeper.js';
import { dropPrefix, testPrefix, testRedis } from '../helpers/redis-test.js';

const DAY = 86_400_000;
let redis: Redis;
let svc: CampaignService;
let prefix: string;

beforeAll(() => {
  redis = testRedis();
});

afterAll(async () => {
  redis.disconnect();
});

/** A campaign that ended `daysAgo` days ago (finished or cancelled), or one still running. */
async function campaign(name: string, end: 'finished' | 'cancelled' | 'running', daysAgo = 0): Promise<string> {
  const c = await svc.create({ name, settings: { endpoint: 'SIP/trunk/{number}' }, open: () => Readable.from(['number\n4930300\n']) });
  const id = c.id!;
  if (end === 'running') return id;
  await svc.cancel(id);
  const at = new Date(Date.now() - daysAgo * DAY).toISOString();
  // Backdated: the campaign really ended, only longer ago.
  if (end === 'finished') await redis.hset(svc.keys.campaign(id), { state: 'finished', finishedAt: at });
  else await redis.hset(svc.keys.campaign(id), { cancelledAt: at });
  return id;
}

async function fresh(): Promise<void> {
  if (svc) {
    await svc.close();
    await dropPrefix(redis, prefix);
  }
  prefix = testPrefix('purge');
  svc = new CampaignService({ redis, prefix });
}

describe('purge of old campaigns', () => {
  it('lists in a dry run, deletes with dryRun false: only campaigns that ended before the cutoff', async () => {
    await fresh();
    const oldFinished = await campaign('old finished', 'finished', 40);
    const oldCancelled = await campaign('old cancelled', 'cancelled', 31);
    const recent = await campaign('recent', 'finished', 29);
    const running = await campaign('running', 'running');
    const dry = await purgeCampaigns(svc, { olderThanMs: 30 * DAY, measure: true });
    expect(dry.dryRun).toBe(true);
    expect(dry.deleted.map((c) => c.id).sort()).toEqual([oldFinished, oldCancelled].sort());
    expect(dry.deleted.every((c) => (c.redisBytes ?? 0) > 0 && (c.redisKeys ?? 0) > 0)).toBe(true);
    expect((await svc.store.ids()).length).toBe(4);

    const real = await purgeCampaigns(svc, { olderThanMs: 30 * DAY, dryRun: false });
    expect(real.deleted.map((c) => c.id).sort()).toEqual([oldFinished, oldCancelled].sort());
    expect((await svc.store.ids()).sort()).toEqual([recent, running].sort());
  });

  it('skips an old campaign that still has work under way, saying why', async () => {
    await fresh();
    const id = await campaign('busy', 'cancelled', 60);
    await svc.store.markInflight(id, { channelId: 'ch-1', number: '4930300', attempt: 1, since: new Date().toISOString(), worker: 'w1' });
    const r = await purgeCampaigns(svc, { olderThanMs: 30 * DAY, dryRun: false });
    expect(r.deleted).toEqual([]);
    expect(r.skipped).toMatchObject([{ id, reason: '1 call(s) in flight' }]);
    expect(await svc.store.ids()).toEqual([id]);
  });

  it('parses ages', () => {
    expect(parseAge('30d', '--older-than')).toBe(30 * DAY);
    expect(parseAge('12h', '--older-than')).toBe(12 * 3_600_000);
    expect(parseAge('2w', '--older-than')).toBe(14 * DAY);
    expect(parseAge('7', '--older-than')).toBe(7 * DAY);
    expect(() => parseAge('-1d', '--older-than')).toThrow('--older-than: must be an age like 30d');
    expect(() => parseAge('soon', '--older-than')).toThrow('--older-than');
  });
});

describe('retention sweep', () => {
  it('deletes what is older than retentionDays; of several processes only the lock holder sweeps', async () => {
    await fresh();
    const old = await campaign('old', 'finished', 45);
    const kept = await campaign('kept', 'finished', 3);
    const sweepers = ['w1', 'w2', 'w3'].map((owner) => new RetentionSweeper({ service: svc, retentionDays: 30, owner, intervalMs: 60_000 }));
    const results = await Promise.all(sweepers.map((s) => s.sweep()));
    const swept = results.filter((r) => r !== undefined);
    expect(swept).toHaveLength(1);
    expect(swept[0]!.deleted.map((c) => c.id)).toEqual([old]);
    expect(await svc.store.ids()).toEqual([kept]);
    // The lock stays until the next sweep is due: nobody sweeps again meanwhile.
    expect(await sweepers[0]!.sweep()).toBeUndefined();
    expect(await redis.pttl(svc.keys.retentionLock)).toBeGreaterThan(50_000);
  });

  it('retentionDays 0 keeps everything', async () => {
    await fresh();
    await campaign('ancient', 'finished', 4000);
    expect(await new RetentionSweeper({ service: svc, retentionDays: 0, owner: 'w' }).sweep()).toBeUndefined();
    expect(await svc.store.ids()).toHaveLength(1);
    await svc.close();
    await dropPrefix(redis, prefix);
  });
});
