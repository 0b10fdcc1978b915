import type { Queue } from 'bullmq';
import { luaScript, runLua, type RedisClient } from '../../store/lua-script.js';
import { silentLogger, type Logger } from '../../log.js';
import type { CampaignMeta } from '../../store/campaign-store.js';
import type { Keys } from '../../store/keys.js';
import { OwnerLock } from '../../store/owner-lock.js';
import { isInsideWindow } from '../../policy/calling-window.js';
import { schedulePhase } from '../../policy/schedule.js';
import type { ContactTable } from './contact-table.js';
import { hopperSizeFor } from './hopper-size.js';
import { sweepSettled } from './settled-sweep.js';

export interface HopperFeederOptions {
  redis: RedisClient;
  keys: Keys;
  contacts: ContactTable;
  /** The campaign's dial queue. */
  queue: (campaignId: string) => Queue;
  /** The campaign's settings and state (cached by the worker). */
  campaign: (campaignId: string) => Promise<CampaignMeta>;
  /**
   * Ends what is left of a cancelled campaign (jobs fed in the instant of the cancel, waiting contacts); the
   * feeder calls it while it finds any. @defaultValue none
   */
  endCancelled?: (campaignId: string) => Promise<number>;
  /** Who holds the lock (the worker's name). */
  owner: string;
  /** How often each campaign is topped up. @defaultValue 500 */
  intervalMs?: number;
  /** The feeder lock's time to live: another worker feeds this long after the holder died. @defaultValue 10000 */
  lockTtlMs?: number;
  /** How often queued contacts are checked for a job Redis lost. @defaultValue 30000 */
  reconcileEveryMs?: number;
  /**
   * How often the marks of numbers whose final is in PostgreSQL leave Redis (see sweepSettled); what Redis holds
   * per number dialed is what this many ms of calls leave behind, not the list's length. @defaultValue 2000
   */
  sweepEveryMs?: number;
  logger?: Logger;
}

/** How many job ids per number the check for a vanished job looks at (attempt 1 to this). */
const ATTEMPTS_LOOKED_AT = 64;

/**
 * Which of the numbers (ARGV) still have something in Redis: a final result, or a job of any attempt (waiting,
 * delayed, active, done or failed). KEYS[1] the finals hash, ARGV[1] the job key prefix, ARGV[2..] the numbers.
 * Returns 1 per number that has, 0 per number whose job vanished.
 */
// The job keys it reads share the campaign's slot (BullMQ's prefix carries the campaign's hash tag, see Keys).
const STILL_THERE = luaScript(
  'ariDialerStillThere',
  1,
  `
local out = {}
for i = 2, #ARGV do
  local n = ARGV[i]
  local found = redis.call('HEXISTS', KEYS[1], n)
  local a = 1
  while found == 0 and a <= ${ATTEMPTS_LOOKED_AT} do
    found = redis.call('EXISTS', ARGV[1] .. n .. '|a' .. a)
    a = a + 1
  end
  out[#out + 1] = found
end
return out
`,
);

/**
 * The hopper of every campaign whose list is in PostgreSQL that this worker serves: keeps at most `hopperSize` dial
 * jobs ready in Redis (waiting, paused or running), topped up from the `contacts` table, highest lead_priority then
 * row order, by ONE feeder per campaign at a time (an OwnerLock). Nothing is fed while the campaign is paused, before
 * its start, past its end or outside its calling window. Retries stay BullMQ delayed jobs as before.
 *
 * A contact is marked queued before its job is added; a feeder that dies in between, or Redis losing its data,
 * leaves a queued contact with no job: the holder looks for those (on taking the lock, then every
 * `reconcileEveryMs`) and feeds them again with the same job id, so BullMQ never holds two and the attempt's
 * stored result or live channel stops a second dial.
 */
