import type { CampaignService } from '../campaign/campaign-service.js';
import type { CampaignCounters, InflightCall } from '../store/campaign-store.js';
import { CPS_WINDOW_MS, type CampaignRow, type CampaignStats } from './campaign-stats.js';

/** Where a campaign's results go and how that is going; absent when it has no webhook. */
export interface WebhookStatus {
  /** Scheme, host and path only: a query string or userinfo can carry a key. */
  url: string;
  delivered: number;
  failed: number;
  /** Deliveries queued, being sent, or waiting for a retry. */
  pending: number;
  /** The last delivery that failed for good: why, and when. */
  lastError?: { message: string; at: string };
}

/** Everything a campaign's page shows except the results table (paged separately). */
export interface CampaignDetail {
  /** Server time, so the page can show running durations without trusting the browser's clock. */
  now: string;
  campaign: CampaignRow;
  /** Final results by disposition, every attempt by disposition. */
  final: CampaignCounters['final'];
  attempt: CampaignCounters['attempt'];
  webhook?: WebhookStatus;
  inflight: InflightCall[];
  /** Calls that ENDED in each 10-second bucket (`t`: the bucket's start, epoch seconds), and how many were answered. */
  timeline: Array<{ t: number; attempts: number; answered: number }>;
  causes: Array<{ cause: string; count: number }>;
  /** What the page's figures measure, so it can say so: the chart's bucket and the cps window, in seconds. */
  measures: { bucketS: number; cpsWindowS: number };
}

/** Biggest number of calls in flight listed; a page does not need ten thousand rows to show "busy". */
const MAX_INFLIGHT_LISTED = 500;

export async function campaignDetail(service: CampaignService, stats: CampaignStats, id: string): Promise<CampaignDetail> {
  const status = await service.status(id);
  const [campaign, inflight, timeline, causes, webhook] = await Promise.all([
    stats.row(status),
    service.store.inflight(id),
    service.store.timeline(id),
    stats.causes(id),
    status.settings.webhook ? webhookStatus(service, id, status.settings.webhook.url, status.counters) : undefined,
  ]);
  inflight.sort((a, b) => a.since.localeCompare(b.since));
  return {
    now: new Date().toISOString(),
    campaign,
    final: status.counters.final,
    attempt: status.counters.attempt,
    ...(webhook ? { webhook } : {}),
    inflight: inflight.slice(0, MAX_INFLIGHT_LISTED),
    timeline,
    causes,
    measures: { bucketS: 10, cpsWindowS: CPS_WINDOW_MS / 1000 },
  };
}

async function webhookStatus(service: CampaignService, id: string, url: string, c: CampaignCounters): Promise<WebhookStatus> {
  const w: WebhookStatus = { url: withoutQuery(url), delivered: c.webhookDelivered, failed: c.webhookFailed, pending: 0 };
  // An archived campaign has no queue left in Redis: nothing pending, and its last error went with it.
  if (!(await service.redis.exists(service.keys.campaign(id)))) return w;
  const q = service.webhookQueue(id);
  const [counts, failed] = await Promise.all([q.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused'), q.getFailed(0, 0)]);
  w.pending = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
  const last = failed[0];
  if (last?.failedReason) w.lastError = { message: last.failedReason.slice(0, 300), at: new Date(last.finishedOn ?? last.timestamp).toISOString() };
  return w;
}

/** `https://crm.example/hooks/calls?key=…` → `https://crm.example/hooks/calls`. */
export function withoutQuery(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '';
  }
}
