import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Pacer } from '../../src/campaign/pacing/pacer.js';
import { sentKey } from '../../src/store/keys.js';
import { dropPrefix, maxPerSecond, testPrefix, testRedis } from '../helpers/redis-test.js';

let redis: Redis;
const prefix = testPrefix('pacer');

beforeAll(() => {
  redis = testRedis();
});
afterAll(async () => {
  await dropPrefix(redis, prefix);
  redis.disconnect();
});

describe('Pacer (slots and the last spacing guard, in Redis)', () => {
  it('hands out slots 1/cps apart to many concurrent callers: the rate is exact and no second holds more than cps', async () => {
    const pacer = new Pacer(redis);
    const key = `${prefix}:a`;
    const cps = 40;
    const sent: number[] = [];
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 80 }, async () => {
        await pacer.wait(key, cps);
        await pacer.space(key, cps);
        sent.push(Date.now());
      }),
    );
    const span = (Math.max(...sent) - t0) / 1000;
    // 80 sends at 40/s: the first at once, the last 79 gaps (1.975 s) later.
    expect(span).toBeGreaterThanOrEqual(1.9);
    expect(span).toBeLessThan(2.4);
    expect(maxPerSecond(sent)).toBeLessThanOrEqual(cps + 1);
  });

  it('the guard lets a late schedule catch up, but never beyond N per window', async () => {
    const pacer = new Pacer(redis);
    const key = `${prefix}:b`;
    const sent: number[] = [];
    // 30 callers arrive at once with no slots (as after a stall): a window of 10 per second lets 10 through now.
    await Promise.all(
      Array.from({ length: 30 }, async () => {
        await pacer.space(key, 10);
        sent.push(Date.now());
      }),
    );
    sent.sort((a, b) => a - b);
    expect(sent[9]! - sent[0]!).toBeLessThan(300);
    // The guard holds N per window on Redis's clock; these times are taken when each reply is read here, so a reply
    // delayed on a loaded machine can bring one more into a second (as in the test above: N + 1).
    expect(maxPerSecond(sent)).toBeLessThanOrEqual(11);
    expect(sent[29]! - sent[0]!).toBeGreaterThanOrEqual(1900);
    // The guard's list holds the last N sends and no more, with no TTL to renew on every send.
    expect(await redis.llen(sentKey(key))).toBe(10);
    expect(await redis.pttl(sentKey(key))).toBe(-1);
  });
});

describe('Pacer and the worker-wide abort signal', () => {
  it('leaves no abort listener behind once a wait is over', async () => {
    const pacer = new Pacer(redis);
    const ac = new AbortController();
    await Promise.all(Array.from({ length: 20 }, () => pacer.wait(`${prefix}:c`, 100, ac.signal)));
    expect(EventEmitter.getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });
});