export class HopperFeeder {
  private readonly served = new Set<string>();
  private readonly lock: OwnerLock;
  private readonly log: Logger;
  private readonly held = new Set<string>();
  private readonly reconciledAt = new Map<string, number>();
  private readonly sweptAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly o: HopperFeederOptions) {
    this.lock = new OwnerLock(o.redis, o.owner, o.lockTtlMs ?? 10_000);
    this.log = o.logger ?? silentLogger;
    if (!((o.intervalMs ?? 500) > 0)) throw new RangeError('intervalMs must be greater than 0');
  }

  lockKey(campaignId: string): string {
    return this.o.keys.feederLock(campaignId);
  }

  serve(campaignId: string): void {
    this.served.add(campaignId);
  }

  async forget(campaignId: string): Promise<void> {
    this.served.delete(campaignId);
    if (this.held.delete(campaignId)) await this.lock.release(this.lockKey(campaignId)).catch(() => undefined);
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), this.o.intervalMs ?? 500);
  }

  /** Stops feeding and lets the locks go, so another worker feeds at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await Promise.all([...this.held].map((id) => this.lock.release(this.lockKey(id)).catch(() => undefined)));
    this.held.clear();
  }

  /** One round over the campaigns served (also called by tests). */
  tick(): Promise<void> {
    this.running ??= (async () => {
      for (const id of this.served) {
        try {
          await this.feed(id);
        } catch (err) {
          this.log.warn({ campaignId: id, err: (err as Error).message }, 'hopper top-up failed; will retry');
        }
      }
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Tops one campaign's hopper up, when this worker holds (or takes) its feeder lock. Returns the jobs added. */
  async feed(campaignId: string, now = Date.now()): Promise<number> {
    if (!(await this.lock.hold(this.lockKey(campaignId)))) {
      this.held.delete(campaignId);
      return 0;
    }
    const tookOver = !this.held.has(campaignId);
    this.held.add(campaignId);
    const meta = await this.o.campaign(campaignId);
    if (tookOver || now - (this.reconciledAt.get(campaignId) ?? 0) >= (this.o.reconcileEveryMs ?? 30_000)) {
      this.reconciledAt.set(campaignId, now);
      const lost = await this.reconcile(campaignId);
      if (lost > 0) this.log.warn({ campaignId, lost }, 'queued contacts without a job in Redis: fed again');
    }
    if (now - (this.sweptAt.get(campaignId) ?? 0) >= (this.o.sweepEveryMs ?? 2000)) {
      this.sweptAt.set(campaignId, now);
      await sweepSettled(this.o, campaignId);
    }
    const queue = this.o.queue(campaignId);
    if (meta.state === 'cancelled' && this.o.endCancelled) {
      const left = await queue.getJobCounts('waiting', 'paused', 'prioritized', 'delayed');
      if (Object.values(left).some((n) => n > 0) || (await this.o.contacts.anyWaiting(campaignId))) await this.o.endCancelled(campaignId);
      return 0;
    }
    if (!feedsNow(meta, now)) return 0;
    const c = await queue.getJobCounts('waiting', 'paused', 'prioritized', 'active');
    const ready = (c.waiting ?? 0) + (c.paused ?? 0) + (c.prioritized ?? 0) + (c.active ?? 0);
    const want = hopperSizeFor(meta.settings) - ready;
    let added = 0;
    for (let left = want; left > 0;) {
      const batch = await this.o.contacts.take(campaignId, Math.min(left, 1000));
      if (!batch.length) break;
      await queue.addBulk(batch.map((b) => ({ name: 'dial', data: b.data, opts: { jobId: b.jobId } })));
      added += batch.length;
      left -= batch.length;
    }
    return added;
  }

  /** Queued contacts with neither a final result nor any job in Redis go back to waiting. Returns how many. */
  async reconcile(campaignId: string): Promise<number> {
    const jobPrefix = `${this.o.keys.bullPrefixFor(campaignId)}:${this.o.keys.dialQueue(campaignId)}:${campaignId}|`;
    let lost = 0;
    for (let after = 0; ;) {
      const page = await this.o.contacts.queued(campaignId, after, 1000);
      if (!page.length) return lost;
      after = page.at(-1)!.seq;
      const there = (await runLua(this.o.redis, STILL_THERE, [this.o.keys.finals(campaignId)], [jobPrefix, ...page.map((p) => p.number)])) as number[];
      lost += await this.o.contacts.requeue(
        campaignId,
        page.filter((_, i) => there[i] === 0).map((p) => p.number),
      );
    }
  }
}

/** Whether the campaign dials now at all: running, inside its schedule and its own calling window. */
function feedsNow(meta: CampaignMeta, now: number): boolean {
  if (meta.state !== 'running' && meta.state !== 'importing') return false;
  if (schedulePhase(meta.settings, now).kind !== 'open') return false;
  return !meta.settings.window || isInsideWindow(meta.settings.window, new Date(now));
}
