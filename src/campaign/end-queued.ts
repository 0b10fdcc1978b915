import type { Queue } from 'bullmq';
import type { CampaignMeta, CampaignStore } from '../store/campaign-store.js';
import { cancelledRecord } from './cancelled-record.js';
import type { ContactTable } from './hopper/contact-table.js';
import { assertDialJobData, type DialJobData } from './job-data.js';

/**
 * Removes every queued dial job of a campaign and gives its number a final CANCELLED saying why (cancel, the end
 * time). Returns how many were ended here.
 */
export async function endQueued(queue: Queue, store: CampaignStore, meta: CampaignMeta, message?: (d: DialJobData) => string): Promise<number> {
  let ended = 0;
  for (;;) {
    const jobs = await queue.getJobs(['waiting', 'paused', 'delayed', 'prioritized'], 0, 499);
    if (!jobs.length) break;
    let removed = 0;
    for (const job of jobs) {
      const data = assertDialJobData(job.data);
      try {
        await job.remove();
      } catch {
        // Taken by a worker meanwhile: that worker records its result (and sees the cancelled state or the end).
        continue;
      }
      removed++;
      if (await store.recordFinalOnly(cancelledRecord(data, meta.settings.endpoint, Date.now(), message?.(data)))) ended++;
    }
    if (!removed) break;
  }
  return ended;
}

/**
 * A list in PostgreSQL: every contact not yet fed ends CANCELLED in one statement, and the counters follow (those
 * never had a job, so no script counted them).
 */
export async function endWaiting(
  contacts: ContactTable | undefined,
  store: CampaignStore,
  id: string,
  meta: CampaignMeta,
  message = 'campaign cancelled before this number was dialed',
): Promise<number> {
  if (meta.contacts !== 'pg' || !contacts) return 0;
  const n = await contacts.cancelWaiting(id, { endpoint: meta.settings.endpoint, message, at: new Date().toISOString() });
  if (n > 0) await store.addImportCounts(id, { done: n, 'final:CANCELLED': n });
  await store.settle(id);
  return n;
}
