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

/**
 * The last guard right before an originate: at least one gap since the previous originate actually sent. A worker
 * whose timer fired late (a busy event loop, a slow Redis reply) would otherwise send right before an on-time
 * neighbour and put cps + 2 or more into one second.
 */
const SPACE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gap = tonumber(ARGV[1])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
if now - last < gap then return math.ceil(gap - (now - last)) end
redis.call('SET', KEYS[1], tostring(now), 'PX', math.ceil(gap + 60000))
return 0
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

  /** Waits until one gap has passed since the campaign's last originate actually sent, then claims the moment. */
  async space(key: string, cps: number, signal?: AbortSignal): Promise<void> {
    const gap = 1000 / cps;
    for (;;) {
      const wait = Number(await this.redis.eval(SPACE, 1, `${key}:last`, String(gap)));
      if (wait <= 0 || signal?.aborted) return;
      await new Promise<void>((resolve) => setTimeout(resolve, wait));
    }
  }
}
