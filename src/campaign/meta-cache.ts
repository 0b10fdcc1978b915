import type { CampaignMeta } from '../store/campaign-store.js';

/**
 * A campaign's settings and state as every job of a worker reads them: from Redis at most once per `ttlMs` per
 * campaign, and one read at a time. When an entry runs out while hundreds of jobs start (a 1,000 cps campaign), they
 * share the read in flight instead of each sending its own HGETALL (under load that was more than one per attempt).
 */
export class CampaignMetaCache {
  private readonly entries = new Map<string, { at: number; meta: Promise<CampaignMeta> }>();

  constructor(
    private readonly read: (id: string) => Promise<CampaignMeta>,
    /** How long a read answers, from when it was sent: a cancel or a pause is seen this quickly. @defaultValue 1000 */
    private readonly ttlMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  get(id: string): Promise<CampaignMeta> {
    const hit = this.entries.get(id);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.meta;
    const entry = { at: this.now(), meta: this.read(id) };
    this.entries.set(id, entry);
    // A failed read is not kept: the next caller reads again.
    entry.meta.catch(() => this.entries.get(id) === entry && this.entries.delete(id));
    return entry.meta;
  }

  /** The next read goes to Redis, even one in flight now is not shared (a schedule edit, a pause by this worker). */
  forget(id: string): void {
    this.entries.delete(id);
  }
}
