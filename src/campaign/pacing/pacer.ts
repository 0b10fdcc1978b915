import { sentKey } from '../../store/keys.js';
import { luaScript, runLua, type RedisClient } from '../../store/lua-script.js';

/**
 * Hands out originate slots 1/cps apart, shared by every worker through Redis, on Redis's own clock (so skewed
 * worker clocks do not matter). Each slot is computed from the previous slot, not from "now", so waiting costs
 * nothing: the rate stays exact (BullMQ's limiter, which sleeps until a window expires, loses the sleep's overhead
 * on every job: ~7 % at 50 cps), and any one-second window holds at most cps + 1 originates.
 */
const TAKE_SLOT = luaScript(
  'ariDialerTakeSlot',
  1,
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local gap = tonumber(ARGV[1])
local nextSlot = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, nextSlot)
redis.call('SET', KEYS[1], tostring(slot + gap), 'PX', math.ceil(gap + 60000))
return slot - now
`,
);

/**
 * The last guard right before an originate: no more than N sends in any W ms (N = cps rounded down, at least 1;
 * W = N / cps seconds), over the campaign's last N sends kept in a list. A worker whose timer fired late (a busy
 * event loop, a slow Redis reply) would otherwise send right next to an on-time neighbour and put cps + 2 or more
 * into one second. A plain minimum gap would do that too, but it never lets a late call catch up, so every
 * lateness would be lost rate; a window lets the schedule catch up while still bounding every second.
 *
 * No TTL: the list never holds more than N entries, and a campaign's goes with its attempt state (archive) or the
 * campaign; a TTL renewed on every send was a command per attempt (at 1,000 cps: 1,000 PEXPIREs a second).
 */
const SPACE = luaScript(
  'ariDialerSpace',
  1,
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local n = tonumber(ARGV[1])
local w = tonumber(ARGV[2])
-- The n-th newest send, nil while fewer than n are kept.
local nth = redis.call('LINDEX', KEYS[1], n - 1)
if nth then
  local oldest = tonumber(nth)
  if now - oldest < w then return math.ceil(w - (now - oldest)) end
end
redis.call('LPUSH', KEYS[1], tostring(now))
redis.call('LTRIM', KEYS[1], 0, n - 1)
return 0
`,
);

export class Pacer {
  constructor(private readonly redis: RedisClient) {}

  /** Reserves the campaign's next slot and resolves when it comes. Returns how long it waited (ms). */
  async wait(key: string, cps: number, signal?: AbortSignal): Promise<number> {
    const gap = 1000 / cps;
    const delay = Number(await runLua(this.redis, TAKE_SLOT, [key], [String(gap)]));
    if (delay > 0) {
      await new Promise<void>((resolve) => {
        // The signal lives as long as the worker: the listener must go when the timer fires, or it piles up.
        const onAbort = () => {
          clearTimeout(t);
          resolve();
        };
        const t = setTimeout(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, delay);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    return delay;
  }

  /**
   * Waits until sending now keeps every window of W ms at N sends or fewer, then claims the moment. `slackMs`
   * widens the window: the moment is claimed on Redis's clock, and the originate leaves a few ms later (a Redis
   * reply, a busy event loop), so a hard limit (a carrier's trunk, which answers 503 over it) needs that margin.
   */
  async space(key: string, cps: number, signal?: AbortSignal, slackMs = 0): Promise<void> {
    const n = Math.max(1, Math.floor(cps));
    const w = (n * 1000) / cps + slackMs;
    for (;;) {
      const wait = Number(await runLua(this.redis, SPACE, [sentKey(key)], [String(n), String(w)]));
      if (wait <= 0 || signal?.aborted) return;
      await new Promise<void>((resolve) => setTimeout(resolve, wait));
    }
  }
}
