import type { CampaignService } from '../campaign/campaign-service.js';
import type { CampaignCounters, InflightCall } from '../store/campaign-store.js';
import type { CampaignRow, CampaignStats } from './campaign-stats.js';

/** Everything a campaign's page shows except the results table (paged separately). */
export interface CampaignDetail {
  /** Server time, so the page can show running durations without trusting the browser's clock. */
  now: string;
  campaign: CampaignRow;
  /** Final results by disposition, every attempt by disposition. */
  final: CampaignCounters['final'];
  attempt: CampaignCounters['attempt'];
  webhook: { delivered: number; failed: number };
  inflight: InflightCall[];
  /** Attempts and answers per 10-second bucket (`t` in epoch seconds). */
  timeline: Array<{ t: number; attempts: number; answered: number }>;
  causes: Array<{ cause: string; count: number }>;
}

/** Biggest number of calls in flight listed; a page does not need ten thousand rows to show "busy". */
const MAX_INFLIGHT_LISTED = 500;

export async function campaignDetail(service: CampaignService, stats: CampaignStats, id: string): Promise<CampaignDetail> {
  const status = await service.status(id);
  const [campaign, inflight, timeline, causes] = await Promise.all([
    stats.row(status),
    service.store.inflight(id),
    service.store.timeline(id),
    stats.causes(id),
  ]);
  inflight.sort((a, b) => a.since.localeCompare(b.since));
  return {
    now: new Date().toISOString(),
    campaign,
    final: status.counters.final,
    attempt: status.counters.attempt,
    webhook: { delivered: status.counters.webhookDelivered, failed: status.counters.webhookFailed },
    inflight: inflight.slice(0, MAX_INFLIGHT_LISTED),
    timeline,
    causes,
  };
}
