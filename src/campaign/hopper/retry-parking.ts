import type { DialJobData } from '../job-data.js';
import type { ContactTable } from './contact-table.js';

interface Pending {
  next: DialJobData;
  delayMs: number;
  resolve: (parked: boolean) => void;
  reject: (err: unknown) => void;
}

/**
 * A worker's retries parked in PostgreSQL, gathered for `windowMs` and written per campaign in one statement
 * (ContactTable.parkMany): one commit for every retry of the window rather than one each (a commit per retry, with
 * its WAL flush, cost ~15 % of the list run's dialing rate on a shared machine).
 */
export class RetryParking {
  private readonly pending = new Map<string, Pending[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly contacts: ContactTable,
    private readonly windowMs = 20,
    private readonly maxBatch = 500,
  ) {}

  park(next: DialJobData, delayMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      const list = this.pending.get(next.campaignId) ?? [];
      list.push({ next, delayMs, resolve, reject });
      this.pending.set(next.campaignId, list);
      if (list.length >= this.maxBatch) void this.flush(next.campaignId);
      else this.timer ??= setTimeout(() => void this.flushAll(), this.windowMs);
    });
  }

  /** Writes everything gathered so far (also on the timer). */
  async flushAll(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all([...this.pending.keys()].map((id) => this.flush(id)));
  }

  private async flush(campaignId: string): Promise<void> {
    const batch = this.pending.get(campaignId);
    if (!batch?.length) return;
    this.pending.delete(campaignId);
    try {
      const parked = await this.contacts.parkMany(campaignId, batch);
      for (const p of batch) p.resolve(parked.get(p.next.number) === true);
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
