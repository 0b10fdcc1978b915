import { luaScript, runLua, type RedisClient } from '../../store/lua-script.js';

/**
 * Channels in flight on a trunk, counted in Redis over every worker: a sorted set of leases (member = channel id,
 * score = expiry on Redis's clock). A live worker renews its leases; a worker that dies stops renewing, and its
 * leases lapse after `ttlMs`, so a crash cannot eat the trunk's channels for good.
 */
const ACQUIRE = luaScript(
  'ariDialerLeaseAcquire',
  1,
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return 1
`,
);

const RENEW = luaScript(
  'ariDialerLeaseRenew',
  1,
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return 1
`,
);

const COUNT = luaScript(
  'ariDialerLeaseCount',
  1,
  `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZCOUNT', KEYS[1], now, '+inf')
`,
);

export interface ChannelLeasesOptions {
  /** A lease lapses this long after its last renewal (renewed every third of it). @defaultValue 30000 */
  ttlMs?: number;
  /** How often a caller waiting for a free channel asks again (plus up to as much jitter). @defaultValue 100 */
  pollMs?: number;
}

/** A held channel: renewed until released. */
export interface Lease {
  /** How long the caller waited for it (ms). */
  waitedMs: number;
  release(): Promise<void>;
}

export class ChannelLeases {
  private readonly ttlMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly redis: RedisClient,
    opts: ChannelLeasesOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 30_000;
    this.pollMs = opts.pollMs ?? 100;
    if (!(this.ttlMs >= 100)) throw new RangeError('ttlMs must be at least 100');
    if (!(this.pollMs >= 1)) throw new RangeError('pollMs must be at least 1');
  }

  /**
   * Waits until fewer than `max` leases are held under `key`, then takes one for `id`. Undefined when `signal`
   * aborted the wait (nothing held). Taking a lease `id` already holds renews it (a re-run job keeps its channel).
   */
  async acquire(key: string, id: string, max: number, signal?: AbortSignal): Promise<Lease | undefined> {
    const started = Date.now();
    for (;;) {
      if (signal?.aborted) return undefined;
      if (Number(await runLua(this.redis, ACQUIRE, [key], [id, String(max), String(this.ttlMs)])) === 1) break;
      await new Promise((r) => setTimeout(r, this.pollMs + Math.floor(Math.random() * this.pollMs)));
    }
    const renew = setInterval(
      () => {
        runLua(this.redis, RENEW, [key], [id, String(this.ttlMs)]).catch(() => undefined);
      },
      Math.max(50, Math.floor(this.ttlMs / 3)),
    );
    renew.unref();
    let released = false;
    return {
      waitedMs: Date.now() - started,
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(renew);
        await this.redis.zrem(key, id);
      },
    };
  }

  /** Leases held now under `key`. */
  async count(key: string): Promise<number> {
    return Number(await runLua(this.redis, COUNT, [key]));
  }
}
