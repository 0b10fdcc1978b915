import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CampaignMetaCache } from '../../src/campaign/meta-cache.js';
import { DEFAULT_SETTINGS } from '../../src/policy/campaign-settings.js';
import { CampaignStore, type CampaignMeta } from '../../src/store/campaign-store.js';
import { Keys } from '../../src/store/keys.js';
import { dropPrefix, testPrefix, testRedis } from '../helpers/redis-test.js';

let redis: Redis;
let store: CampaignStore;
const prefix = testPrefix('meta-cache');

beforeAll(async () => {
  redis = testRedis();
  store = new CampaignStore(redis, new Keys(prefix));
  await store.create({ id: 'c1', name: 'cached', settings: { ...DEFAULT_SETTINGS, endpoint: 'PJSIP/{number}@pstn' } });
});
afterAll(async () => {
  await dropPrefix(redis, prefix);
  redis.disconnect();
});

/** The store's own read, counted. */
function counted(): { reads: () => number; read: (id: string) => Promise<CampaignMeta> } {
  let n = 0;
  return {
    reads: () => n,
    read: async (id) => {
      n++;
      const meta = await store.get(id);
      if (!meta) throw new Error(`no campaign ${id}`);
      return meta;
    },
  };
}

describe('CampaignMetaCache', () => {
  it('jobs starting together share one read; the next read comes when the entry runs out, and sees a change', async () => {
    let now = 0;
    const c = counted();
    const cache = new CampaignMetaCache(c.read, 1000, () => now);
    const metas = await Promise.all(Array.from({ length: 200 }, () => cache.get('c1')));
    expect(c.reads()).toBe(1);
    expect(metas.every((m) => m.state === 'running')).toBe(true);
    await store.setState('c1', 'cancelled');
    now = 999;
    expect((await cache.get('c1')).state).toBe('running');
    now = 1000;
    const after = await Promise.all(Array.from({ length: 50 }, () => cache.get('c1')));
    expect(c.reads()).toBe(2);
    expect(after.every((m) => m.state === 'cancelled')).toBe(true);
    await store.setState('c1', 'running');
  });

  it('forget sends the next read to Redis; a failed read is not kept', async () => {
    const c = counted();
    const cache = new CampaignMetaCache(c.read, 60_000);
    await cache.get('c1');
    cache.forget('c1');
    await cache.get('c1');
    expect(c.reads()).toBe(2);
    await expect(cache.get('missing')).rejects.toThrow('no campaign missing');
    await expect(cache.get('missing')).rejects.toThrow('no campaign missing');
    expect(c.reads()).toBe(4);
  });
});
