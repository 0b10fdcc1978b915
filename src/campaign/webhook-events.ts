/** What a campaign's webhook receives: the delivery jobs and the campaign events, one contract for sender and queue. */
import type { AttemptRecord } from '../report/attempt-record.js';

/** The `contact.opted_out` webhook event. */
export interface OptedOutEvent {
  event: 'contact.opted_out';
  campaign_id: string;
  number: string;
  row: number;
  channel_id: string;
  at: string;
}

/** A campaign-level event for the receiver (today: paused by its circuit breaker). */
export type CampaignWebhookEvent =
  | {
      event: 'campaign.paused';
      campaign_id: string;
      reason: string;
      by: 'breaker';
      at: string;
    }
  | OptedOutEvent;

/** One delivery: a number's final result (`record`) or a campaign event (`event`). */
export type WebhookJobData = {
  url: string;
  secret?: string;
  /** Same key on every retry: the receiver drops repeats. */
  idempotencyKey: string;
} & ({ record: AttemptRecord; event?: undefined } | { event: CampaignWebhookEvent; record?: undefined });
