import { luaScript, runLua, type RedisClient } from '../../store/lua-script.js';

const ACQUIRE = luaScript('ariDialerFeederAcquire', 1, `
local v = redis.call('GET', KEYS[1])
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0
`);
const RELEASE = luaScript('ariDialerFeederRelease', 1, `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`);

/**
 * One feeder per campaign at a time: a Redis key holding the owner's name with a TTL, renewed by each top-up. When
 * its holder dies the key lapses and the next worker that tries takes it (within `ttlMs` plus one tick).
 */
export class FeederLock {
  constructor(
    private readonly redis: RedisClient,
    private readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  /** Takes or renews the lock on `key`; false while another owner holds it. */
  async hold(key: string): Promise<boolean> {
    return (await runLua(this.redis, ACQUIRE, [key], [this.owner, String(this.ttlMs)])) === 1;
  }

  async release(key: string): Promise<void> {
    await runLua(this.redis, RELEASE, [key], [this.owner]);
  }
}
