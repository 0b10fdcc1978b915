import type { OptedOutEvent } from './webhook-events.js';
import type { AttemptRecord } from '../report/attempt-record.js';
import type { CampaignMeta } from '../store/campaign-store.js';
import type { SuppressionList } from './suppression-list.js';
import type { WebhookDeliveries } from './webhook-deliveries.js';

/** Who opted out, during which attempt. */
export interface OptOutInfo {
  campaignId: string;
  number: string;
  row: number;
  channelId: string;
}

export interface OptOutDeps {
  /** The do-not-call list every campaign's import checks (one per Redis prefix). */
  suppression: SuppressionList;
  deliveries: WebhookDeliveries;
  campaign: (id: string) => Promise<CampaignMeta>;
}

/**
 * A callee pressed the opt-out key: the number goes into the suppression list at once (before the call ends, so no
 * other campaign's import or retry can miss it), then the campaign's webhook hears `contact.opted_out`. Resolves
 * whether the number was stored; a webhook that cannot be queued does not undo that.
 */
export async function recordOptOut(deps: OptOutDeps, info: OptOutInfo, now: () => number = Date.now): Promise<boolean> {
  const { invalid } = await deps.suppression.add([info.number]);
  const stored = invalid.length === 0;
  const hook = (await deps.campaign(info.campaignId).catch(() => undefined))?.settings.webhook;
  if (hook) {
    const event: OptedOutEvent = {
      event: 'contact.opted_out',
      campaign_id: info.campaignId,
      number: info.number,
      row: info.row,
      channel_id: info.channelId,
      at: new Date(now()).toISOString(),
    };
    await deps.deliveries.event(info.campaignId, hook, event).catch(() => undefined);
  }
  return stored;
}

/** Opt-outs among records (what a campaign's summary and dashboard count). */
export const isOptOut = (r: Pick<AttemptRecord, 'opted_out'>): boolean => r.opted_out === true;
