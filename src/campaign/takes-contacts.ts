import { BadArgumentError } from '../errors.js';
import type { CampaignMeta } from '../store/campaign-store.js';

/** Throws (naming why) when a campaign takes no more numbers: cancelled, archived, or past its end. */
export function assertTakesContacts(meta: CampaignMeta): void {
  const id = meta.id;
  if (meta.state === 'cancelled') throw new BadArgumentError('campaign', `campaign ${id} is cancelled; it takes no more numbers`);
  if (meta.archivedAt) throw new BadArgumentError('campaign', `campaign ${id} is archived; create a new one`);
  const endAt = meta.settings.endAt;
  if (endAt && Date.now() >= Date.parse(endAt)) throw new BadArgumentError('campaign', `campaign ${id} ended at ${endAt}; it takes no more numbers`);
}
