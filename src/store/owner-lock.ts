import { luaScript, runLua, type RedisClient } from './lua-script.js';

const ACQUIRE = luaScript(
  'ariDialerOwnerLockHold',
  1,
  `
local v = redis.call('GET', KEYS[1])
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
`,
);
const RELEASE = luaScript('ariDialerOwnerLockRelease', 1, `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`);

/**
 * Locks held by one owner at a time (the hopper's feeder, the history archiver, per campaign): a Redis key holding
 * the owner's name with a TTL, renewed by each `hold`. When its holder dies the key lapses and the next owner that
 * tries takes it (within `ttlMs` plus one try).
 */
export class OwnerLock {
  constructor(
    private readonly redis: RedisClient,
    /** What the key holds while this owner has it (a worker's name, a random token). */
    readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  /** Takes or renews the lock on `key`; false while another owner holds it. */
  async hold(key: string): Promise<boolean> {
    return (await runLua(this.redis, ACQUIRE, [key], [this.owner, String(this.ttlMs)])) === 1;
  }

  /** Lets `key` go, only if this owner still holds it. */
  async release(key: string): Promise<void> {
    await runLua(this.redis, RELEASE, [key], [this.owner]);
  }
}
