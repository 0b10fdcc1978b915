import type { RedisClient } from '../../store/lua-script.js';
import type { Keys } from '../../store/keys.js';

/** What kept a campaign's calls waiting. `cps` and `concurrency` are the campaign's own limits. */
export type HoldReason = 'cps' | 'concurrency' | 'trunk-cps' | 'trunk-channels' | 'window' | 'schedule' | 'breaker' | 'asterisk' | 'paused';

export interface HoldBack {
  reason: HoldReason;
  /** For a person: "trunk pstn at 20 cps", "outside mon-fri 09:00-17:00 Europe/Berlin". */
  detail: string;
  /** When a worker last saw it (ISO). */
  at: string;
  /** How long that call waited, when it waited in place (ms). */
  waitMs?: number;
}

/** A hold noted this recently still counts as holding the campaign back. */
export const HOLD_RECENT_MS = 5000;
/** Each process writes one reason of one campaign at most this often: a 500 cps campaign waits on every call. */
const NOTE_EVERY_MS = 500;

/**
 * Where workers note what made a campaign's calls wait (its own cps, a trunk's cps or channels, the window, the
 * schedule, a breaker), so `campaign status` and the dashboard can say what holds it back. One Redis hash per
 * campaign, field = reason; losing a note only delays the display.
 */
export class HoldBacks {
  private readonly lastNoted = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  /**
   * Fire and forget. `field` defaults to the reason; a standing note (a breaker: one field per worker) is written
   * at once, a passing one at most every {@link NOTE_EVERY_MS} per process.
   */
  note(campaignId: string, hold: Omit<HoldBack, 'at'>, now = Date.now(), field: string = hold.reason): void {
    const k = `${campaignId}|${field}`;
    if (field === hold.reason && now - (this.lastNoted.get(k) ?? 0) < NOTE_EVERY_MS) return;
    this.lastNoted.set(k, now);
    const key = this.keys.holdBacks(campaignId);
    this.redis
      .multi()
      .hset(key, field, JSON.stringify({ ...hold, at: new Date(now).toISOString() }))
      .pexpire(key, 86_400_000)
      .exec()
      .catch(() => undefined);
  }

  /** Forgets a standing note (a breaker that closed again). */
  async clear(campaignId: string, field: string): Promise<void> {
    this.lastNoted.delete(`${campaignId}|${field}`);
    await this.redis.hdel(this.keys.holdBacks(campaignId), field);
  }

  /**
   * Notes seen in the last {@link HOLD_RECENT_MS}, plus standing ones (breakers, one per worker, while that worker
   * lives).
   */
  async recent(campaignId: string, now = Date.now()): Promise<HoldBack[]> {
    const h = await this.redis.hgetall(this.keys.holdBacks(campaignId));
    const out: HoldBack[] = [];
    for (const [field, v] of Object.entries(h)) {
      const hold = parseHold(v);
      if (!hold) continue;
      if (field.startsWith('breaker:')) {
        if (await this.redis.exists(this.keys.alive(field.slice('breaker:'.length)))) out.push(hold);
      } else if (now - Date.parse(hold.at) <= HOLD_RECENT_MS) out.push(hold);
    }
    return out;
  }
}

function parseHold(v: string): HoldBack | undefined {
  try {
    const o = JSON.parse(v) as Partial<HoldBack>;
    return typeof o.reason === 'string' && typeof o.detail === 'string' && typeof o.at === 'string' ? (o as HoldBack) : undefined;
  } catch {
    return undefined;
  }
}
