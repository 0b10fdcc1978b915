import type { RedisClient } from '../../store/lua-script.js';
import type { Logger } from '../../log.js';
import type { Keys } from '../../store/keys.js';

export interface WorkerHeartbeatOptions {
  redis: RedisClient;
  keys: Keys;
  /** This worker's name (its Stasis app name). */
  name: string;
  /** The Asterisk server it serves ('' when not named). */
  asterisk: string;
  /** How often the heartbeat is renewed. @defaultValue 1000 */
  intervalMs?: number;
  /** A worker whose heartbeat is older than this is dead. @defaultValue 3000 */
  ttlMs?: number;
  log: Logger;
}

export interface WorkerInfo {
  name: string;
  asterisk: string;
}

/**
 * A worker's liveness in Redis: a key with a TTL renewed every second, so a SIGKILLed worker is known dead within
 * the TTL (BullMQ only notices at its stalled check, 30 s by default). Also lists the live workers of one Asterisk,
 * the peers that can take over or witness each other's calls.
 */
export class WorkerHeartbeat {
  private readonly intervalMs: number;
  readonly ttlMs: number;
  private timer: NodeJS.Timeout | undefined;
  private peers: readonly string[] = [];
  private peersAt = 0;
  private refreshing: Promise<readonly string[]> | undefined;

  constructor(private readonly o: WorkerHeartbeatOptions) {
    this.intervalMs = o.intervalMs ?? 1000;
    this.ttlMs = o.ttlMs ?? 3000;
    if (!(this.ttlMs > this.intervalMs)) throw new RangeError('heartbeat ttlMs must be greater than intervalMs');
  }

  async start(): Promise<void> {
    await this.o.redis.hset(this.o.keys.workers, this.o.name, JSON.stringify({ asterisk: this.o.asterisk }));
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.intervalMs);
    this.timer.unref();
  }

  /** Graceful stop: gone from the registry at once (its calls ended or were handed back). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.o.redis
      .multi()
      .del(this.o.keys.alive(this.o.name))
      .hdel(this.o.keys.workers, this.o.name)
      .exec()
      .catch(() => undefined);
  }

  /** Live workers on the same Asterisk, other than this one, as of the last beat (sorted by name). */
  get livePeers(): readonly string[] {
    return this.peers;
  }

  /**
   * Looks the peers up now instead of at the next beat (one lookup at a time, at most every 250 ms): a worker's first
   * calls, placed before its first beat saw the others, would otherwise go out with no peer to witness them.
   */
  refreshPeers(): Promise<readonly string[]> {
    if (Date.now() - this.peersAt < 250) return Promise.resolve(this.peers);
    this.refreshing ??= this.lookUpPeers().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async lookUpPeers(): Promise<readonly string[]> {
    this.peers = (await this.sameAsterisk()).filter((w) => w.alive && w.name !== this.o.name).map((w) => w.name);
    this.peersAt = Date.now();
    return this.peers;
  }

  /** Workers known on the same Asterisk whose heartbeat expired (they died without a graceful stop). */
  async deadWorkers(): Promise<string[]> {
    const all = await this.sameAsterisk();
    return all.filter((w) => !w.alive).map((w) => w.name);
  }

  /** Forget a dead worker once nothing of it is left to take over. */
  async forget(name: string): Promise<void> {
    await this.o.redis.hdel(this.o.keys.workers, name);
  }

  private async beat(): Promise<void> {
    try {
      await this.o.redis.set(this.o.keys.alive(this.o.name), String(Date.now()), 'PX', this.ttlMs);
      await this.lookUpPeers();
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'worker heartbeat failed');
    }
  }

  private async sameAsterisk(): Promise<Array<WorkerInfo & { alive: boolean }>> {
    const h = await this.o.redis.hgetall(this.o.keys.workers);
    const names = Object.keys(h)
      .filter((n) => asteriskOf(h[n]) === this.o.asterisk)
      .sort();
    if (names.length === 0) return [];
    const alive = await this.o.redis.mget(...names.map((n) => this.o.keys.alive(n)));
    return names.map((name, i) => ({ name, asterisk: this.o.asterisk, alive: alive[i] !== null }));
  }
}

function asteriskOf(v: string | undefined): string | undefined {
  try {
    const o = JSON.parse(v ?? '') as { asterisk?: unknown };
    return typeof o.asterisk === 'string' ? o.asterisk : undefined;
  } catch {
    return undefined;
  }
}
