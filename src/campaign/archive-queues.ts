import type { CampaignQueues } from '../store/history/history-archiver.js';
import type { CampaignReads } from './campaign-reads.js';

/** The campaign queues as the history archiver sees them: what is still pending, their counts, and their removal. */
export function archiveQueues(campaigns: CampaignReads): CampaignQueues {
  return {
    pending: async (id) => {
      const [d, w] = await Promise.all([
        campaigns.dialQueue(id).getJobCounts('waiting', 'active', 'delayed', 'paused', 'prioritized', 'waiting-children'),
        campaigns.webhookQueue(id).getJobCounts('waiting', 'active', 'delayed', 'paused', 'prioritized', 'waiting-children'),
      ]);
      return [...Object.values(d), ...Object.values(w)].reduce((a, b) => a + b, 0);
    },
    counts: async (id) => ({ ...(await campaigns.queueCounts(id)) }),
    remove: async (id) => {
      await campaigns.dialQueue(id).obliterate({ force: true });
      await campaigns.webhookQueue(id).obliterate({ force: true });
    },
  };
}
