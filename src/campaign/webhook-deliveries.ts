import type { CampaignWebhookEvent, WebhookJobData } from './webhook-events.js';
import type { AttemptRecord } from '../report/attempt-record.js';
import type { CampaignService } from './campaign-service.js';
import type { WebhookSettings } from '../policy/campaign-settings.js';

/**
 * Queues what a campaign's webhook receives, on the campaign's own webhook queue (its own rate limit, retries with
 * exponential backoff): a number's final result, once per number (the job id is the number), or a campaign event.
 */
export class WebhookDeliveries {
  constructor(
    private readonly service: CampaignService,
    /** First delay of the exponential retry backoff. */
    private readonly backoffMs: number,
  ) {}

  async final(hook: WebhookSettings, rec: AttemptRecord): Promise<void> {
    const data: WebhookJobData = { url: hook.url, secret: hook.secret, idempotencyKey: `${rec.campaignId}:${rec.number}`, record: rec };
    await this.add(rec.campaignId, hook, 'deliver', data, `wh|${rec.campaignId}|${rec.number}`);
  }

  async event(campaignId: string, hook: WebhookSettings, event: CampaignWebhookEvent): Promise<void> {
    const data: WebhookJobData = { url: hook.url, secret: hook.secret, idempotencyKey: `${campaignId}:${event.event}:${event.at}`, event };
    await this.add(campaignId, hook, 'event', data);
  }

  private async add(campaignId: string, hook: WebhookSettings, name: string, data: WebhookJobData, jobId?: string): Promise<void> {
    await this.service.webhookQueue(campaignId).add(name, data, {
      ...(jobId ? { jobId } : {}),
      attempts: hook.attempts,
      backoff: { type: 'exponential', delay: this.backoffMs },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 10_000 },
    });
  }
}
