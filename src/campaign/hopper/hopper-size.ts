import type { CampaignSettings } from '../../policy/campaign-settings.js';

/** Most dial jobs ready in Redis per campaign, whatever its settings: ~8 MB of BullMQ jobs. */
export const MAX_HOPPER_SIZE = 10_000;

/**
 * How many jobs a campaign whose list is in PostgreSQL keeps ready in Redis: `hopperSize` when set, else enough for
 * a minute at its cps and twice its concurrency, at most {@link MAX_HOPPER_SIZE}.
 */
export function hopperSizeFor(s: Pick<CampaignSettings, 'cps' | 'maxConcurrent' | 'hopperSize'>): number {
  return s.hopperSize ?? Math.min(MAX_HOPPER_SIZE, Math.max(2 * s.maxConcurrent, Math.ceil(60 * s.cps)));
}
