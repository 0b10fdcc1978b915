import type { Redis } from 'ioredis';

/**
 * Hands out originate slots 1/cps apart, shared by every worker through Redis, on Redis's own clock (so skewed
 * worker clocks do not matter). Each slot is computed from the previous slot, not from "now", so waiting costs
 * nothing: the rate stays exact (BullMQ's limiter, which sleeps until a window expires, loses the sleep's overhead
 * on every job: ~7 % at 50 cps), and any one-second window holds at most cps + 1 originates.
 */
const TAKE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gap = tonumber(ARGV[1])
local nextSlot = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nextSlot)
redis.call('SET', KEYS[1], tostring(slot + gap), 'PX', math.ceil(gap + 60000))
return slot - now
`;

export class Pacer {
  constructor(private readonly redis: Redis) {}

  /** Reserves the campaign's next slot and resolves when it comes. Returns how long it waited (ms). */
  async wait(key: string, cps: number, signal?: AbortSignal): Promise<number> {
    const gap = 1000 / cps;
    const delay = Number(await this.redis.eval(TAKE_SLOT, 1, key, String(gap)));
    if (delay > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
    return delay;
  }
}
